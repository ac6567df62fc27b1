/**
 * DNS rebinding (issue 13.7): a web page on attacker.example that rebinds its name to 127.0.0.1 makes
 * the victim's browser send `Host: attacker.example` to `genprobe serve`. Only the names the server
 * is known by may read it: IP literals (they cannot be rebound), localhost names, and
 * server.allowedHosts.
 */
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parseConfig } from '../config/index.ts';
import { createServer, listen } from './app.ts';

const statusSource = { endpoints: () => [], endpoint: () => undefined, budget: () => [], usage: () => undefined };

async function start(server: Record<string, unknown> = {}) {
  const config = parseConfig({ server });
  const app = await createServer({ config, registry: new Registry(), statusSource, env: {}, statusPage: false });
  return listen(app, '127.0.0.1', 0);
}

/** GET with an explicit Host header (fetch would not let us set it). */
function get(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve checks Host against its names', () => {
  let defaults: Awaited<ReturnType<typeof start>>;
  let configured: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    defaults = await start();
    configured = await start({ allowedHosts: ['genprobe.internal', '*.monitoring.example'] });
  });
  afterAll(async () => {
    await defaults.close();
    await configured.close();
  });

  it.each(['/api/status', '/metrics', '/'])('refuses a rebound name on %s (421, names the config key)', async (path) => {
    const r = await get(defaults.url, path, 'attacker.example:9464');
    expect(r.status).toBe(421);
    expect(r.body).toMatch(/server\.allowedHosts/);
    expect(r.body).not.toMatch(/endpoints|genprobe_/);
  });

  it('serves loopback names and IP literals by default', async () => {
    const port = (defaults.server.address() as AddressInfo).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', `[::1]:${port}`, 'app.localhost', '10.0.0.5:9464']) {
      expect((await get(defaults.url, '/api/status', host)).status, host).toBe(200);
    }
  });

  it('serves the configured names (exact and *.suffix) and nothing else', async () => {
    expect((await get(configured.url, '/api/status', 'genprobe.internal:9464')).status).toBe(200);
    expect((await get(configured.url, '/metrics', 'prom.monitoring.example')).status).toBe(200);
    expect((await get(configured.url, '/metrics', 'monitoring.example.attacker.example')).status).toBe(421);
    expect((await get(configured.url, '/metrics', 'genprobe.internal.attacker.example')).status).toBe(421);
  });

  it('keeps /healthz answering whatever the Host (liveness must not depend on names)', async () => {
    expect((await get(defaults.url, '/healthz', 'anything.example')).status).toBe(200);
  });

  it('rejects a malformed allowedHosts entry by name', () => {
    expect(() => parseConfig({ server: { allowedHosts: ['http://x.example/'] } })).toThrow(/allowedHosts/);
  });
});

/**
 * The service wires the usage collector in when the environment variable named by
 * config.usage.databaseUrlEnv is set: its gauges join the project registry (still promtool-clean)
 * and its snapshot appears in /api/status — without the connection string or its password.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { loadSchema } from '../usage/helpers.ts';
import { getText, sample, startEmulator, startService, waitFor, type RunningService } from './helpers.ts';

let pg: TestPostgres;
let emu: Awaited<ReturnType<typeof startEmulator>>;
const services: RunningService[] = [];

beforeAll(async () => {
  [pg, emu] = await Promise.all([startTestPostgres(), startEmulator()]);
  await loadSchema(pg.connectionString);
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await emu?.close();
  await pg?.destroy();
});

describe('usage collector in the probe service', () => {
  it('exports usage gauges and the snapshot when a database URL is configured', async () => {
    const s = await startService(emu.url, { usage: { databaseUrlEnv: 'GP_TEST_DB', intervalSec: 3600 } }, { GP_TEST_DB: pg.connectionString });
    services.push(s);
    s.service.start();
    const status = await waitFor('a successful usage read', async () => {
      const body = JSON.parse((await getText(`${s.url}/api/status`)).text);
      return body.usage?.up === true && body;
    });
    expect(status.usage.windows.length).toBeGreaterThan(0);
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_usage_up')).toBe(1);
    for (const out of [JSON.stringify(status), text]) {
      expect(out).not.toContain(pg.password);
      expect(out).not.toContain(pg.connectionString);
    }
    const own = await s.service.metrics.registry.metrics();
    expect(own).toMatch(/^genprobe_usage_up 1$/m);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: own, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('without the variable set, the collector is off and status.usage is null', async () => {
    const s = await startService(emu.url, { usage: { databaseUrlEnv: 'GP_TEST_DB_UNSET' } }, {});
    services.push(s);
    expect(s.service.usage).toBeUndefined();
    expect(JSON.parse((await getText(`${s.url}/api/status`)).text).usage).toBeNull();
    expect(sample((await getText(`${s.url}/metrics`)).text, 'genprobe_usage_up')).toBeUndefined();
  });
});

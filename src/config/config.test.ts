import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLED_WAIVERS, ConfigError, loadConfig, parseConfig } from './index.ts';
import { coordinationUrl } from './coordination.ts';
import { inMaintenance } from './maintenance.ts';

describe('config', () => {
  it('fills defaults for the real fleet', () => {
    const c = parseConfig({});
    expect(c.target.url).toBe('https://{workspace}--{app}-comfyui-fastapi-app.modal.run');
    expect(c.target.workspace).toBe('ryla');
    expect(c.target.timeScale).toBe(1);
    expect(c.gate.retryBudget).toBe(4);
    expect(c.probes.budget).toEqual({ dailyUsd: 5, monthlyUsd: 100 });
  });

  it("takes target.clientThread (default on) and names a non-boolean by its path", () => {
    expect(parseConfig({ target: { url: 'http://127.0.0.1:1/{app}' } }).target.clientThread).toBe(true);
    expect(parseConfig({ target: { url: 'http://127.0.0.1:1/{app}', clientThread: false } }).target.clientThread).toBe(false);
    expect(() => parseConfig({ target: { url: 'http://127.0.0.1:1/{app}', clientThread: 'no' } })).toThrow(/target\.clientThread: /);
  });

  it('names every bad field by its path', () => {
    let error: unknown;
    try {
      parseConfig({ target: { url: 'http://x/' }, probes: { schedules: [{ match: 'flux', cron: 'every minute', kind: 'smoke' }] }, nope: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const msg = (error as Error).message;
    expect(msg).toContain('target.url: must contain {app}');
    expect(msg).toContain('probes.schedules.0.cron: is not a valid cron expression');
    expect(msg).toMatch(/\(root\): Unrecognized key.*nope/);
  });

  it('loads a genprobe.config.ts file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'genprobe-config-'));
    writeFileSync(path.join(dir, 'genprobe.config.mjs'), `export default { target: { url: 'http://127.0.0.1:8787/{app}', timeScale: 0.01 } };`);
    const { config, file } = await loadConfig(undefined, dir);
    expect(file).toBe(path.join(dir, 'genprobe.config.mjs'));
    expect(config.target.timeScale).toBe(0.01);
    // no waivers.yaml next to it or in the cwd: the bundled list of the fleet's known defects
    expect(config.gate.waivers).toBe(BUNDLED_WAIVERS);
    writeFileSync(path.join(dir, 'waivers.yaml'), 'waivers: []\n');
    expect((await loadConfig(undefined, dir)).config.gate.waivers).toBe(path.join(dir, 'waivers.yaml'));
    writeFileSync(path.join(dir, 'explicit.config.mjs'), `export default { gate: { waivers: 'known.yaml' } };`);
    expect((await loadConfig('explicit.config.mjs', dir)).config.gate.waivers).toBe(path.join(dir, 'known.yaml'));
  });

  it('rejects a missing explicit file with its path', async () => {
    await expect(loadConfig('nope.config.ts', '/tmp')).rejects.toThrow('config file not found: /tmp/nope.config.ts');
  });

  it('knows maintenance windows per app', () => {
    const w = parseConfig({ maintenance: [{ start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z', apps: ['ryla-flux'], reason: 'deploy' }] }).maintenance;
    expect(inMaintenance(w, 'ryla-flux', Date.parse('2026-01-01T00:30:00Z'))?.reason).toBe('deploy');
    expect(inMaintenance(w, 'ryla-wan26', Date.parse('2026-01-01T00:30:00Z'))).toBeUndefined();
    expect(inMaintenance(w, 'ryla-flux', Date.parse('2026-01-01T01:30:00Z'))).toBeUndefined();
  });
});

describe('endpoints: keys are endpoint ids', () => {
  const ids = { has: (id: string) => ['flux-dev-lora', 'flux-lora'].includes(id), nearest: (id: string) => (id.startsWith('flux-dev') ? 'flux-dev-lora' : undefined) };
  it('an unknown key is an error naming the key and the nearest real id (a typo must not disable an override)', async () => {
    const { useEndpointIds } = await import('./index.ts');
    useEndpointIds(ids);
    try {
      expect(() => parseConfig({ endpoints: { 'flux-dev-lorra': { request: { lora_id: 'alice' } } } })).toThrow(ConfigError);
      expect(() => parseConfig({ endpoints: { 'flux-dev-lorra': {} } })).toThrow(/endpoints\.flux-dev-lorra: unknown endpoint id "flux-dev-lorra" — did you mean "flux-dev-lora"\?/);
      expect(parseConfig({ endpoints: { 'flux-lora': { skip: 'no LoRA yet' } } }).endpoints['flux-lora'].skip).toBe('no LoRA yet');
    } finally {
      useEndpointIds(null);
    }
  });

});

describe('coordination config', () => {
  it('coordination: the URL itself (databaseUrl) or the variable holding it (databaseUrlEnv, the default), never both; a bad URL is named, not echoed', () => {
    const direct = parseConfig({ coordination: { databaseUrl: 'postgres://genprobe:s3cret-pw@db:5432/genprobe' } }).coordination!;
    expect(coordinationUrl(direct, {})).toEqual({ url: 'postgres://genprobe:s3cret-pw@db:5432/genprobe', from: 'coordination.databaseUrl' });
    const byEnv = parseConfig({ coordination: {} }).coordination!;
    expect(byEnv.databaseUrlEnv).toBe('GENPROBE_COORDINATION_URL');
    expect(coordinationUrl(byEnv, { GENPROBE_COORDINATION_URL: 'postgresql://x@h/db' }).url).toBe('postgresql://x@h/db');
    expect(coordinationUrl(parseConfig({ coordination: { databaseUrlEnv: 'PG_URL' } }).coordination!, {})).toEqual({ url: undefined, from: 'the environment variable PG_URL (coordination.databaseUrlEnv)' });
    expect(() => parseConfig({ coordination: { databaseUrl: 'postgres://h/db', databaseUrlEnv: 'PG_URL' } })).toThrow(/coordination\.databaseUrl: give coordination\.databaseUrl or coordination\.databaseUrlEnv, not both/);
    let msg = '';
    try {
      parseConfig({ coordination: { databaseUrl: 'mysql://root:hunter2-secret@h/db' } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('coordination.databaseUrl: must be a postgres:// or postgresql:// URL');
    expect(msg).not.toContain('hunter2-secret');
  });
});

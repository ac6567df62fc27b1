/**
 * Endpoint state with hysteresis, maintenance windows over the HTTP API and the CLI, the prober's
 * self-check and the heartbeat — the real probe service against the real emulator, over HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import { maintenanceCommand } from '../../src/cli/maintenance.ts';
import { parseConfig, type GenprobeConfigInput } from '../../src/config/index.ts';
import { createProbeService } from '../../src/probes/service.ts';
import { createServer, listen } from '../../src/server/app.ts';
import { registerMaintenanceApi } from '../../src/server/maintenance-api.ts';
import { EMULATOR_TIME_SCALE, freePort, getText, sample, startEmulator, waitFor } from './helpers.ts';

/** The fleet's two known defects, waived whatever the shipped waivers file looks like today. */
const WAIVERS = ['declared-type', 'cost-headers'].map((check) => ({ endpoint: '*', check, reason: 'known fleet defect, accepted in these tests', expires: '2099-12-31' }));

let emu: Awaited<ReturnType<typeof startEmulator>>;
const closers: (() => Promise<void>)[] = [];

async function start(targetUrl: string, input: Omit<GenprobeConfigInput, 'target'> = {}) {
  const config = parseConfig({ ...input, target: { url: `${targetUrl}/{app}`, timeScale: EMULATOR_TIME_SCALE, overheadMs: 1500 }, server: { host: '127.0.0.1', port: 0 } });
  const logs: Record<string, unknown>[] = [];
  const service = await createProbeService({ config, log: (l) => void logs.push(l), waivers: WAIVERS, env: {}, defaultMetrics: false });
  const app = await createServer({ config, registry: service.metrics.registry, statusSource: service.status, env: {}, extraRoutes: (a) => registerMaintenanceApi(a, service.maintenance) });
  const http = await listen(app, '127.0.0.1', 0);
  closers.push(async () => {
    await service.stop(true);
    await http.close();
  });
  const metrics = async () => (await getText(`${http.url}/metrics`)).text;
  const stateOf = async (endpoint: string) => {
    const text = await metrics();
    return ['up', 'degraded', 'pending', 'down', 'maintenance'].filter((s) => sample(text, 'genprobe_endpoint_state', { endpoint, state: s }) === 1);
  };
  return { service, url: http.url, logs, metrics, stateOf };
}

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  for (const c of closers) await c();
  await emu?.close();
});
beforeEach(async () => {
  await emu.control('/reset', {});
});

const flux = getEndpoint('flux');
const failNext = (times: number) => emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'app-5xx', times });

describe('endpoint state', () => {
  it('one failed probe is pending, three in a row are down, and it takes two passes to be up again', async () => {
    const s = await start(emu.url);
    const states: string[] = [];
    const probe = async () => {
      await s.service.runner.probe(flux, 'smoke');
      states.push(...(await s.stateOf('flux')));
    };
    await probe();
    await failNext(1);
    await probe();
    await probe();
    await failNext(3);
    for (let i = 0; i < 3; i++) await probe();
    await probe();
    await probe();
    expect(states).toEqual(['up', 'pending', 'up', 'pending', 'pending', 'down', 'down', 'up']);
    const text = await s.metrics();
    expect(sample(text, 'genprobe_endpoint_pass_ratio', { endpoint: 'flux' })).toBeCloseTo(4 / 8, 6);
    const api = JSON.parse((await getText(`${s.url}/api/status`)).text);
    expect(api.endpoints.find((e: { endpoint: string }) => e.endpoint === 'flux').state).toMatchObject({ state: 'up', thresholds: { failuresToDown: 3, passesToUp: 2 } });
  });

  it('per-endpoint thresholds from config override the defaults', async () => {
    const s = await start(emu.url, { endpoints: { flux: { state: { failuresToDown: 1 } } } });
    await failNext(1);
    await s.service.runner.probe(flux, 'smoke');
    expect(await s.stateOf('flux')).toEqual(['down']);
  });
});

describe('maintenance over the HTTP API', () => {
  it('`genprobe maintenance start` silences failures as maintenance, `end` brings them back', async () => {
    const s = await start(emu.url);
    expect(await maintenanceCommand(['start', '--app', 'ryla-flux', '--for', '20m', '--reason', 'deploy', '--server', s.url], {})).toBe(0);
    const listed = JSON.parse((await getText(`${s.url}/api/maintenance`)).text);
    expect(listed.windows).toEqual([expect.objectContaining({ source: 'api', apps: ['ryla-flux'], reason: 'deploy' })]);
    await failNext(4);
    for (let i = 0; i < 3; i++) {
      const o = await s.service.runner.probe(flux, 'smoke');
      expect(o.maintenance?.reason).toBe('ryla-flux: deploy');
    }
    expect(await s.stateOf('flux')).toEqual(['maintenance']);
    expect(sample(await s.metrics(), 'genprobe_probes_total', { endpoint: 'flux', kind: 'smoke', result: 'maintenance' })).toBe(3);
    expect(await maintenanceCommand(['end', '--app', 'ryla-flux', '--server', s.url], {})).toBe(0);
    await s.service.runner.probe(flux, 'smoke');
    expect(await s.stateOf('flux')).toEqual(['pending']);
  });

  it('refuses a bad request with a reason, and a non-JSON body', async () => {
    const s = await start(emu.url);
    const post = (body: string, type = 'application/json') => fetch(`${s.url}/api/maintenance`, { method: 'POST', headers: { 'content-type': type }, body });
    const bad = await post(JSON.stringify({ apps: ['ryla-nope'], for: '20m', reason: 'x' }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/apps\.0: is not an app of the catalog/);
    expect((await post(JSON.stringify({ for: '13h', reason: 'too long' }))).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
    expect((await post('apps=ryla-flux', 'application/x-www-form-urlencoded')).status).toBe(415);
    await expect(maintenanceCommand(['start', '--app', 'ryla-flux', '--for', 'soon', '--reason', 'deploy', '--server', s.url], {})).rejects.toThrow(/--for needs a duration/);
    await expect(maintenanceCommand(['start', '--app', 'ryla-nope', '--for', '5m', '--reason', 'deploy', '--server', s.url], {})).rejects.toThrow(/HTTP 400.*not an app/);
  });
});

describe('self-check', () => {
  it('emulator stopped: no endpoint is reported down, the probes are prober-offline', async () => {
    const own = await startEmulator();
    const s = await start(own.url);
    await s.service.runner.probe(flux, 'smoke');
    expect(await s.stateOf('flux')).toEqual(['up']);
    await own.close();
    for (let i = 0; i < 4; i++) {
      const o = await s.service.runner.probe(flux, 'smoke');
      expect(o.result).toBe('skipped');
      expect(o.skip?.reason).toBe('prober-offline');
    }
    const health = await s.service.runner.probe(getEndpoint('qwen-image-2512'), 'health');
    expect(health.skip?.reason).toBe('prober-offline');
    const text = await s.metrics();
    expect(await s.stateOf('flux')).toEqual(['up']);
    expect(sample(text, 'genprobe_endpoint_state', { state: 'down' }) ?? 0).toBe(0);
    expect(sample(text, 'genprobe_probes_total', { endpoint: 'flux', kind: 'smoke', result: 'fail' })).toBe(0);
    expect(sample(text, 'genprobe_probes_skipped_total', { endpoint: 'flux', reason: 'prober-offline' })).toBe(4);
    expect(sample(text, 'genprobe_prober_online')).toBe(0);
  });

  it('target unreachable: nothing is reported down or even pending', async () => {
    const s = await start(`http://127.0.0.1:${await freePort()}`);
    const outcomes = await Promise.all(['flux', 'qwen-image-2512', 'seedvr2'].map((id) => s.service.runner.probe(getEndpoint(id), 'smoke')));
    expect(outcomes.map((o) => o.skip?.reason)).toEqual(['prober-offline', 'prober-offline', 'prober-offline']);
    const text = await s.metrics();
    expect(text).not.toMatch(/genprobe_endpoint_state\{[^}]*\} 1/);
  });

  it('when a canary answers, an unreachable endpoint is the endpoint\'s failure', async () => {
    const canary = await start(emu.url);
    const s = await start(`http://127.0.0.1:${await freePort()}`, { probes: { canaries: [`${canary.url}/healthz`] } });
    const o = await s.service.runner.probe(flux, 'smoke');
    expect(o.result).toBe('fail');
    expect(await s.stateOf('flux')).toEqual(['pending']);
    expect(sample(await s.metrics(), 'genprobe_prober_online')).toBe(1);
  });
});

describe('heartbeat', () => {
  it('every finished cycle sets genprobe_last_cycle_timestamp_seconds of its schedule, next to the cron interval', async () => {
    const s = await start(emu.url, { probes: { schedules: [{ match: 'flux', cron: '* * * * * *', kind: 'health' }, { match: 'flux', cron: '*/15 * * * *', kind: 'smoke' }] } });
    const before = await s.metrics();
    const declared = sample(before, 'genprobe_last_cycle_timestamp_seconds', { schedule: '0', kind: 'health' })!;
    expect(Math.abs(declared - Date.now() / 1000)).toBeLessThan(30);
    expect(sample(before, 'genprobe_cycle_interval_seconds', { schedule: '0', kind: 'health' })).toBe(1);
    expect(sample(before, 'genprobe_cycle_interval_seconds', { schedule: '1', kind: 'smoke' })).toBe(900);
    const t0 = Date.now() / 1000;
    s.service.start();
    const beat = await waitFor('a heartbeat', async () => {
      const v = sample(await s.metrics(), 'genprobe_last_cycle_timestamp_seconds', { schedule: '0', kind: 'health' }) ?? 0;
      return v > declared && v;
    }, 20_000);
    expect(beat).toBeGreaterThanOrEqual(t0 - 1);
    await s.service.stop(true);
  });
});

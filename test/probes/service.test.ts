/**
 * The real probe service (runner, warmer, budget, scheduler, metrics, HTTP server) against the real
 * emulator at time scale 0.01, observed the way Prometheus and Grafana observe it: over HTTP.
 */
import { spawnSync } from 'node:child_process';
import cron from 'node-cron';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import { getText, sample, startEmulator, startService, waitFor, type RunningService } from './helpers.ts';

let emu: Awaited<ReturnType<typeof startEmulator>>;
const services: RunningService[] = [];

async function service(input: Parameters<typeof startService>[1] = {}, env: NodeJS.ProcessEnv = {}) {
  const s = await startService(emu.url, input, env);
  services.push(s);
  return s;
}

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await emu?.close();
});
beforeEach(async () => {
  // Every test starts from a cold fleet with no fault rules and no call records.
  await emu.control('/reset', {});
});

const flux = getEndpoint('flux');

describe('schedules', () => {
  it('fire from config (6-field cron), show up in /metrics over HTTP, and stop() removes every task', async () => {
    const before = cron.getTasks().size;
    const s = await service({ probes: { schedules: [{ match: 'flux', cron: '* * * * * *', kind: 'health' }] } });
    s.service.start();
    expect(cron.getTasks().size).toBe(before + 1);
    const text = await waitFor(
      'two scheduled health probes of flux',
      async () => {
        const { text } = await getText(`${s.url}/metrics`);
        return (sample(text, 'genprobe_probes_total', { endpoint: 'flux', kind: 'health', result: 'pass' }) ?? 0) >= 2 && text;
      },
      20_000,
    );
    expect(sample(text, 'genprobe_probe_success', { endpoint: 'flux', kind: 'health' })).toBe(1);
    expect(sample(text, 'genprobe_warmup_duration_seconds_count', { app: 'ryla-flux', start: 'cold' })).toBe(1);
    await s.service.stop(true);
    expect(cron.getTasks().size).toBe(before);
    const healthCalls = (await emu.control('/state')).calls.filter((c: { path: string }) => c.path === '/health').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await emu.control('/state')).calls.filter((c: { path: string }) => c.path === '/health').length).toBe(healthCalls);
  });
});

describe('warm-up', () => {
  it('precedes a smoke probe and includes the delegated app (wan2.6-i2v-faceswap warms ryla-qwen-image)', async () => {
    const s = await service();
    const outcome = await s.service.runner.probe(getEndpoint('wan2.6-i2v-faceswap'), 'smoke');
    expect(outcome.warmUps.map((w) => w.app).sort()).toEqual(['ryla-qwen-image', 'ryla-wan26']);
    const calls: { app: string; path: string; method: string; startedAt: string; coldStart: boolean }[] = (await emu.control('/state')).calls;
    const generation = calls.find((c) => c.path === '/wan2.6-i2v-faceswap' && c.method === 'POST');
    expect(generation).toBeDefined();
    for (const app of ['ryla-wan26', 'ryla-qwen-image']) {
      const health = calls.find((c) => c.app === app && c.path === '/health');
      expect(health, `GET /health on ${app}`).toBeDefined();
      expect(health!.coldStart).toBe(true);
      expect(Date.parse(health!.startedAt)).toBeLessThanOrEqual(Date.parse(generation!.startedAt));
    }
    // The warm-up paid the container start, so the generation call itself found a warm container.
    expect(generation!.coldStart).toBe(false);
    expect(outcome.start).toBe('warm');
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_warmup_duration_seconds_count', { app: 'ryla-qwen-image', start: 'cold' })).toBe(1);
    expect(sample(text, 'genprobe_gpu_cost_usd_total', { endpoint: 'wan2.6-i2v-faceswap', app: 'ryla-qwen-image', gpu: 'L40S' })).toBeGreaterThan(0);
  });
});

describe('probe kinds', () => {
  it('health only warms; smoke sends the happy path once; full adds the negative cases', async () => {
    const s = await service();
    const posts = async () => (await emu.control('/state')).calls.filter((c: { path: string; method: string }) => c.path === '/flux' && c.method === 'POST').length;
    const health = await s.service.runner.probe(flux, 'health');
    expect(health).toMatchObject({ result: 'pass', start: 'cold', latencyVerdict: 'ok' });
    expect(await posts()).toBe(0);
    await s.service.runner.probe(flux, 'smoke');
    expect(await posts()).toBe(1);
    const full = await s.service.runner.probe(flux, 'full');
    expect(full.result).toBe('pass');
    expect(await posts()).toBe(2 + flux.errors.length);
    expect(flux.errors.length).toBeGreaterThan(0);
  });
});

describe('cold/warm classification', () => {
  it('labels a call after scale-down cold, agreeing with the emulator, and the next one warm', async () => {
    const s = await service({ probes: { warmUp: false } });
    const first = await s.service.runner.probe(flux, 'smoke');
    const second = await s.service.runner.probe(flux, 'smoke');
    await emu.control('/scale-down', { app: 'ryla-flux' });
    const third = await s.service.runner.probe(flux, 'smoke');
    const truth = (await emu.control('/state')).calls.filter((c: { path: string }) => c.path === '/flux').map((c: { coldStart: boolean }) => (c.coldStart ? 'cold' : 'warm'));
    expect(truth).toEqual(['cold', 'warm', 'cold']);
    expect([first.start, second.start, third.start]).toEqual(truth);
    expect(third.startReason).toMatch(/over its warm baseline/);
    expect(third.warmUps).toEqual([]);
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_request_duration_seconds_count', { endpoint: 'flux', start: 'cold' })).toBe(2);
    expect(sample(text, 'genprobe_request_duration_seconds_count', { endpoint: 'flux', start: 'warm' })).toBe(1);
    const status = JSON.parse((await getText(`${s.url}/api/status`)).text);
    const row = status.endpoints.find((e: { endpoint: string }) => e.endpoint === 'flux');
    expect(row.lastProbe.start).toBe('cold');
    expect(row.lastProbe.startReason).toMatch(/container start/);
  });

  it('labels the warm-up cold after scale-down while the call it protects is warm', async () => {
    const s = await service();
    await s.service.runner.probe(flux, 'smoke');
    await emu.control('/scale-down', { app: 'ryla-flux' });
    const o = await s.service.runner.probe(flux, 'smoke');
    expect(o.warmUps[0]).toMatchObject({ app: 'ryla-flux', ok: true, start: 'cold' });
    expect(o.start).toBe('warm');
    expect(o.startReason).toMatch(/warmed by GET \/health first \(cold/);
  });
});

describe('latency verdict', () => {
  it('is degraded when a call is slower than the catalog budget but under the hard limit', async () => {
    // genprobe believes the fleet runs 10× faster than the emulator does: every call is over budget.
    const s = await service({ target: { url: `${emu.url}/{app}`, timeScale: 0.001, overheadMs: 0 }, endpoints: { flux: { deadlineSec: 5000 } } });
    const o = await s.service.runner.probe(flux, 'smoke');
    expect(o.result).toBe('warn');
    expect(o.latencyVerdict).toBe('degraded');
    expect(o.failedChecks).toEqual([]);
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_probe_verdict', { endpoint: 'flux', verdict: 'degraded' })).toBe(1);
    expect(sample(text, 'genprobe_probe_verdict', { endpoint: 'flux', verdict: 'ok' })).toBe(0);
    expect(sample(text, 'genprobe_probe_success', { endpoint: 'flux', kind: 'smoke' })).toBe(1);
    expect(sample(text, 'genprobe_probes_total', { endpoint: 'flux', kind: 'smoke', result: 'warn' })).toBe(1);
  });
});

describe('GPU budget', () => {
  it('skips a probe the budget cannot afford, counts and logs the skip, and keeps serving', async () => {
    const s = await service({ probes: { budget: { dailyUsd: 0.001, monthlyUsd: 10 } } });
    const o = await s.service.runner.probe(flux, 'smoke');
    expect(o.result).toBe('skipped');
    expect(o.skip?.reason).toBe('budget');
    expect((await emu.control('/state')).calls).toEqual([]);
    const line = s.logs.find((l) => l.event === 'probe-skipped');
    expect(line).toMatchObject({ endpoint: 'flux', reason: 'budget', period: 'daily', limitUsd: 0.001 });
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_probes_skipped_total', { endpoint: 'flux', reason: 'budget' })).toBe(1);
    expect(sample(text, 'genprobe_budget_limit_usd', { period: 'daily' })).toBe(0.001);
    expect((await getText(`${s.url}/healthz`)).status).toBe(200);
  });

  it('charges every call of a probe (warm-up included) to the budget and the cost counter', async () => {
    const s = await service();
    const o = await s.service.runner.probe(flux, 'smoke');
    expect(o.costUsd).toBeGreaterThan(0);
    expect(s.service.budget.spent('daily')).toBeCloseTo(o.costUsd, 9);
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_gpu_cost_usd_total', { endpoint: 'flux', app: 'ryla-flux', gpu: 'L40S' })).toBeCloseTo(o.costUsd, 6);
    expect(sample(text, 'genprobe_budget_remaining_usd', { period: 'daily' })).toBeCloseTo(5 - o.costUsd, 6);
  });
});

describe('skips', () => {
  it('disabled endpoints skip without calling the fleet, counted by reason', async () => {
    const s = await service({ endpoints: { 'flux-dev': { skip: 'retired for this test' } } });
    const dev = await s.service.runner.probe(getEndpoint('flux-dev'), 'full');
    expect(dev.skip).toEqual({ reason: 'disabled', detail: 'retired for this test' });
    expect((await emu.control('/state')).calls).toEqual([]);
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_probes_skipped_total', { endpoint: 'flux-dev', reason: 'disabled' })).toBe(1);
  });
});

describe('maintenance', () => {
  it('probes in a window still run and are recorded, but count as maintenance (a delegated app\'s window included)', async () => {
    const now = Date.now();
    const s = await service({
      maintenance: [{ start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), apps: ['ryla-qwen-image'], reason: 'deploy' }],
    });
    await emu.control('/faults', { match: { app: 'ryla-wan26', path: '/wan2.6-i2v-faceswap' }, fault: 'app-5xx', times: 5 });
    const wan = getEndpoint('wan2.6-i2v-faceswap');
    for (let i = 0; i < 4; i++) {
      const o = await s.service.runner.probe(wan, 'smoke');
      expect(o.skip).toBeUndefined();
      expect(o.maintenance?.reason).toBe('ryla-qwen-image: deploy');
    }
    expect((await emu.control('/state')).calls.some((c: { path: string }) => c.path === '/wan2.6-i2v-faceswap')).toBe(true);
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_probes_total', { endpoint: wan.id, kind: 'smoke', result: 'maintenance' })).toBe(4);
    expect(sample(text, 'genprobe_probes_total', { endpoint: wan.id, kind: 'smoke', result: 'fail' })).toBe(0);
    expect(sample(text, 'genprobe_endpoint_state', { endpoint: wan.id, state: 'maintenance' })).toBe(1);
    expect(sample(text, 'genprobe_endpoint_state', { endpoint: wan.id, state: 'down' })).toBe(0);
    const status = JSON.parse((await getText(`${s.url}/api/status`)).text);
    const ep = status.endpoints.find((e: { endpoint: string }) => e.endpoint === wan.id);
    expect(ep.state).toMatchObject({ state: 'maintenance', maintenance: { reason: 'ryla-qwen-image: deploy' } });
    expect(ep.lastProbe.maintenance.reason).toBe('ryla-qwen-image: deploy');
  });
});

describe('faults', () => {
  it('a wrong-size output is a failed probe counted under check="image-size"', async () => {
    const s = await service();
    await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'wrong-dims', times: 1 });
    const o = await s.service.runner.probe(flux, 'smoke');
    expect(o.result).toBe('fail');
    expect(o.latencyVerdict).toBe('failed');
    expect(o.failedChecks.map((c) => c.check)).toContain('image-size');
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_check_failures_total', { endpoint: 'flux', check: 'image-size' })).toBe(1);
    expect(sample(text, 'genprobe_check_failures_total', { endpoint: 'flux', check: 'status' })).toBe(0);
    expect(sample(text, 'genprobe_probe_success', { endpoint: 'flux', kind: 'smoke' })).toBe(0);
    expect(sample(text, 'genprobe_probe_verdict', { endpoint: 'flux', verdict: 'failed' })).toBe(1);
    expect(sample(text, 'genprobe_last_success_timestamp_seconds', { endpoint: 'flux' })).toBe(0);
  });

  it('an app 500 is a failed probe counted under check="status"', async () => {
    const s = await service();
    await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'app-5xx', times: 1 });
    const o = await s.service.runner.probe(flux, 'smoke');
    expect(o.result).toBe('fail');
    expect(o.failedChecks.map((c) => c.check)).toContain('status');
    const { text } = await getText(`${s.url}/metrics`);
    expect(sample(text, 'genprobe_check_failures_total', { endpoint: 'flux', check: 'status' })).toBe(1);
  });

  it('the service keeps serving while endpoints time out or return garbage', async () => {
    const s = await service({ endpoints: { flux: { deadlineSec: 150 } } });
    await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'slow' });
    await emu.control('/faults', { match: { app: 'ryla-z-image', path: '/z-image-simple' }, fault: 'truncated' });
    await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux-dev' }, fault: 'invalid-gzip' });
    const probes = Promise.all([
      s.service.runner.probe(flux, 'smoke'),
      s.service.runner.probe(getEndpoint('z-image-simple'), 'smoke'),
      s.service.runner.probe(getEndpoint('flux-dev'), 'smoke'),
    ]);
    // While the probes hang or choke, the HTTP side answers.
    expect((await getText(`${s.url}/healthz`)).status).toBe(200);
    expect((await getText(`${s.url}/metrics`)).status).toBe(200);
    // A second probe of a busy endpoint is skipped, not queued.
    const busy = await s.service.runner.probe(flux, 'smoke');
    expect(busy.skip?.reason).toBe('busy');
    const outcomes = await probes;
    for (const o of outcomes) expect(o.result, o.endpoint).toBe('fail');
    expect(outcomes[0].failedChecks.map((c) => c.check)).toEqual(['transport']);
    expect(outcomes[0].error).toMatch(/timeout/);
    const { status, text } = await getText(`${s.url}/metrics`);
    expect(status).toBe(200);
    expect(sample(text, 'genprobe_check_failures_total', { endpoint: 'flux', check: 'transport' })).toBe(1);
    expect(sample(text, 'genprobe_probes_skipped_total', { endpoint: 'flux', reason: 'busy' })).toBe(1);
    const api = await getText(`${s.url}/api/status`);
    expect(api.status).toBe(200);
    const rows = JSON.parse(api.text).endpoints as { endpoint: string; lastProbe: { error: string | null } | null }[];
    for (const id of ['flux', 'z-image-simple', 'flux-dev']) {
      const err = rows.find((r) => r.endpoint === id)?.lastProbe?.error;
      expect(err, id).toBeTruthy();
      expect(err!.length).toBeLessThanOrEqual(300);
      expect(err).not.toMatch(/[\u0000-\u001f]/);
    }
  });
});

describe('HTTP surface', () => {
  it('/api/status reports per endpoint: probe, verdicts, latency, start, cost, budget', async () => {
    const s = await service();
    await s.service.runner.probe(flux, 'smoke');
    const { status, text, headers } = await getText(`${s.url}/api/status`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/application\/json/);
    const body = JSON.parse(text);
    expect(body.budget.map((b: { period: string }) => b.period)).toEqual(['daily', 'monthly']);
    expect(body.usage).toBeNull();
    const row = body.endpoints.find((e: { endpoint: string }) => e.endpoint === 'flux');
    expect(row.lastProbe).toMatchObject({ kind: 'smoke', result: 'pass', latencyVerdict: 'ok', start: 'warm', faceMatchPct: null, error: null });
    expect(row.lastProbe.latencyMs).toBeGreaterThan(0);
    expect(row.lastProbe.costUsd).toBeGreaterThan(0);
    expect(row.lastProbe.warmUps[0]).toMatchObject({ app: 'ryla-flux', ok: true });
    expect(row.lastOutput.sniffedType).toBe('png');
    expect(row.history).toHaveLength(1);
    expect(s.service.status.endpoint('flux')?.lastOutput?.body.subarray(1, 4).toString()).toBe('PNG');
  });

  it('bearer auth guards everything but /healthz, answering 401 with a challenge', async () => {
    const env = { GP_TEST_TOKEN: 's3cret-token' };
    const s = await service({ server: { auth: { bearerTokenEnv: 'GP_TEST_TOKEN' } } }, env);
    expect((await getText(`${s.url}/healthz`)).status).toBe(200);
    for (const path of ['/metrics', '/api/status']) {
      const denied = await getText(`${s.url}${path}`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
      expect((await getText(`${s.url}${path}`, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await getText(`${s.url}${path}`, { authorization: 'Bearer s3cret-token' })).status).toBe(200);
    }
  });

  it('basic auth takes user and password from the named env vars', async () => {
    const env = { GP_USER: 'grafana', GP_PASS: 'p:ss' };
    const s = await service({ server: { auth: { basicUserEnv: 'GP_USER', basicPasswordEnv: 'GP_PASS' } } }, env);
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    const denied = await getText(`${s.url}/metrics`, basic('grafana', 'nope'));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await getText(`${s.url}/metrics`, basic('grafana', 'p:ss'))).status).toBe(200);
  });

  it('/metrics merges default Node metrics; the project registry alone passes `promtool check metrics`', async () => {
    const s = await service();
    await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'wrong-dims', times: 1 });
    await s.service.runner.probe(flux, 'smoke');
    await s.service.runner.probe(flux, 'health');
    const { text } = await getText(`${s.url}/metrics`);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(sample(text, 'genprobe_build_info', { version: '0.1.0' })).toBe(1);
    const own = await s.service.metrics.registry.metrics();
    expect(own).not.toMatch(/^process_/m);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: own, encoding: 'utf8' });
    expect(r.error, 'promtool must be installed (npm run setup)').toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Series exist before anything happened (absent ≠ 0) for endpoints never probed.
    expect(sample(own, 'genprobe_probes_skipped_total', { endpoint: 'seedvr2', reason: 'budget' })).toBe(0);
    expect(sample(own, 'genprobe_last_probe_timestamp_seconds', { endpoint: 'seedvr2' })).toBe(0);
    expect(sample(own, 'genprobe_probe_success', { endpoint: 'seedvr2' })).toBeUndefined();
    // No ids or URLs in labels.
    expect(own).not.toMatch(/127\.0\.0\.1|http:\/\//);
  });
});

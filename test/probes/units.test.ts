/**
 * The pure parts of the probe service: cold/warm classification, the GPU budget (periods, state
 * file, cost of a call), schedule matching, probe cost estimates and the auth comparison.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPS, CATALOG, GPU_PRICE_USD_PER_SEC, getEndpoint } from '../../src/catalog/index.ts';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { Budget, BudgetStateError } from '../../src/probes/budget.ts';
import { callCostUsd } from '../../src/runner/cost.ts';
import { classifyCall, classifyWarmUp, WarmBaseline } from '../../src/probes/cold-start.ts';
import { estimateProbeCostUsd } from '../../src/probes/probe-runner.ts';
import { matchEndpoints, resolveSchedules, Scheduler } from '../../src/probes/scheduler.ts';
import { shortMessage } from '../../src/probes/status.ts';
import { isAuthorized, resolveAuth } from '../../src/server/auth.ts';
import { parseGrouping } from '../../src/cli/probe.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('classifyWarmUp', () => {
  const base = { coldStartMs: 600, scaledownWindowMs: 3000 };
  it('is cold when /health took at least half the documented container start', () => {
    expect(classifyWarmUp({ ...base, durationMs: 650, idleMs: null }).start).toBe('cold');
    expect(classifyWarmUp({ ...base, durationMs: 300, idleMs: 100 }).start).toBe('cold');
  });
  it('is warm when /health answered fast, even after the idle window (other traffic kept it up)', () => {
    const c = classifyWarmUp({ ...base, durationMs: 20, idleMs: 10_000 });
    expect(c.start).toBe('warm');
    expect(c.reason).toMatch(/past its scaledown window/);
  });
});

describe('classifyCall', () => {
  const base = { fallbackBaselineMs: 400, coldStartMs: 600, scaledownWindowMs: 3000 };
  it('calls cold a call that exceeds its warm baseline by half a container start', () => {
    const c = classifyCall({ ...base, callMs: 1000, warmBaselineMs: 300, idleMs: 100 });
    expect(c.start).toBe('cold');
    expect(c.reason).toMatch(/0\.70 s over its warm baseline/);
  });
  it('needs less excess when genprobe has not used the app within the scaledown window', () => {
    const input = { ...base, callMs: 500, warmBaselineMs: 300 };
    expect(classifyCall({ ...input, idleMs: 100 }).start).toBe('warm'); // 200 ms < 300 ms
    expect(classifyCall({ ...input, idleMs: 5000 }).start).toBe('cold'); // 200 ms ≥ 150 ms
    expect(classifyCall({ ...input, idleMs: null }).start).toBe('cold');
  });
  it('trusts a successful warm-up unless the call itself shows a container start', () => {
    const warmUp = { durationMs: 650, start: 'cold' as const };
    const warm = classifyCall({ ...base, callMs: 350, warmBaselineMs: 300, idleMs: null, warmUp });
    expect(warm.start).toBe('warm');
    expect(warm.reason).toMatch(/warmed by GET \/health first \(cold, 0\.65 s\)/);
    expect(classifyCall({ ...base, callMs: 1000, warmBaselineMs: 300, idleMs: null, warmUp }).start).toBe('cold');
  });
  it('falls back to the catalog warm budget without history', () => {
    const c = classifyCall({ ...base, callMs: 450, warmBaselineMs: null, idleMs: 100 });
    expect(c.start).toBe('warm');
    expect(c.reason).toMatch(/catalog warm budget 0\.40 s/);
  });
  it('WarmBaseline is a bounded rolling median', () => {
    const b = new WarmBaseline(3);
    expect(b.median('x')).toBeNull();
    for (const ms of [100, 300, 200]) b.add('x', ms);
    expect(b.median('x')).toBe(200);
    b.add('x', 1000); // drops 100
    expect(b.median('x')).toBe(300);
    b.add('y', 5);
    expect(b.median('y')).toBe(5);
  });
});

describe('Budget', () => {
  it('charges real-scale wall seconds × price; X-Cost-USD is only cross-checked (src/runner/cost.test.ts)', () => {
    expect(callCostUsd({ headers: { 'x-cost-usd': '0.006825' }, totalMs: 99_000 }, 'L40S', 1)).toBeCloseTo(99 * 0.000542, 12);
    expect(callCostUsd({ headers: {}, totalMs: 10_000 }, 'L40S', 1)).toBeCloseTo(10 * 0.000542, 12);
    // 0.29 s at time scale 0.01 stands for 29 s of an A100-80GB.
    expect(callCostUsd({ headers: { 'x-cost-usd': 'n/a' }, totalMs: 290 }, 'A100-80GB', 0.01)).toBeCloseTo(29 * 0.000694, 12);
  });

  it('refuses a probe that would take either period over its limit, and rolls over at UTC boundaries', () => {
    let now = Date.parse('2026-03-31T23:59:00Z');
    const b = new Budget({ dailyUsd: 1, monthlyUsd: 1.5, now: () => now });
    expect(b.canAfford(0.9)).toEqual({ ok: true });
    b.charge(0.9);
    expect(b.canAfford(0.2)).toMatchObject({ ok: false, period: 'daily', limitUsd: 1 });
    now = Date.parse('2026-03-31T23:59:59Z');
    expect(b.remaining('daily')).toBeCloseTo(0.1, 12);
    now = Date.parse('2026-04-01T00:00:01Z'); // new day and new month
    expect(b.spent('daily')).toBe(0);
    expect(b.spent('monthly')).toBe(0);
    b.charge(0.8);
    now = Date.parse('2026-04-02T08:00:00Z');
    b.charge(0.6);
    expect(b.canAfford(0.2)).toMatchObject({ ok: false, period: 'monthly', limitUsd: 1.5 });
    expect(b.snapshot().map((s) => [s.period, s.key])).toEqual([
      ['daily', '2026-04-02'],
      ['monthly', '2026-04'],
    ]);
  });

  it('keeps its spend in a state file across restarts, and rejects a corrupt one by name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'genprobe-budget-'));
    dirs.push(dir);
    const file = path.join(dir, 'state', 'budget.json');
    const now = () => Date.parse('2026-05-10T12:00:00Z');
    new Budget({ dailyUsd: 5, monthlyUsd: 50, stateFile: file, now }).charge(1.25);
    const again = new Budget({ dailyUsd: 5, monthlyUsd: 50, stateFile: file, now });
    expect(again.spent('daily')).toBe(1.25);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, daily: { key: '2026-05-10' } });
    await writeFile(file, '{"version":1,"daily":{"key":"yesterday","spentUsd":1}}');
    expect(() => new Budget({ dailyUsd: 5, monthlyUsd: 50, stateFile: file, now })).toThrow(BudgetStateError);
    expect(() => new Budget({ dailyUsd: -1, monthlyUsd: 50 })).toThrow(/dailyUsd/);
  });

  it('estimates a probe from the documented cost plus a container start for idle apps', () => {
    const flux = getEndpoint('flux');
    const price = (app: keyof typeof APPS) => GPU_PRICE_USD_PER_SEC[APPS[app].gpu];
    const doc = flux.documentedCostUsd!;
    expect(estimateProbeCostUsd(flux, 'smoke', false, () => 0, price)).toBeCloseTo(doc, 12);
    expect(estimateProbeCostUsd(flux, 'smoke', true, () => null, price)).toBeCloseTo(doc + 60 * 0.000542, 12);
    expect(estimateProbeCostUsd(flux, 'health', false, () => 10_000, price)).toBe(0);
    const wan = getEndpoint('wan2.6-i2v-faceswap');
    // Both the wan26 app and the delegated qwen app are cold: two container starts.
    expect(estimateProbeCostUsd(wan, 'health', true, () => null, price)).toBeCloseTo(120 * 0.000542, 12);
  });
});

describe('schedules', () => {
  it('match an id, a tag, or every live endpoint', () => {
    expect(matchEndpoints('flux').map((e) => e.id)).toEqual(['flux']);
    expect(matchEndpoints('tag:cheap').every((e) => e.tags.includes('cheap'))).toBe(true);
    const all = matchEndpoints('*');
    expect(all.length).toBe(CATALOG.filter((e) => e.lifecycle === 'live').length);
    expect(all.some((e) => e.id === 'sdxl-turbo')).toBe(false);
  });

  it('a bad schedule is a ConfigError naming its field', () => {
    expect(() => resolveSchedules([{ match: 'no-such-endpoint', cron: '* * * * *', kind: 'smoke' }])).toThrow(/probes\.schedules\.0\.match: no endpoint has id/);
    expect(() => resolveSchedules([{ match: 'flux', cron: '* * * * *', kind: 'smoke' }, { match: 'tag:nope', cron: '* * * * *', kind: 'health' }])).toThrow(/probes\.schedules\.1\.match/);
    expect(() => parseConfig({ probes: { schedules: [{ match: 'flux', cron: 'every minute', kind: 'smoke' }] } })).toThrow(/probes\.schedules\.0\.cron/);
    expect(() => new Scheduler({ schedules: [], timezone: 'Mars/Olympus', probe: async () => { throw new Error('unused'); } })).toThrow(ConfigError);
  });
});

describe('auth and messages', () => {
  it('reads secrets from the named env vars and compares them exactly', () => {
    expect(() => resolveAuth({ bearerTokenEnv: 'NOT_SET_ANYWHERE' }, {})).toThrow(/server\.auth\.bearerTokenEnv: environment variable NOT_SET_ANYWHERE is not set/);
    const bearer = resolveAuth({ bearerTokenEnv: 'T' }, { T: 'abc' })!;
    expect(isAuthorized('Bearer abc', bearer)).toBe(true);
    expect(isAuthorized('bearer abc', bearer)).toBe(true);
    expect(isAuthorized('Bearer abcd', bearer)).toBe(false);
    expect(isAuthorized(undefined, bearer)).toBe(false);
    const basic = resolveAuth({ basicUserEnv: 'U', basicPasswordEnv: 'P' }, { U: 'u', P: 'p:w' })!;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(isAuthorized(`Basic ${b64('u:p:w')}`, basic)).toBe(true);
    expect(isAuthorized(`Basic ${b64('u:p')}`, basic)).toBe(false);
    expect(isAuthorized(`Bearer ${b64('u:p:w')}`, basic)).toBe(false);
  });

  it('error messages are one bounded line', () => {
    const m = shortMessage(`line1\nline2\u0000${'x'.repeat(500)}`);
    expect(m).not.toMatch(/[\n\u0000]/);
    expect(m.length).toBe(300);
  });

  it('Pushgateway grouping keys follow label rules', () => {
    expect(parseGrouping('env=prod, region=eu')).toEqual({ env: 'prod', region: 'eu' });
    expect(() => parseGrouping('9x=1')).toThrow(/not a valid label name/);
    expect(() => parseGrouping('env')).toThrow(/needs a value/);
    expect(() => parseGrouping('job=x')).toThrow(/--job/);
  });
});

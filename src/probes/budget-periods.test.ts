/** The GPU budget's periods and limits, its state file across restarts, and a probe's cost estimate. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPS, GPU_PRICE_USD_PER_SEC, getEndpoint } from '../catalog/index.ts';
import { callCostUsd } from '../runner/cost.ts';
import { Budget, BudgetStateError } from './budget.ts';
import { estimateProbeCostUsd } from './probe-runner.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('Budget', () => {
  it('charges real-scale wall seconds × price; X-Cost-USD is only cross-checked (test/runner/cost.test.ts)', () => {
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

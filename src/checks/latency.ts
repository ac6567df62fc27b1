import { always, provided, type CheckDefinition, type LatencyBudget, type StartType } from './definition.ts';
import { fail, pass, warn, type CheckResult } from './types.ts';

export type LatencyVerdict = 'ok' | 'degraded' | 'failed';

/** Budget actually applied: scaled for a time-scaled target, plus fixed local overhead. */
export function effectiveBudgetMs(budget: LatencyBudget, start: StartType, timeScale = 1, overheadMs = 0) {
  const sec = start === 'warm' ? budget.warmSec : budget.coldSec; // unknown start gets the cold allowance
  return { budgetMs: sec * 1000 * timeScale + overheadMs, hardMs: budget.hardSec * 1000 * timeScale + overheadMs };
}

export function latencyVerdict(ms: number, budget: LatencyBudget, start: StartType, timeScale = 1, overheadMs = 0): LatencyVerdict {
  const { budgetMs, hardMs } = effectiveBudgetMs(budget, start, timeScale, overheadMs);
  if (ms > hardMs) return 'failed';
  if (ms > budgetMs) return 'degraded';
  return 'ok';
}

/** ok → pass, degraded (over the documented budget) → warn, over the hard limit → fail. */
export function checkLatency(ms: number, budget: LatencyBudget, start: StartType, timeScale = 1, overheadMs = 0): CheckResult {
  const { budgetMs, hardMs } = effectiveBudgetMs(budget, start, timeScale, overheadMs);
  const v = latencyVerdict(ms, budget, start, timeScale, overheadMs);
  const measured = { ms: Math.round(ms), start, verdict: v };
  const expected = { budgetMs: Math.round(budgetMs), hardMs: Math.round(hardMs) };
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  if (v === 'failed') return fail('latency', `${s(ms)} is over the hard limit ${s(hardMs)} (${start} start)`, measured, expected);
  if (v === 'degraded') return warn('latency', `degraded: ${s(ms)} is over the ${start} budget ${s(budgetMs)}`, measured, expected);
  return pass('latency', `${s(ms)} within the ${start} budget ${s(budgetMs)}`, measured, expected);
}

/**
 * Judged once per happy path, with the start type the runner's context knows: the probes'
 * classification of the answered call when given, else the one known before the call (the gate).
 */
export const latencyCheck: CheckDefinition = {
  name: 'latency',
  needs: 'timing',
  appliesTo: always,
  run: ({ input }) => {
    const t = provided(input.timing, 'the call timing', 'latency');
    return checkLatency(t.totalMs, t.budget, t.startType(), t.timeScale, t.overheadMs);
  },
};

/**
 * `genprobe gate --repeat k`: every case of an endpoint's contract runs k times, each time with a
 * different seed where the route takes one (the catalog sample's seed + i, so run 0 is the usual
 * fixed-seed run and keeps its golden image), and the endpoint is judged by its pass rate.
 *
 *   pass rate = runs whose contract held (after waivers) / k
 *   pass^k    = pass rate ^ k: the chance, at that rate, that k calls in a row all work — what a
 *               caller who needs every one of k generations to succeed experiences (τ-bench's
 *               pass^k, estimated from the observed rate; promptfoo #5947)
 *
 * With `--min-pass-rate r` an endpoint passes when its pass rate is at least r (default 1: every
 * run must hold). The endpoint's report is its first failing run when it fails, else its first
 * run, with the repeat summary attached.
 */
import type { EndpointEntry } from '../catalog/types.ts';
import type { EndpointOverride } from '../config/endpoint.ts';
import type { EndpointReport, EndpointVerdict } from '../report/types.ts';
import { runEndpoint, type EndpointRun, type RunContext } from './run-endpoint.ts';

export interface RepeatSummary {
  runs: number;
  passed: number;
  passRate: number;
  /** passRate ^ runs. */
  passK: number;
  minPassRate: number;
  /** The seed of each run, when the route takes one. */
  seeds: number[] | null;
  verdicts: EndpointVerdict[];
}

/** Reports carry the summary under `repeat` (schemaVersion 1: a field added, never changed). */
export type RepeatedReport = EndpointReport & { repeat?: RepeatSummary };

export const MAX_REPEAT = 1000;

/** The seed of run i, or undefined when the route takes no seed. */
export function seedFor(entry: EndpointEntry, override: EndpointOverride, i: number): number | undefined {
  const base = (override.request as { seed?: unknown } | undefined)?.seed ?? entry.sample.seed;
  return typeof base === 'number' && Number.isInteger(base) ? base + i : undefined;
}

export function passK(passRate: number, k: number): number {
  return passRate ** k;
}

export function summarize(verdicts: EndpointVerdict[], minPassRate: number, seeds: number[] | null): RepeatSummary {
  const counted = verdicts.filter((v) => v !== 'skipped');
  const passed = counted.filter((v) => v !== 'fail').length;
  const passRate = counted.length ? passed / counted.length : 0;
  return { runs: counted.length, passed, passRate, passK: passK(passRate, counted.length), minPassRate, seeds, verdicts };
}

/**
 * The endpoint's verdict from its pass rate (after settleVerdicts, which judges the representative
 * run's checks only): below the minimum is a failure, at or above it the representative's verdict.
 */
export function settleRepeat(report: RepeatedReport): void {
  const r = report.repeat;
  if (!r || report.verdict === 'skipped') return;
  if (r.passRate < r.minPassRate) report.verdict = 'fail';
}

/**
 * Run an endpoint's contract k times (concurrently, within the context's lane limits). `judge`
 * applies waivers and settles each run's verdict, so a waived known defect is not a failed run.
 */
export async function runRepeated(entry: EndpointEntry, ctx: RunContext, override: EndpointOverride, k: number, minPassRate: number, judge: (report: EndpointReport) => void): Promise<EndpointRun> {
  if (!Number.isInteger(k) || k < 1 || k > MAX_REPEAT) throw new RangeError(`repeat must be an integer from 1 to ${MAX_REPEAT}, got ${k}`);
  const seeds = Array.from({ length: k }, (_, i) => seedFor(entry, override, i));
  const runs = await Promise.all(
    seeds.map(async (seed) => {
      const o: EndpointOverride = seed === undefined ? override : { ...override, request: { ...(override.request ?? {}), seed } };
      // Golden images are of the fixed-seed output: other seeds are not compared with (or stored as) it.
      const other = seed !== undefined && seed !== seeds[0];
      const run = await runEndpoint(entry, other ? { ...ctx, golden: false } : ctx, o);
      judge(run.report);
      return run;
    }),
  );
  const verdicts = runs.map((r) => r.report.verdict);
  const summary = summarize(verdicts, minPassRate, seeds.every((s) => s !== undefined) ? (seeds as number[]) : null);
  const failing = summary.passRate < minPassRate;
  const chosen = runs.find((r) => (r.report.verdict === 'fail') === failing) ?? runs[0];
  // Costs are every run's; the report's cases and checks are the representative run's.
  const report: RepeatedReport = { ...chosen.report, costUsd: runs.reduce((s, r) => s + r.report.costUsd, 0), repeat: summary };
  settleRepeat(report);
  return { ...chosen, report };
}

/** One line for the console: "20/30 runs passed (pass rate 0.67, pass^30 5.2e-6, min 1.00)". */
export function formatRepeat(r: RepeatSummary): string {
  const pk = r.passK >= 0.001 || r.passK === 0 ? r.passK.toFixed(3) : r.passK.toExponential(1);
  return `${r.passed}/${r.runs} runs passed (pass rate ${r.passRate.toFixed(2)}, pass^${r.runs} ${pk}, min ${r.minPassRate.toFixed(2)})`;
}

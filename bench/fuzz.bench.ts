/**
 * Fuzz throughput (issue 13 item 10): the fuzz test's mutants of real PNG, JPEG, animated WebP and
 * MP4 outputs (test/support/fuzz-cases.ts), more of them, same fixed seed and schedule, with the
 * rate, the crash count (a throw or no verdict within the hang guard), the slowest case and the
 * peak RSS of this process while they run.
 */
import { fuzzSeeds, runFuzz } from '../test/support/fuzz-cases.ts';
import { quantile, round, ROOT, type Benchmark, type BenchResult } from './lib.ts';
import { pathToFileURL } from 'node:url';

const SEED = 0x18_13_2026;
const HANG_GUARD_MS = 60_000;

export const fuzzBench: Benchmark = {
  name: 'fuzz',
  title: 'media fuzz cases per second, crashes, slowest case',
  async run(ctx): Promise<BenchResult> {
    const cases = ctx.quick ? 1000 : 10_000;
    const seeds = await fuzzSeeds(pathToFileURL(`${ROOT}/`));
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    let done = 0;
    const outcomes = await runFuzz(seeds, SEED, 0, cases, HANG_GUARD_MS, () => {
      if (++done % 1000 === 0) ctx.log(`fuzz: ${done}/${cases} cases`);
    });
    const wallSec = (performance.now() - t0) / 1000;
    clearInterval(timer);
    const crashes = outcomes.filter((o) => o.crash);
    const ms = outcomes.map((o) => o.ms);
    const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
    const bySeed: Record<string, { cases: number; decodable: number; p50Ms: number; maxMs: number }> = {};
    for (const s of seeds) {
      const mine = outcomes.filter((o) => o.seed === s.name);
      bySeed[s.name] = { cases: mine.length, decodable: mine.filter((o) => o.decodable === 'pass').length, p50Ms: round(quantile(mine.map((o) => o.ms), 0.5), 1), maxMs: round(Math.max(...mine.map((o) => o.ms)), 0) };
    }
    return {
      measures: 'mutated real outputs judged by every output check, two cases at a time: rate, crashes (a throw or no verdict within the hang guard), per-case time, peak RSS of the judging process',
      unit: 'cases/s, ms, MB (MiB)',
      values: {
        cases,
        crashes: crashes.length,
        firstCrashes: crashes.slice(0, 5).map((c) => `${c.seed} case seed ${c.caseSeed}: ${c.description}: ${c.crash!.split('\n')[0]}`),
        casesPerSec: round(cases / wallSec, 1),
        caseMs: { p50: round(quantile(ms, 0.5), 1), p99: round(quantile(ms, 0.99), 0), max: round(slowest.ms, 0) },
        slowestCase: `${slowest.seed} case seed ${slowest.caseSeed}: ${slowest.description}`,
        peakRssMb: round(peakRss / 2 ** 20, 0),
        rssGrowthMb: round((peakRss - rssBefore) / 2 ** 20, 0),
        bySeed,
      },
      comparedTo: 'zero crashes; the fuzz test (npm test) runs the first 2,000 of these cases',
      goal: 'zero crashes',
      met: crashes.length === 0,
      setup: { seed: `0x${SEED.toString(16)}`, hangGuardMs: HANG_GUARD_MS, concurrency: 2, framesSampled: 3 },
      notes: ['Case i is reproducible alone: runFuzzCase(seeds, seed, i, guard) in test/support/fuzz-cases.ts.'],
    };
  },
};

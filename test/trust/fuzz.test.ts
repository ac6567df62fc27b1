/**
 * Bounded property test of the media checks (issue 13 item 10): 2,000 mutants of real outputs —
 * the emulator's ComfyUI PNG, PIL JPEG, animated WebP and H.264 MP4, and the fixtures' portrait
 * WebP/MP4 — with bit flips, byte overwrites, truncation, box/chunk size edits, duplicated and
 * swapped boxes/chunks, from a fixed seed. Every case must end with a verdict (no throw, no hang
 * past the guard), memory must stay bounded, and the process must keep judging healthy outputs.
 * Cases per second and the worst case time are the bench's (bench/fuzz.bench.ts, more cases).
 * A failure names the case seed: `runFuzzCase(seeds, FUZZ_SEED, i, …)` reproduces it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOutputChecks } from '../../src/checks/index.ts';
import { MUTATIONS } from '../../src/media/fuzz.ts';
import { fuzzSeeds, runFuzz, type FuzzOutcome, type FuzzSeed } from '../support/fuzz-cases.ts';

const FUZZ_SEED = 0x18_13_2026;
const CASES = 2000;
/** A liveness guard, not a speed target: no case may go unanswered this long. */
const HANG_GUARD_MS = 60_000;
const MAX_RSS_GROWTH_MB = 400;

let seeds: FuzzSeed[] = [];
let outcomes: FuzzOutcome[] = [];
let peakRssGrowthMb = 0;

beforeAll(async () => {
  seeds = await fuzzSeeds(new URL('../../', import.meta.url));
}, 120_000);

afterAll(() => {
  if (!outcomes.length) return;
  const decodes = outcomes.filter((o) => o.decodable === 'pass').length;
  console.log(`fuzz: ${outcomes.length} cases, ${outcomes.filter((o) => o.crash).length} crashes, ${decodes} still decodable, peak RSS growth ${peakRssGrowthMb.toFixed(0)} MB`);
});

describe('media checks under mutation', () => {
  it(`${CASES} mutants of real PNG, JPEG, animated WebP and MP4 outputs all end with a verdict`, async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    try {
      outcomes = await runFuzz(seeds, FUZZ_SEED, 0, CASES, HANG_GUARD_MS);
    } finally {
      clearInterval(timer);
    }
    peakRssGrowthMb = (Math.max(peak, process.memoryUsage().rss) - before) / 2 ** 20;
    const crashes = outcomes.filter((o) => o.crash).map((o) => `${o.seed} case seed ${o.caseSeed} (${o.description}): ${o.crash!.split('\n')[0]}`);
    expect(crashes.slice(0, 10)).toEqual([]);
    expect(outcomes).toHaveLength(CASES);
    // The mutations exercise both sides: every seed file yields mutants that still decode and ones that do not.
    for (const s of seeds) {
      const mine = outcomes.filter((o) => o.seed === s.name);
      expect(mine.length, s.name).toBeGreaterThan(100); // 125 per MP4 seed, 250–500 per still/WebP seed
      expect(mine.some((o) => o.decodable === 'pass'), `${s.name}: some mutant still decodes`).toBe(true);
      expect(mine.some((o) => o.decodable === 'fail'), `${s.name}: some mutant fails to decode`).toBe(true);
    }
    expect(new Set(outcomes.map((o) => o.mutation))).toEqual(new Set(MUTATIONS));
    expect(peakRssGrowthMb, `peak RSS growth ${peakRssGrowthMb.toFixed(0)} MB`).toBeLessThan(MAX_RSS_GROWTH_MB);
  }, 900_000);

  it('the process keeps judging: every unmutated seed still passes its checks', async () => {
    for (const s of seeds) {
      const results = await runOutputChecks({
        output: s.output,
        headers: { cost: 'none' },
        request: s.request,
        response: { status: 200, headers: {}, body: s.bytes, declaredType: s.output.declaredType },
      });
      expect(results.filter((r) => r.verdict === 'fail').map((r) => `${r.check}: ${r.message}`), s.name).toEqual([]);
    }
  }, 120_000);
});

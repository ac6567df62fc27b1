import { describe, expect, it } from 'vitest';
import { getEndpoint } from '../catalog/index.ts';
import { parseRepeatFlags } from '../cli/gate.ts';
import { formatRepeat, passK, seedFor, settleRepeat, summarize, type RepeatedReport } from './repeat.ts';

describe('repeat summary', () => {
  it('pass rate counts waived and warned runs as passing, skipped runs not at all', () => {
    const s = summarize(['pass', 'waived', 'warn', 'fail', 'skipped'], 0.5, null);
    expect(s).toMatchObject({ runs: 4, passed: 3, passRate: 0.75 });
    expect(s.passK).toBeCloseTo(0.75 ** 4, 12);
  });

  it('pass^k is the pass rate to the k-th power', () => {
    expect(passK(1, 30)).toBe(1);
    expect(passK(2 / 3, 30)).toBeCloseTo(5.2e-6, 7);
    expect(passK(0.9, 10)).toBeCloseTo(0.3487, 4);
  });

  it('the verdict fails below the minimum pass rate, and keeps the representative run at or above it', () => {
    const report = (verdict: RepeatedReport['verdict'], passRate: number): RepeatedReport =>
      ({ verdict, repeat: { runs: 10, passed: passRate * 10, passRate, passK: passK(passRate, 10), minPassRate: 0.8, seeds: null, verdicts: [] } }) as unknown as RepeatedReport;
    const low = report('pass', 0.7);
    settleRepeat(low);
    expect(low.verdict).toBe('fail');
    const ok = report('waived', 0.8);
    settleRepeat(ok);
    expect(ok.verdict).toBe('waived');
  });

  it('seeds follow the catalog sample (or the configured seed) per run; routes without a seed get none', () => {
    const flux = getEndpoint('flux');
    expect([0, 1, 2].map((i) => seedFor(flux, {}, i))).toEqual([42, 43, 44]);
    expect(seedFor(flux, { request: { seed: 1000 } }, 5)).toBe(1005);
    expect(seedFor(getEndpoint('loras'), {}, 1)).toBeUndefined();
  });

  it('formats one console line', () => {
    expect(formatRepeat(summarize([...Array(20).fill('pass'), ...Array(10).fill('fail')], 1, null))).toBe('20/30 runs passed (pass rate 0.67, pass^30 5.2e-6, min 1.00)');
  });

  it.each([
    [['3', undefined], { repeat: 3, minPassRate: 1 }],
    [['30', '0.9'], { repeat: 30, minPassRate: 0.9 }],
    [[undefined, undefined], {}],
  ] as const)('flags %o → %o', (args, expected) => {
    expect(parseRepeatFlags(args[0], args[1])).toEqual(expected);
  });

  it.each([
    [['0', undefined], /--repeat must be an integer/],
    [['2.5', undefined], /--repeat must be an integer/],
    [['1001', undefined], /--repeat must be an integer/],
    [['3', 'x'], /--min-pass-rate must be a number from 0 to 1/],
    [['3', ''], /--min-pass-rate must be a number from 0 to 1/],
    [[undefined, '0.5'], /--min-pass-rate needs --repeat/],
  ] as const)('flags %o are refused', (args, message) => {
    expect(() => parseRepeatFlags(args[0], args[1])).toThrow(message);
  });
});

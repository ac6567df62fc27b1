import { detailShare, type LumaFrame } from '../media/luma.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';

/** A neighbour step above this many luma levels counts as detail. */
export const DETAIL_STEP_LEVELS = 4;
/**
 * Floor for the share of pixels with a step above DETAIL_STEP_LEVELS to their right or lower
 * neighbour, on the ≤512-px analysis copy. Measured (bench/pixel-calibration.ts, bench/README.md):
 * an 8×8 image scaled up to 1024² scores 0–0.2 % (smooth kernels) and ~1.6 % at most with
 * nearest-neighbour blocks; the fixtures score 35–61 %, the fleet's recorded generations 8–56 %
 * (the lowest a dim portrait video with a flat backdrop), the emulator's scenes ≥ 4 %. A failed
 * decode of a tiny latent has almost no steps at all.
 */
export const MIN_DETAIL_SHARE = 0.025;

/** Fails an output whose most detailed sampled frame has almost no neighbour steps. */
export function checkDetail(frames: readonly LumaFrame[], floor = MIN_DETAIL_SHARE, step = DETAIL_STEP_LEVELS): CheckResult {
  if (frames.length === 0) return skip('detail', 'no frames to inspect');
  const shares = frames.map((f) => detailShare(f, step));
  const best = Math.max(...shares);
  const pct = (x: number) => Math.round(x * 10000) / 100;
  const measured = { framesSampled: frames.length, maxDetailPct: pct(best), minDetailPct: pct(Math.min(...shares)) };
  const expected = { minDetailPct: pct(floor), stepLevels: step };
  const where = frames.length > 1 ? ` (most detailed of ${frames.length} sampled frames)` : '';
  const text = `${pct(best)} % of pixels have a neighbour step above ${step} levels${where}, floor ${pct(floor)} %`;
  return best >= floor ? pass('detail', text, measured, expected) : fail('detail', `detail-less output (an upscaled tiny image?): ${text}`, measured, expected);
}

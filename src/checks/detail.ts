import { detailShare, type LumaFrame } from '../media/luma.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, provided, type CheckDefinition } from './definition.ts';

/** A neighbour step above this many luma levels counts as detail. */
export const DETAIL_STEP_LEVELS = 4;
/**
 * Floor for the share of pixels with a step above DETAIL_STEP_LEVELS to their right or lower
 * neighbour, on the ≤512-px analysis copy (`npm run bench -- --only pixel-calibration`, figures in
 * bench/README.md). Healthy: the fixtures 35–61 %, the fleet's recorded generations 9.9–46 % (the
 * lowest a dim portrait video on a flat backdrop), the emulator's synthetic scenes 5.2–7.5 % (the
 * least detailed healthy pictures genprobe sees). Degenerate: an 8×8 picture scaled to 1024² with a
 * smooth kernel 0 %, the fleet's recorded near-white clips 1.0–1.2 %. 1.5 % is 3.4× below the
 * emulator's scenes and 6.6× below the fleet's least detailed output. Not caught: hard-edged
 * nearest-neighbour blocks (3.2 % — their block edges are real steps), 16×16 upscales (2.5 %).
 */
export const MIN_DETAIL_SHARE = 0.015;

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

export const detailCheck: CheckDefinition = {
  name: 'detail',
  needs: 'frames',
  appliesTo: forKinds('png', 'jpeg', 'webp-animated', 'mp4'),
  run: ({ frames }) => checkDetail(provided(frames, 'sampled frames', 'detail')),
};

import { meanAbsDiff, type LumaFrame } from '../media/luma.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';

/**
 * Floor for the mean frame-to-frame luma change (levels 0–255, on the ≤512-px analysis copies of
 * the sampled frames, consecutive samples compared). An image-to-video model that returns its
 * input frozen — 33 identical frames — scores 0.00 (an MP4 of one repeated frame) or a few
 * thousandths (a WebP whose frames differ in a handful of pixels so the encoder keeps them).
 * Real generated clips sit far above: the fleet's recorded wan2.6 / wan2.2 faceswap outputs score
 * 1.6–11 (bench/pixel-calibration.ts; figures in bench/README.md). 0.25 sits between, about six
 * times below the stillest real clip.
 */
export const MIN_MEAN_FRAME_CHANGE = 0.25;

/** A video whose sampled frames barely change is a still dressed as a video. */
export function checkMotion(frames: readonly LumaFrame[], floor = MIN_MEAN_FRAME_CHANGE): CheckResult {
  if (frames.length < 2) return skip('motion', `${frames.length} frame(s) sampled: motion needs two`);
  const changes: number[] = [];
  for (let i = 1; i < frames.length; i++) {
    if (frames[i].width !== frames[i - 1].width || frames[i].height !== frames[i - 1].height) {
      return fail('motion', `frames ${frames[i - 1].index} and ${frames[i].index} differ in size (${frames[i - 1].width}×${frames[i - 1].height} vs ${frames[i].width}×${frames[i].height})`);
    }
    changes.push(meanAbsDiff(frames[i - 1], frames[i]));
  }
  const r = (n: number) => Math.round(n * 1000) / 1000;
  const mean = changes.reduce((a, b) => a + b, 0) / changes.length;
  const measured = { framesSampled: frames.length, meanChange: r(mean), minChange: r(Math.min(...changes)), maxChange: r(Math.max(...changes)) };
  const text = `mean frame-to-frame change ${measured.meanChange} luma levels over ${frames.length} sampled frames (floor ${floor})`;
  return mean >= floor ? pass('motion', text, measured, { minMeanChange: floor }) : fail('motion', `frozen video: ${text}`, measured, { minMeanChange: floor });
}

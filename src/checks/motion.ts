import { meanAbsDiff, type LumaFrame } from '../media/luma.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, provided, type CheckDefinition } from './definition.ts';

/**
 * Floor for the mean frame-to-frame luma change (levels 0–255, on the ≤512-px analysis copies of
 * the sampled frames, consecutive samples compared; `npm run bench -- --only pixel-calibration`,
 * figures in bench/README.md). Frozen: the fleet's recorded 2.7 KB faceswap MP4 0.000, the
 * emulator's frozen WebP 0.002 (frames differ in a 16-pixel patch so the encoder keeps them) and
 * frozen MP4 0.008 (encoder noise). Moving: the fleet's recorded i2v + faceswap clips 1.04–58.6
 * (the lowest a nearly still wan2.6 portrait), its site videos 9.2–54.8, the emulator's clips
 * 1.25–24.7. 0.25 is 4× below the stillest real clip and 30× above the noisiest frozen one.
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

export const motionCheck: CheckDefinition = {
  name: 'motion',
  needs: 'frames',
  appliesTo: forKinds('webp-animated', 'mp4'),
  run: ({ frames }) => checkMotion(provided(frames, 'sampled frames', 'motion')),
};

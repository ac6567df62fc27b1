import { lumaStats, type ImageStats } from '../media/image.ts';
import type { LumaFrame } from '../media/luma.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, provided, type BlankThresholds, type CheckDefinition } from './definition.ts';

export interface FrameStats extends ImageStats {
  /** 0-based frame index (0 for stills). */
  frame: number;
}


/**
 * The real fleet returned a 1-frame MP4 of mean luma 2/255 and a 2.7 KB 33-frame video
 * (docs/fleet.md §2.3, feasibility §4); both are below these marks.
 */
export const DEFAULT_BLANK_THRESHOLDS: BlankThresholds = { minMeanLuma: 8, minStdevLuma: 3 };

/** Luma statistics of sampled analysis frames (see src/media/sample.ts). */
export function frameStats(frames: readonly LumaFrame[]): FrameStats[] {
  return frames.map((f) => ({ frame: f.index, ...lumaStats(f.data) }));
}

/** Fail when any sampled frame is near-black or near-uniform. */
export function checkBlank(stats: readonly FrameStats[], thresholds: BlankThresholds = DEFAULT_BLANK_THRESHOLDS): CheckResult {
  if (stats.length === 0) return skip('blank-output', 'no frames to inspect');
  const measured = {
    framesSampled: stats.length,
    minMeanLuma: Math.min(...stats.map((s) => s.meanLuma)),
    minStdevLuma: Math.min(...stats.map((s) => s.stdevLuma)),
  };
  const bad = stats
    .map((s) => {
      if (s.meanLuma < thresholds.minMeanLuma) return `frame ${s.frame} near-black (mean luma ${s.meanLuma} < ${thresholds.minMeanLuma})`;
      if (s.stdevLuma < thresholds.minStdevLuma) return `frame ${s.frame} near-uniform (luma stdev ${s.stdevLuma} < ${thresholds.minStdevLuma})`;
      return null;
    })
    .filter((x): x is string => x !== null);
  if (bad.length === 0) {
    return pass('blank-output', `${stats.length} frame(s) have content (min mean luma ${measured.minMeanLuma}, min stdev ${measured.minStdevLuma})`, measured, thresholds);
  }
  const more = bad.length > 1 ? ` (+${bad.length - 1} more of ${stats.length} sampled)` : '';
  return fail('blank-output', `${bad[0]}${more}`, measured, thresholds);
}

export const blankOutputCheck: CheckDefinition = {
  name: 'blank-output',
  needs: 'frames',
  appliesTo: forKinds('png', 'jpeg', 'webp-animated', 'mp4'),
  run: ({ input, frames }) => {
    const options = input.options?.blank;
    return checkBlank(frameStats(provided(frames, 'sampled frames', 'blank-output')), options ? options.thresholds : undefined);
  },
};

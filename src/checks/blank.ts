import { describeError } from '../media/errors.ts';
import { extractFrames } from '../media/frames.ts';
import { imageStats, type ImageStats } from '../media/image.ts';
import type { DecodedMedia } from './decodable.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';

export interface FrameStats extends ImageStats {
  /** 0-based frame index (0 for stills). */
  frame: number;
}

export interface BlankThresholds {
  /** Below this mean luma (0–255) a frame is near-black. */
  minMeanLuma: number;
  /** Below this luma standard deviation a frame is near-uniform. */
  minStdevLuma: number;
}

/**
 * The real fleet returned a 1-frame MP4 of mean luma 2/255 and a 2.7 KB 33-frame video
 * (contracts.md §2.3, feasibility §4); both are below these marks.
 */
export const DEFAULT_BLANK_THRESHOLDS: BlankThresholds = { minMeanLuma: 8, minStdevLuma: 3 };

export interface SampleOptions {
  /** Frames sampled from an animation, evenly spread (default 8). */
  samples?: number;
  ffmpegPath?: string;
  timeoutMs?: number;
}

/** Indices of `samples` frames spread over `frames`, always including frame 0. */
export function sampleIndices(frames: number, samples: number): { every: number; indices: number[] } {
  const every = Math.max(1, Math.ceil(frames / Math.max(1, samples)));
  const indices: number[] = [];
  for (let i = 0; i < frames && indices.length < samples; i += every) indices.push(i);
  return { every, indices };
}

/** Luma statistics of the still, or of sampled frames of an animation (MP4 frames via ffmpeg). */
export async function sampleFrameStats(body: Uint8Array, media: DecodedMedia, options: SampleOptions = {}): Promise<FrameStats[]> {
  const samples = options.samples ?? 8;
  switch (media.kind) {
    case 'png':
    case 'jpeg':
      return [{ frame: 0, ...(await imageStats(body)) }];
    case 'webp-animated': {
      const { indices } = sampleIndices(media.webp.frames, samples);
      const out: FrameStats[] = [];
      for (const page of indices) out.push({ frame: page, ...(await imageStats(body, { page })) });
      return out;
    }
    case 'mp4': {
      const { every, indices } = sampleIndices(media.mp4.frames, samples);
      const pngs = await extractFrames(body, 'mp4', { every, max: samples, ffmpegPath: options.ffmpegPath, timeoutMs: options.timeoutMs });
      const out: FrameStats[] = [];
      for (let i = 0; i < pngs.length; i++) out.push({ frame: indices[i] ?? i * every, ...(await imageStats(pngs[i])) });
      return out;
    }
    case 'json':
      return [];
  }
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

/** Sample and judge in one step; a frame-extraction failure is a failing blank-output result. */
export async function checkBlankOutput(body: Uint8Array, media: DecodedMedia, options: SampleOptions & { thresholds?: BlankThresholds } = {}): Promise<CheckResult> {
  let stats: FrameStats[];
  try {
    stats = await sampleFrameStats(body, media, options);
  } catch (err) {
    return fail('blank-output', `could not decode frames to inspect: ${describeError(err)}`);
  }
  return checkBlank(stats, options.thresholds);
}

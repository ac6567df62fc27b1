/**
 * Frame sampling for the pixel checks (blank, motion, detail): a few frames spread over the output,
 * each reduced to an analysis luma copy as soon as it is decoded, the whole step under one time
 * limit. Animated WebP frames come from the bounded ANMF decoder, MP4 frames from ffmpeg.
 */
import { MediaDecodeError } from './errors.ts';
import { extractFrames } from './frames.ts';
import { MAX_INPUT_PIXELS } from './image.ts';
import { lumaOfImage, lumaOfRgba, type LumaFrame } from './luma.ts';
import { webpFrames } from './webp.ts';

export interface SampleOptions {
  /** Frames sampled from an animation, evenly spread (default 8). */
  samples?: number;
  ffmpegPath?: string;
  /** The whole sampling step, decoding included (default 20 s). */
  timeoutMs?: number;
  maxPixels?: number;
  /** Animated WebP: decoding budget in canvases (see WebpLimits.maxDecodedCanvases). */
  maxDecodedCanvases?: number;
}

export const DEFAULT_SAMPLES = 8;
export const DEFAULT_SAMPLE_TIMEOUT_MS = 20_000;

/** Indices of `samples` frames spread over `frames`, always including frame 0. */
export function sampleIndices(frames: number, samples: number): { every: number; indices: number[] } {
  const every = Math.max(1, Math.ceil(frames / Math.max(1, samples)));
  const indices: number[] = [];
  for (let i = 0; i < frames && indices.length < samples; i += every) indices.push(i);
  return { every, indices };
}

export type SampledKind = 'png' | 'jpeg' | 'webp-animated' | 'mp4';

/** Luma copies of the still, or of sampled frames of an animation with `frames` frames. */
export async function sampleLumaFrames(body: Uint8Array, kind: SampledKind, frames: number, options: SampleOptions = {}): Promise<LumaFrame[]> {
  const samples = options.samples ?? DEFAULT_SAMPLES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SAMPLE_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  const maxPixels = options.maxPixels ?? MAX_INPUT_PIXELS;
  switch (kind) {
    case 'png':
    case 'jpeg':
      return [await lumaOfImage(body, 0, maxPixels)];
    case 'webp-animated': {
      const out: LumaFrame[] = [];
      const limits = { deadline, maxPixels, maxDecodedCanvases: options.maxDecodedCanvases };
      for await (const f of webpFrames(body, sampleIndices(frames, samples).indices, limits)) out.push(await lumaOfRgba(f));
      return out;
    }
    case 'mp4': {
      const { indices } = sampleIndices(frames, samples);
      const pngs = await extractFrames(body, 'mp4', { indices, max: indices.length, ffmpegPath: options.ffmpegPath, timeoutMs, maxPixels });
      const out: LumaFrame[] = [];
      for (let i = 0; i < pngs.length; i++) {
        if (performance.now() > deadline) throw new MediaDecodeError('timeout', `frame sampling stopped after ${timeoutMs} ms`);
        out.push(await lumaOfImage(pngs[i], indices[i] ?? i, maxPixels));
      }
      return out;
    }
  }
}

/**
 * Greyscale analysis frames: every sampled frame of an output is reduced once to luma at most
 * ANALYSIS_SIDE px on its long side, and the blank, motion and detail measures all read that copy.
 */
import sharp, { type Sharp } from 'sharp';
import { describeError } from '../errors/index.ts';
import { MediaDecodeError } from './errors.ts';
import { MAX_INPUT_PIXELS } from './image.ts';
import { withoutPngText } from './png.ts';
import type { RgbaFrame } from './webp.ts';

/** Long side of the analysis copy: fine enough to see texture, small enough to be cheap (≤ 256 KB). */
export const ANALYSIS_SIDE = 512;

export interface LumaFrame {
  /** 0-based frame index in the source (0 for stills). */
  index: number;
  width: number;
  height: number;
  /** width × height 8-bit luma; transparent pixels count as black. */
  data: Uint8Array;
}

/** Luma of encoded image bytes (PNG, JPEG, WebP still). */
export async function lumaOfImage(buf: Uint8Array, index = 0, maxPixels = MAX_INPUT_PIXELS): Promise<LumaFrame> {
  return toLuma(sharp(withoutPngText(buf).bytes, { limitInputPixels: maxPixels, failOn: 'truncated' }), index);
}

/** Luma of a composited RGBA canvas (animated WebP frames). */
export function lumaOfRgba(frame: RgbaFrame): Promise<LumaFrame> {
  return toLuma(sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } }), frame.index);
}

async function toLuma(img: Sharp, index: number): Promise<LumaFrame> {
  try {
    const { data, info } = await img
      .flatten({ background: '#000000' })
      .resize(ANALYSIS_SIDE, ANALYSIS_SIDE, { fit: 'inside', withoutEnlargement: true })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // greyscale() on a 3-band image still yields one band; guard anyway against surprises.
    if (info.channels !== 1) throw new Error(`expected 1 band, got ${info.channels}`);
    return { index, width: info.width, height: info.height, data };
  } catch (err) {
    throw new MediaDecodeError('undecodable', `frame ${index} does not decode: ${describeError(err)}`);
  }
}

/**
 * Share (0–1) of pixels whose step to the right or lower neighbour exceeds `threshold` levels.
 * An 8×8 image scaled up to 1024² has steps of a level or two per pixel; texture and edges in a
 * real picture put several per cent of its pixels above 4, usually far more (src/checks/detail.ts).
 */
export function detailShare(f: LumaFrame, threshold: number): number {
  const { width: w, height: h, data } = f;
  if (w < 2 || h < 2) return 0;
  let hits = 0;
  for (let y = 0; y < h - 1; y++) {
    let i = y * w;
    for (let x = 0; x < w - 1; x++, i++) {
      const p = data[i];
      const r = data[i + 1] - p;
      const d = data[i + w] - p;
      if (r > threshold || r < -threshold || d > threshold || d < -threshold) hits++;
    }
  }
  return hits / ((w - 1) * (h - 1));
}

/** Mean absolute luma difference (levels, 0–255) between two frames of the same size. */
export function meanAbsDiff(a: LumaFrame, b: LumaFrame): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`frames differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let sum = 0;
  const n = a.data.length;
  for (let i = 0; i < n; i++) {
    const d = a.data[i] - b.data[i];
    sum += d < 0 ? -d : d;
  }
  return n ? sum / n : 0;
}

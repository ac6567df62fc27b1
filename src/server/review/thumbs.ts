/**
 * Review-matrix thumbnails: small WebP stills made once per output and kept on disk — one for an
 * image, the first, middle and last frame for a video (animated WebP or MP4) — so a 500-cell
 * matrix costs the browser a few KB per cell instead of the outputs themselves.
 */
import sharp from 'sharp';
import { extractFrames } from '../../media/frames.ts';
import { readWebpLayout } from '../../media/webp.ts';
import { probeMp4 } from '../../media/mp4.ts';

/** Longest side of a review thumbnail, px. */
export const REVIEW_THUMB_PX = 160;
/** Outputs above this many pixels are not decoded (decompression-bomb guard). */
const MAX_PIXELS = 40_000_000;

export const VIDEO_KINDS = new Set(['webp-animated', 'mp4']);

/** First, middle and last index of n frames (fewer when there are fewer frames). */
export function keyFrames(n: number): number[] {
  return [...new Set([0, Math.floor((n - 1) / 2), n - 1])].filter((i) => i >= 0);
}

async function small(frame: Buffer): Promise<Buffer> {
  return sharp(frame, { limitInputPixels: MAX_PIXELS }).rotate().resize(REVIEW_THUMB_PX, REVIEW_THUMB_PX, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 60 }).toBuffer();
}

/** Thumbnails of an output, or [] for outputs without pixels (JSON). */
export async function makeThumbs(body: Buffer, sniffedType: string): Promise<Buffer[]> {
  if (sniffedType === 'png' || sniffedType === 'jpeg' || sniffedType === 'webp' || sniffedType === 'gif') return [await small(body)];
  if (sniffedType === 'webp-animated') {
    const frames = await extractFrames(body, 'webp-animated', { indices: keyFrames(readWebpLayout(body).frameCount), maxPixels: MAX_PIXELS });
    return Promise.all(frames.map(small));
  }
  if (sniffedType === 'mp4') {
    const info = await probeMp4(body);
    const frames = await extractFrames(body, 'mp4', { indices: keyFrames(info.frames), maxPixels: MAX_PIXELS, maxSide: REVIEW_THUMB_PX * 2, timeoutMs: 30_000 });
    return Promise.all(frames.map(small));
  }
  return [];
}

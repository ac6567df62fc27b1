/**
 * Frame sampling for video outputs: MP4 through src/media's ffmpeg frame extraction,
 * animated WebP through sharp (pages decoded in one pass straight to RGB when they fit a memory cap).
 */
import sharp from 'sharp';
import { extractFrames } from '../media/frames.ts';
import { probeMp4 } from '../media/mp4.ts';
import type { RgbImage } from './detect.ts';

export interface SampledFrame {
  /** 0-based index of the frame in the source. */
  index: number;
  png: Buffer;
}

/** Indices 0, step, 2·step … below `total`, at most `max` of them, spread evenly when there are more. */
export function frameIndices(total: number, max: number): number[] {
  if (total <= 0) return [];
  if (max <= 0) throw new Error(`sampleFrames must be ≥ 1, got ${max}`);
  if (total <= max) return Array.from({ length: total }, (_, i) => i);
  const step = total / max;
  return Array.from({ length: max }, (_, i) => Math.floor(i * step));
}

/**
 * Sample MP4 frames as PNG, spread evenly over the frame count of the (bounded) MP4 parser; the
 * decoding is src/media's ffmpeg path, which handles moov-at-end and fragmented files alike.
 */
export async function sampleMp4Frames(mp4: Buffer, maxFrames: number): Promise<{ total: number; frames: SampledFrame[] }> {
  const total = (await probeMp4(mp4)).frames;
  const wanted = frameIndices(total, maxFrames);
  if (wanted.length === 0) return { total, frames: [] };
  const pngs = await extractFrames(mp4, 'mp4', { indices: wanted, max: wanted.length });
  if (pngs.length !== wanted.length) throw new Error(`ffmpeg returned ${pngs.length} frames, expected ${wanted.length}`);
  return { total, frames: pngs.map((png, k) => ({ index: wanted[k], png })) };
}

/** Sample frames of an animated WebP (or any multi-page image sharp reads). */
export async function sampleAnimatedFrames(bytes: Buffer, maxFrames: number): Promise<{ total: number; frames: SampledFrame[] }> {
  const meta = await sharp(bytes, { animated: true }).metadata();
  const total = meta.pages ?? 1;
  const frames: SampledFrame[] = [];
  for (const index of frameIndices(total, maxFrames)) {
    frames.push({ index, png: await sharp(bytes, { page: index }).png({ compressionLevel: 1 }).toBuffer() });
  }
  return { total, frames };
}

/**
 * Above this many bytes of decoded RGB, animated WebP pages are decoded one by one instead of in one pass:
 * slower (libwebp renders every page from the first one again) but memory stays at one page.
 */
export const ONE_PASS_DECODE_MAX_BYTES = 128 * 1024 * 1024;

export interface SampledRgbFrame {
  /** 0-based index of the frame in the source. */
  index: number;
  rgb: RgbImage;
}

/**
 * Sample frames of an animated WebP as RGB pixels, the same pixels sampleAnimatedFrames' PNGs decode to.
 * Decoding page k renders pages 0…k again, so decoding 9 sampled pages one by one cost ~2.6× the CPU of one
 * pass over pages 0…last (measured on a 33-frame 512² WebP), and the PNG round trip is skipped as well.
 */
export async function sampleAnimatedRgb(bytes: Buffer, maxFrames: number, onePassMaxBytes = ONE_PASS_DECODE_MAX_BYTES): Promise<{ total: number; frames: SampledRgbFrame[] }> {
  const meta = await sharp(bytes, { animated: true }).metadata();
  const total = meta.pages ?? 1;
  const wanted = frameIndices(total, maxFrames);
  if (wanted.length === 0) return { total, frames: [] };
  const width = meta.width!;
  const height = meta.pageHeight ?? meta.height!;
  const frameBytes = width * height * 3;
  const span = wanted[wanted.length - 1] + 1;
  const toRgb = (img: ReturnType<typeof sharp>) => img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (span * frameBytes > onePassMaxBytes) {
    const frames: SampledRgbFrame[] = [];
    for (const index of wanted) {
      const { data, info } = await toRgb(sharp(bytes, { page: index }));
      frames.push({ index, rgb: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height } });
    }
    return { total, frames };
  }
  const { data, info } = await toRgb(sharp(bytes, { animated: true, pages: span }));
  if (info.channels !== 3 || info.width !== width || data.length !== span * frameBytes) {
    throw new Error(`animated decode gave ${info.width}×${info.height}×${info.channels} (${data.length} bytes), expected ${span} pages of ${width}×${height}×3`);
  }
  return { total, frames: wanted.map((index) => ({ index, rgb: { data: new Uint8Array(data.buffer, data.byteOffset + index * frameBytes, frameBytes), width, height } })) };
}

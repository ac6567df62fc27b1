/**
 * Frame sampling for video outputs, bounded whatever the endpoint sent: MP4 through src/media's ffmpeg
 * extraction with frames shrunk inside ffmpeg; animated WebP through src/media's streaming decoder
 * (RIFF headers first, frame count and canvas refused above the limits, one canvas in memory, each
 * sampled frame rendered from its nearest keyframe), every frame shrunk to DETECT_MAX_SIDE as it comes.
 */
import sharp from 'sharp';
import { extractFrames } from '../media/frames.ts';
import { probeMp4 } from '../media/mp4.ts';
import { MAX_ANIMATION_FRAMES, readWebpLayout, webpFrames } from '../media/webp.ts';
import { decodeRgb, DETECT_MAX_SIDE, FaceError, rgbFromRaw, type RgbImage } from './detect.ts';

/**
 * Pixels of one video frame at most (16 MP, e.g. 4096×4096; the fleet's largest video is 1080p). The WebP
 * decoder keeps one RGBA canvas of this size, so it bounds the face check's memory for animations.
 */
export const FACE_MAX_FRAME_PIXELS = 16_000_000;
/**
 * Time the sampled WebP frames may take to render, from the first request (a frame far from its keyframe
 * re-renders every frame in between; 2000 frames of a 16 MP canvas would take minutes). Past it, the next
 * frame is that frame's `undecodable` finding and the check ends with what it has.
 */
export const FACE_WEBP_RENDER_DEADLINE_MS = 60_000;

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
export async function sampleMp4Frames(mp4: Buffer, maxFrames: number, maxSide = DETECT_MAX_SIDE): Promise<{ total: number; frames: SampledFrame[] }> {
  const total = (await probeMp4(mp4)).frames;
  const wanted = frameIndices(total, maxFrames);
  if (wanted.length === 0) return { total, frames: [] };
  const pngs = await extractFrames(mp4, 'mp4', { indices: wanted, max: wanted.length, maxPixels: FACE_MAX_FRAME_PIXELS, maxSide });
  if (pngs.length !== wanted.length) throw new Error(`ffmpeg returned ${pngs.length} frames, expected ${wanted.length}`);
  return { total, frames: pngs.map((png, k) => ({ index: wanted[k], png })) };
}

/**
 * Sample frames of an animated WebP page by page through libvips, as PNG: the reference the streaming
 * sampler is tested against (same pixels). Not used by the checks: each page is decoded at full size.
 */
export async function sampleAnimatedFrames(bytes: Buffer, maxFrames: number): Promise<{ total: number; frames: SampledFrame[] }> {
  const meta = await sharp(bytes, { animated: true }).metadata();
  const total = meta.pages ?? 1;
  const frames: SampledFrame[] = [];
  for (const index of frameIndices(total, maxFrames)) {
    frames.push({ index, png: await sharp(bytes, { page: index }).png({ compressionLevel: 1 }).toBuffer() });
  }
  return { total, frames };
}

export interface StreamedFrame {
  /** 0-based index of the frame in the source. */
  index: number;
  /** Renders the frame. Call in index order, each after the previous one resolved (one canvas is reused). */
  rgb(): Promise<RgbImage>;
}

/**
 * The sampled frames of an animated WebP, rendered one at a time on demand and shrunk to `maxSide`: at
 * most one RGBA canvas (≤ FACE_MAX_FRAME_PIXELS) and one shrunk frame in memory, never every page at full
 * size. A still WebP is one frame. Throws for a file that is no WebP, has too many frames or too large a canvas.
 */
export function streamAnimatedRgb(
  bytes: Buffer,
  maxFrames: number,
  { maxSide = DETECT_MAX_SIDE, maxFramePixels = FACE_MAX_FRAME_PIXELS }: { maxSide?: number; maxFramePixels?: number } = {},
): { total: number; frames: StreamedFrame[] } {
  const layout = readWebpLayout(bytes, MAX_ANIMATION_FRAMES + 1);
  if (!layout.animated || layout.frameCount === 0) return { total: 1, frames: [{ index: 0, rgb: () => decodeRgb(bytes, maxSide) }] };
  const total = layout.frameCount;
  if (total > MAX_ANIMATION_FRAMES) throw new Error(`animation has ${total} frames, above the limit of ${MAX_ANIMATION_FRAMES}; not decoded`);
  const canvas = layout.canvasWidth * layout.canvasHeight;
  if (canvas > maxFramePixels) {
    throw new Error(`animation frames are ${layout.canvasWidth}×${layout.canvasHeight}, above the face check's ${maxFramePixels / 1e6} MP per-frame limit; not decoded`);
  }
  const wanted = frameIndices(total, maxFrames);
  let rendered: AsyncGenerator<{ index: number; width: number; height: number; data: Buffer }> | undefined;
  const start = () => webpFrames(bytes, wanted, { maxPixels: maxFramePixels, deadline: performance.now() + FACE_WEBP_RENDER_DEADLINE_MS });
  const frames = wanted.map((index): StreamedFrame => ({
    index,
    rgb: async () => {
      let next: IteratorResult<{ index: number; width: number; height: number; data: Buffer }>;
      try {
        rendered ??= start();
        next = await rendered.next();
      } catch (err) {
        throw new FaceError('undecodable', `frame ${index} of the animation does not decode: ${(err as Error).message}`);
      }
      if (next.done || next.value.index !== index) throw new FaceError('undecodable', `frame ${index} of the animation was not rendered (an earlier frame failed)`);
      return rgbFromRaw(next.value.data, next.value.width, next.value.height, 4, maxSide);
    },
  }));
  return { total, frames };
}

import sharp, { type Metadata } from 'sharp';
import { describeError } from '../errors/index.ts';
import { MediaDecodeError } from './errors.ts';
import { withoutPngText } from './png.ts';

/**
 * Decompression-bomb guard: a 20000×20000 PNG is ~1 MB on the wire and 1.2 GB decoded. The
 * largest legitimate fleet output is a 4000-px SeedVR2 upscale (16 MP); 100 MP leaves headroom.
 */
export const MAX_INPUT_PIXELS = 100_000_000;

export interface ImageInfo {
  format: string;
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
}

export interface ImageStats {
  /** Mean luma 0–255 of a downscaled greyscale copy. */
  meanLuma: number;
  /** Standard deviation of that luma. */
  stdevLuma: number;
  /** Distinct 8-bit grey levels in the downscaled copy (1 = perfectly uniform). */
  distinctLevels: number;
}

/** Dimensions from the header only, refusing images above the pixel limit before any decode. */
export async function readImageHeader(
  buf: Uint8Array,
  maxPixels = MAX_INPUT_PIXELS,
): Promise<Metadata & { width: number; height: number }> {
  buf = withoutPngText(buf).bytes;
  let meta: Metadata;
  try {
    // Header-only read; the limit is enforced below with a clearer message than sharp's.
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new MediaDecodeError('undecodable', `not a decodable image: ${describeError(err)}`);
  }
  const { width, height } = meta;
  if (!width || !height) throw new MediaDecodeError('undecodable', `image header has no dimensions (format ${meta.format ?? '?'})`);
  const frameHeight = meta.pageHeight ?? height;
  if (width * frameHeight > maxPixels) {
    const mp = ((width * frameHeight) / 1e6).toFixed(0);
    throw new MediaDecodeError(
      'pixel-limit',
      `image claims ${width}×${frameHeight} = ${mp} MP, above the ${maxPixels / 1e6} MP decode limit (decompression-bomb guard)`,
    );
  }
  return { ...meta, width, height };
}

/**
 * Format and size of a still image, after a full decode (a valid header over corrupt pixel data
 * must fail here, not later).
 */
export async function probeImage(buf: Uint8Array, maxPixels = MAX_INPUT_PIXELS): Promise<ImageInfo> {
  buf = withoutPngText(buf).bytes;
  const meta = await readImageHeader(buf, maxPixels);
  try {
    // failOn 'truncated' turns libvips' warnings about cut-off data into errors.
    await sharp(buf, { limitInputPixels: maxPixels, failOn: 'truncated' }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw new MediaDecodeError('undecodable', `${meta.format ?? 'image'} does not decode: ${describeError(err)}`);
  }
  return {
    format: meta.format ?? 'unknown',
    width: meta.width,
    height: meta.pageHeight ?? meta.height,
    channels: meta.channels ?? 0,
    hasAlpha: meta.hasAlpha ?? false,
  };
}

/** Luma statistics of one image (or page `page` of an animation) on a ≤128-px greyscale copy. */
export async function imageStats(buf: Uint8Array, options: { page?: number; maxPixels?: number } = {}): Promise<ImageStats> {
  const maxPixels = options.maxPixels ?? MAX_INPUT_PIXELS;
  buf = withoutPngText(buf).bytes;
  await readImageHeader(buf, maxPixels);
  let grey: Buffer;
  try {
    grey = await sharp(buf, { limitInputPixels: maxPixels, page: options.page ?? 0, failOn: 'truncated' })
      // Transparent pixels count as black: a fully transparent output is blank too.
      .flatten({ background: '#000000' })
      .resize(128, 128, { fit: 'inside', kernel: 'linear' })
      .greyscale()
      .raw()
      .toBuffer();
  } catch (err) {
    throw new MediaDecodeError('undecodable', `image does not decode: ${describeError(err)}`);
  }
  return lumaStats(grey);
}

/** Mean, stdev and distinct levels of 8-bit single-channel pixels. */
export function lumaStats(grey: Uint8Array): ImageStats {
  if (grey.length === 0) return { meanLuma: 0, stdevLuma: 0, distinctLevels: 0 };
  const histogram = new Uint32Array(256);
  for (const v of grey) histogram[v]++;
  let sum = 0;
  let distinct = 0;
  for (let v = 0; v < 256; v++) {
    sum += v * histogram[v];
    if (histogram[v]) distinct++;
  }
  const mean = sum / grey.length;
  let sq = 0;
  for (let v = 0; v < 256; v++) sq += histogram[v] * (v - mean) ** 2;
  const r = (n: number) => Math.round(n * 100) / 100;
  return { meanLuma: r(mean), stdevLuma: r(Math.sqrt(sq / grey.length)), distinctLevels: distinct };
}

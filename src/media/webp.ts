import sharp, { type Metadata } from 'sharp';
import { describeError, MediaDecodeError } from './errors.ts';
import { MAX_INPUT_PIXELS, readImageHeader } from './image.ts';

export interface AnimatedWebpInfo {
  width: number;
  /** Height of one frame (sharp's pageHeight). */
  height: number;
  frames: number;
  delaysMs: number[];
  /** 0 = loop forever. */
  loop: number;
  durationMs: number;
}

/** Header facts of an animated WebP. A still WebP is reported as 'not-animated'. */
export async function probeAnimatedWebp(buf: Uint8Array, maxPixels = MAX_INPUT_PIXELS): Promise<AnimatedWebpInfo> {
  const head = await readImageHeader(buf, maxPixels);
  if (head.format !== 'webp') throw new MediaDecodeError('undecodable', `expected WebP, decoder sees ${head.format ?? 'unknown'}`);
  let meta: Metadata;
  try {
    meta = await sharp(buf, { animated: true, limitInputPixels: false }).metadata();
  } catch (err) {
    throw new MediaDecodeError('undecodable', `WebP does not decode: ${describeError(err)}`);
  }
  const frames = meta.pages ?? 1;
  if (frames < 2 && !meta.delay?.length) throw new MediaDecodeError('not-animated', 'still WebP (one frame, no animation)');
  const delaysMs = meta.delay ?? [];
  // Decode the last frame too: a truncated animation has a sound header but missing frame data.
  await decodePage(buf, frames - 1, maxPixels);
  return {
    width: meta.width ?? head.width,
    height: meta.pageHeight ?? head.height,
    frames,
    delaysMs,
    loop: meta.loop ?? 0,
    durationMs: delaysMs.reduce((a: number, b: number) => a + b, 0),
  };
}

/** Frame `n` (0-based) of an animated WebP as PNG bytes. */
export async function webpFrame(buf: Uint8Array, n: number, maxPixels = MAX_INPUT_PIXELS): Promise<Buffer> {
  const head = await readImageHeader(buf, maxPixels);
  const pages = head.pages ?? 1;
  if (!Number.isInteger(n) || n < 0 || n >= pages) throw new RangeError(`frame ${n} out of range: the WebP has ${pages} frames`);
  return decodePage(buf, n, maxPixels);
}

async function decodePage(buf: Uint8Array, n: number, maxPixels: number): Promise<Buffer> {
  try {
    return await sharp(buf, { page: n, limitInputPixels: maxPixels, failOn: 'truncated' }).png({ compressionLevel: 1 }).toBuffer();
  } catch (err) {
    throw new MediaDecodeError('undecodable', `WebP frame ${n} does not decode: ${describeError(err)}`);
  }
}

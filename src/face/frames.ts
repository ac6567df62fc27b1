/**
 * Frame sampling for video outputs: MP4 through ffmpeg (bytes on stdin, PNG frames on stdout, no temp files),
 * animated WebP through sharp (pages decoded in one pass straight to RGB when they fit a memory cap).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
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

/** Split a concatenated PNG stream (ffmpeg image2pipe) into single PNG files by walking chunks to IEND. */
export function splitPngStream(buf: Buffer): Buffer[] {
  const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < 8 || !buf.subarray(pos, pos + 8).equals(SIG)) throw new Error(`ffmpeg output is not a PNG stream at byte ${pos}`);
    let p = pos + 8;
    for (;;) {
      if (p + 8 > buf.length) throw new Error('ffmpeg PNG stream is truncated');
      const len = buf.readUInt32BE(p);
      const type = buf.toString('latin1', p + 4, p + 8);
      p += 12 + len;
      if (type === 'IEND') break;
    }
    out.push(buf.subarray(pos, p));
    pos = p;
  }
  return out;
}

/** Run ffmpeg with `input` on stdin; resolves with stdout, rejects with ffmpeg's last stderr lines. */
export function runFfmpeg(args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new Error(`ffmpeg could not start (is it installed? scripts/setup-system.sh): ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg exited ${code}: ${Buffer.concat(err).toString('utf8').trim().split('\n').slice(-3).join(' | ')}`));
    });
    // ffmpeg may stop reading early (e.g. it found what it needed); a broken pipe is not our error.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** Top-level ISO-BMFF box types in file order (stops at the first malformed header). */
export function topLevelBoxes(buf: Buffer): string[] {
  const types: string[] = [];
  let pos = 0;
  while (pos + 8 <= buf.length) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (size === 1 && pos + 16 <= buf.length) size = Number(buf.readBigUInt64BE(pos + 8));
    else if (size === 0) size = buf.length - pos;
    if (size < 8) break;
    types.push(type);
    pos += size;
  }
  return types;
}

/**
 * Whether ffmpeg can demux the MP4 from a pipe. A plain MP4 written without faststart has its `moov` index
 * after `mdat`; ffmpeg cannot seek back on stdin and fails with "partial file", so such files go through a
 * private temp file instead.
 */
export function mp4IsStreamable(buf: Buffer): boolean {
  const boxes = topLevelBoxes(buf);
  const moov = boxes.indexOf('moov');
  const mdat = boxes.indexOf('mdat');
  return moov >= 0 && (mdat < 0 || moov < mdat);
}

async function withMp4Input<T>(mp4: Buffer, fn: (inputArg: string, stdin: Buffer | undefined) => Promise<T>): Promise<T> {
  if (mp4IsStreamable(mp4)) return fn('pipe:0', mp4);
  const dir = await mkdtemp(path.join(tmpdir(), 'genprobe-face-'));
  try {
    const file = path.join(dir, 'input.mp4');
    await writeFile(file, mp4);
    return await fn(file, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Count MP4 frames and decode a sample of them as PNG. */
export async function sampleMp4Frames(mp4: Buffer, maxFrames: number): Promise<{ total: number; frames: SampledFrame[] }> {
  return withMp4Input(mp4, async (input, stdin) => {
    // Decode every frame to an 8×8 grey thumbnail to count frames without trusting container metadata.
    const counted = await runFfmpeg(['-i', input, '-vf', 'scale=8:8,format=gray', '-f', 'rawvideo', 'pipe:1'], stdin);
    const total = Math.floor(counted.length / 64);
    const wanted = frameIndices(total, maxFrames);
    if (wanted.length === 0) return { total, frames: [] };
    const expr = wanted.map((i) => `eq(n\\,${i})`).join('+');
    const stream = await runFfmpeg(['-i', input, '-vf', `select=${expr}`, '-vsync', '0', '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1'], stdin);
    const pngs = splitPngStream(stream);
    if (pngs.length !== wanted.length) throw new Error(`ffmpeg returned ${pngs.length} frames, expected ${wanted.length}`);
    return { total, frames: pngs.map((png, k) => ({ index: wanted[k], png })) };
  });
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

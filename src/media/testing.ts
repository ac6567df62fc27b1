/**
 * Real media bytes for the media and checks tests, made on the spot with sharp and the system
 * ffmpeg (a missing ffmpeg fails the tests loudly — it is a required tool). Test support only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { MediaDecodeError } from './errors.ts';

/** A scratch directory with a cleanup function (call it in afterAll). */
export function scratchDir(prefix = 'genprobe-media-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** RGB pixels of a moving gradient: plenty of luma variance in every frame. */
function gradientFrame(width: number, height: number, shift: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = (x * 3 + shift * 8) & 255;
      px[i + 1] = (y * 5) & 255;
      px[i + 2] = ((x + y) * 2) & 255;
    }
  }
  return px;
}

export async function makeStill(format: 'png' | 'jpeg' | 'webp', width = 96, height = 64): Promise<Buffer> {
  const img = sharp(gradientFrame(width, height, 0), { raw: { width, height, channels: 3 } });
  return (format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg({ quality: 90 }) : img.webp({ quality: 90 })).toBuffer();
}

/** Animated WebP the way PIL/SaveAnimatedWEBP writes it: every delay int(1000/fps), loop 0. */
export async function makeAnimatedWebp(frames = 33, delayMs = 62, width = 64, height = 48): Promise<Buffer> {
  const stacked = Buffer.concat(Array.from({ length: frames }, (_, i) => gradientFrame(width, height, i)));
  return sharp(stacked, { raw: { width, height: height * frames, channels: 3, pageHeight: height } })
    .webp({ quality: 80, delay: Array(frames).fill(delayMs), loop: 0 })
    .toBuffer();
}

export interface VideoSpec {
  width?: number;
  height?: number;
  frames?: number;
  fps?: number;
  /** lavfi source; default a moving test pattern. */
  source?: string;
  audio?: boolean;
  movflags?: string;
  /** libx264 profile (default high) and pixel format (default yuv420p). */
  profile?: string;
  pixFmt?: string;
}

/** H.264 (libx264, yuv420p) MP4 made by the system ffmpeg. */
export function makeMp4(dir: string, name: string, spec: VideoSpec = {}): Buffer {
  const { width = 832, height = 480, frames = 33, fps = 16, audio = false } = spec;
  const source = spec.source ?? `testsrc2=size=${width}x${height}:rate=${fps}`;
  const out = join(dir, `${name}.mp4`);
  const args = ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', source];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100');
  args.push('-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', spec.profile ?? 'high', '-pix_fmt', spec.pixFmt ?? 'yuv420p');
  if (audio) args.push('-c:a', 'aac', '-shortest');
  if (spec.movflags) args.push('-movflags', spec.movflags);
  args.push(out);
  execFileSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(out);
}

/** Offset of the first box of `type` (its size field), searching the raw bytes. */
export function findBox(buf: Buffer, type: string, from = 0): number {
  const at = buf.indexOf(type, from, 'latin1');
  if (at < 4) throw new Error(`no ${type} box in the test file`);
  return at - 4;
}

/** One PNG chunk: length, type, data and CRC-32 over type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A greyscale PNG of `w`×`h` black pixels, deflated whole (a few hundred KB at 100 MP: zeros
 * deflate well, but they decode to w×h bytes), or with `headerOnly` just its header and an empty IDAT.
 */
export function blackPng(w: number, h: number, headerOnly = false): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
  const idat = headerOnly ? Buffer.alloc(0) : zlib.deflateSync(Buffer.alloc((w + 1) * h), { level: 9 });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A valid PNG of width×height in one colour, deflated as a stream so neither this helper nor the
 * test ever holds the decoded image (1.2 GB at 20000²) — the decompression-bomb shape, ~5 MB.
 */
export async function makeBombPng(width: number, height: number): Promise<Buffer> {
  const chunk = pngChunk;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const first = Buffer.alloc(1 + width * 3, 0x40);
  first[0] = 0; // filter None
  // Filter Up (2) with zero deltas repeats the row above: one colour everywhere.
  const up = Buffer.alloc(1 + width * 3);
  up[0] = 2;
  const rowsPerWrite = 64;
  const slice = Buffer.concat(Array(rowsPerWrite).fill(up));
  async function* rows() {
    yield first;
    let left = height - 1;
    while (left > 0) {
      const n = Math.min(rowsPerWrite, left);
      yield n === rowsPerWrite ? slice : slice.subarray(0, n * up.length);
      left -= n;
    }
  }
  const deflate = zlib.createDeflate({ level: 1 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  await pipeline(Readable.from(rows()), deflate);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(out)), chunk('IEND', Buffer.alloc(0))]);
}

/** Frames as animated-WebP input: raw RGB pages, stacked. */
export async function animatedWebpFromFrames(frames: Buffer[], width: number, height: number, delayMs = 62): Promise<Buffer> {
  return sharp(Buffer.concat(frames), { raw: { width, height: height * frames.length, channels: 3, pageHeight: height } })
    .webp({ quality: 90, delay: Array(frames.length).fill(delayMs), loop: 0, effort: 2 })
    .toBuffer();
}

/** RGB pixels of a textured test picture (gradient + value noise), deterministic. */
export function texturedFrame(width: number, height: number, seed = 1): Buffer {
  const px = Buffer.alloc(width * height * 3);
  let n = seed >>> 0 || 1;
  for (let i = 0; i < px.length; i++) {
    n ^= n << 13;
    n ^= n >>> 17;
    n ^= n << 5;
    const pixel = Math.floor(i / 3);
    px[i] = (((pixel % width) * 200) / width + ((n >>> 0) % 40)) & 255;
  }
  return px;
}

/**
 * The MediaDecodeError `decoding` rejects with. Resolving, or rejecting with anything else, throws
 * an error saying what came instead, so the test fails on it.
 */
export async function decodeRejection(decoding: Promise<unknown>): Promise<MediaDecodeError> {
  try {
    await decoding;
  } catch (err) {
    if (err instanceof MediaDecodeError) return err;
    throw new Error(`expected a MediaDecodeError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
  throw new Error('expected a MediaDecodeError, but the decode succeeded');
}

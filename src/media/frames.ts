import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../errors/index.ts';
import { MediaDecodeError } from './errors.ts';
import { MAX_INPUT_PIXELS } from './image.ts';
import { probeMp4 } from './mp4.ts';
import { readWebpLayout, rgbaToPng, webpFrames } from './webp.ts';

export interface ExtractOptions {
  /** Keep every n-th frame, starting with frame 0 (default 1 = all). */
  every?: number;
  /** Exactly these 0-based frames, in ascending order (instead of `every`). */
  indices?: number[];
  /** Stop after this many frames (default 64). */
  max?: number;
  /** Kill ffmpeg after this long (default 30 s). */
  timeoutMs?: number;
  /** ffmpeg binary (default $GENPROBE_FFMPEG or `ffmpeg` on PATH). */
  ffmpegPath?: string;
  /** Refuse frames above this many pixels (decompression-bomb guard). */
  maxPixels?: number;
  /**
   * MP4: shrink frames (never enlarge) to fit this many pixels on their longest side, inside ffmpeg. The
   * pixel guard above reads the container's declared size; this bounds what the decoder really produced.
   */
  maxSide?: number;
}

const DEFAULT_MAX_FRAMES = 64;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Decoded PNG frames held in memory at most. */
const MAX_FFMPEG_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Decode selected frames to PNG: MP4 via the system ffmpeg, animated WebP via sharp pages. */
export async function extractFrames(buf: Uint8Array, kind: 'mp4' | 'webp-animated', options: ExtractOptions = {}): Promise<Buffer[]> {
  const every = Math.max(1, Math.floor(options.every ?? 1));
  const max = Math.max(1, Math.floor(options.max ?? DEFAULT_MAX_FRAMES));
  const indices = options.indices?.slice(0, max);
  if (indices && indices.some((n, i) => !Number.isInteger(n) || n < 0 || (i > 0 && n <= indices[i - 1]))) {
    throw new RangeError(`frame indices must be ascending non-negative integers, got ${indices.join(',')}`);
  }
  if (kind === 'webp-animated') return extractWebpFrames(buf, every, max, indices, options);
  return extractMp4Frames(buf, every, max, indices, options);
}

async function extractWebpFrames(buf: Uint8Array, every: number, max: number, indices: number[] | undefined, options: ExtractOptions): Promise<Buffer[]> {
  const pages = readWebpLayout(buf).frameCount;
  const wanted = (indices ?? Array.from({ length: Math.ceil(pages / every) }, (_, i) => i * every).slice(0, max)).filter((n) => n < pages);
  const deadline = performance.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const frames: Buffer[] = [];
  for await (const f of webpFrames(buf, wanted, { maxPixels: options.maxPixels ?? MAX_INPUT_PIXELS, deadline })) frames.push(await rgbaToPng(f));
  return frames;
}

async function extractMp4Frames(buf: Uint8Array, every: number, max: number, indices: number[] | undefined, options: ExtractOptions): Promise<Buffer[]> {
  const maxPixels = options.maxPixels ?? MAX_INPUT_PIXELS;
  // Headers first: garbage gets the parser's reason, and a huge frame size never reaches ffmpeg.
  const info = await probeMp4(buf);
  if (info.width * info.height > maxPixels) {
    throw new MediaDecodeError('pixel-limit', `video frames are ${info.width}×${info.height}, above the ${maxPixels / 1e6} MP limit`);
  }
  // A temp file, not stdin: moov-at-end MP4s need a seekable input.
  const dir = await mkdtemp(join(tmpdir(), 'genprobe-frames-'));
  const input = join(dir, 'input.mp4');
  try {
    await writeFile(input, buf);
    // The format and protocol are stated, never guessed from the bytes or the name (issue 13 item 9):
    // a body that looks like an HLS playlist or a concat script must not make ffmpeg open other files or URLs.
    const args = [...MP4_INPUT_ARGS, '-i', input];
    const filters: string[] = [];
    if (indices) filters.push(`select=${indices.map((n) => `eq(n\\,${n})`).join('+') || '0'}`);
    else if (every > 1) filters.push(`select=not(mod(n\\,${every}))`);
    if (options.maxSide) filters.push(`scale=w='min(iw\\,${options.maxSide})':h='min(ih\\,${options.maxSide})':force_original_aspect_ratio=decrease`);
    if (filters.length) args.push('-vf', filters.join(','));
    args.push('-vsync', '0', '-frames:v', String(indices ? indices.length || 1 : max), '-f', 'image2pipe', '-c:v', 'png', '-compression_level', '1', 'pipe:1');
    const stdout = await runFfmpeg(args, { bin: options.ffmpegPath, timeoutMs: options.timeoutMs });
    const frames = splitPngStream(stdout);
    if (frames.length === 0) throw new MediaDecodeError('ffmpeg-failed', 'ffmpeg decoded no video frames');
    return frames;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** ffmpeg input options for an MP4 body in a temp file: the mov/mp4 demuxer, local files only. */
export const MP4_INPUT_ARGS: readonly string[] = ['-protocol_whitelist', 'file', '-f', 'mov'];

export interface FfmpegOptions {
  /** Bytes for ffmpeg's stdin (`-i pipe:0`). */
  input?: Buffer;
  /** Kill ffmpeg after this long (default 30 s). */
  timeoutMs?: number;
  /** ffmpeg binary (default $GENPROBE_FFMPEG or `ffmpeg` on PATH). */
  bin?: string;
}

/** ffmpeg's stdout, or a MediaDecodeError naming what went wrong (missing binary, exit code, timeout). */
export function runFfmpeg(args: string[], opts: FfmpegOptions = {}): Promise<Buffer> {
  const bin = opts.bin ?? process.env.GENPROBE_FFMPEG ?? 'ffmpeg';
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const quiet = ['-hide_banner', '-loglevel', 'error', ...(opts.input === undefined ? ['-nostdin'] : [])];
    const child = spawn(bin, [...quiet, ...args], { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (opts.input !== undefined) {
      // ffmpeg may stop reading early (it found what it needed); a broken pipe is not our error.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    }
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    let overflow = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let outBytes = 0;
    child.stdout!.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > MAX_FFMPEG_OUTPUT_BYTES) {
        overflow = true;
        child.kill('SIGKILL');
      } else out.push(c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (err.length < 4000) err += c.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') {
        reject(new MediaDecodeError('ffmpeg-missing', `ffmpeg not found (${bin}); install it (scripts/setup-system.sh) or set GENPROBE_FFMPEG`));
      } else reject(new MediaDecodeError('ffmpeg-failed', `could not start ffmpeg: ${describeError(e)}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new MediaDecodeError('timeout', `ffmpeg killed after ${timeoutMs} ms`));
      if (overflow) {
        return reject(new MediaDecodeError('ffmpeg-failed', `ffmpeg output above ${MAX_FFMPEG_OUTPUT_BYTES >> 20} MiB; ask for fewer frames`));
      }
      if (code !== 0) {
        const last = err.trim().split('\n').slice(-2).join(' | ') || `signal ${signal}`;
        return reject(new MediaDecodeError('ffmpeg-failed', `ffmpeg exited ${code}: ${last}`));
      }
      resolve(Buffer.concat(out));
    });
  });
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Split concatenated PNGs (image2pipe output) by walking chunks up to each IEND. */
export function splitPngStream(stream: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at < stream.length) {
    if (stream.length - at < 8 || !stream.subarray(at, at + 8).equals(PNG_SIGNATURE)) {
      throw new MediaDecodeError('ffmpeg-failed', `ffmpeg output is not a PNG stream at byte ${at}`);
    }
    let p = at + 8;
    for (;;) {
      if (p + 12 > stream.length) throw new MediaDecodeError('ffmpeg-failed', 'ffmpeg PNG stream ends inside a frame');
      const len = stream.readUInt32BE(p);
      const type = stream.toString('latin1', p + 4, p + 8);
      p += 12 + len;
      if (type === 'IEND') break;
    }
    frames.push(stream.subarray(at, p));
    at = p;
  }
  return frames;
}

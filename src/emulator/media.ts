/**
 * Media inputs as the fleet receives them (docs/fleet.md §2.2): data URLs or raw base64, decoded
 * with Python's lenient rules, then opened the way ComfyUI/PIL/ffmpeg would open them. Failures
 * are thrown as the Python exceptions the fleet raises, so routes answer with the fleet's bodies.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PyErr } from './pyerrors.ts';

const B64_ALPHABET = /[^A-Za-z0-9+/=]/g;

/**
 * Python `base64.b64decode(s)` without `validate=True`: non-alphabet characters are dropped, then
 * padding is enforced (binascii.Error "Incorrect padding").
 */
export function pyB64decode(text: string): Buffer {
  const cleaned = text.replace(B64_ALPHABET, '');
  const data = cleaned.replace(/=+$/, '');
  if (data.includes('=')) throw new PyErr('Error', 'Incorrect padding', 0, 'base64.b64decode(data)');
  if (data.length % 4 === 1) {
    throw new PyErr(
      'Error',
      `Invalid base64-encoded string: number of data characters (${data.length}) cannot be 1 more than a multiple of 4`,
      0,
      'base64.b64decode(data)',
    );
  }
  const padNeeded = (4 - (data.length % 4)) % 4;
  if (cleaned.length - data.length < padNeeded) throw new PyErr('Error', 'Incorrect padding', 0, 'base64.b64decode(data)');
  return Buffer.from(data, 'base64');
}

export interface MediaField {
  bytes: Buffer;
  /** MIME from the data URL header, if any. */
  mime: string | null;
}

/** `data:<mime>;base64,…` or raw base64 (z_image, qwen, wan handlers). */
export function decodeDataUrlOrRaw(value: unknown): MediaField {
  if (typeof value !== 'string') {
    throw new PyErr('TypeError', `argument should be a bytes-like object or ASCII string, not '${pyTypeName(value)}'`);
  }
  if (value.startsWith('data:')) {
    const comma = value.indexOf(',');
    if (comma < 0) throw new PyErr('ValueError', 'not enough values to unpack (expected 2, got 1)', 0, 'header, data = image_data.split(",", 1)');
    const mime = value.slice(5, comma).split(';')[0] || null;
    return { bytes: pyB64decode(value.slice(comma + 1)), mime };
  }
  return { bytes: pyB64decode(value), mime: null };
}

export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'dict';
  return 'str';
}

export interface ImageInfo {
  bytes: Buffer;
  width: number;
  height: number;
}

/** Opens an image the way PIL/ComfyUI LoadImage does; unreadable → "cannot identify image file". */
export async function openImage(bytes: Buffer, savedAs: string): Promise<ImageInfo> {
  try {
    if (bytes.length === 0) throw new Error('empty');
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height) throw new Error('no dims');
    // Decode fully: a truncated file has a valid header but fails here, like PIL's load().
    await sharp(bytes).raw().toBuffer();
    const rotated = meta.orientation && meta.orientation >= 5;
    return { bytes, width: rotated ? meta.height : meta.width, height: rotated ? meta.width : meta.height };
  } catch {
    throw new PyErr('UnidentifiedImageError', `cannot identify image file '/root/comfy/ComfyUI/input/${savedAs}'`, 0, 'Image.open(image_path)');
  }
}

export function newInputName(ext: string): string {
  return `${randomBytes(6).toString('hex')}.${ext}`;
}

// ---------------------------------------------------------------------------------------------
// ffmpeg / ffprobe (system tools; their absence is a setup error and must fail loudly)

export interface ProcResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function runTool(cmd: 'ffmpeg' | 'ffprobe', args: string[], stdin?: Buffer): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new Error(`emulator needs the system tool ${cmd}: ${e.message}`)));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined); // ffmpeg may exit before reading all input
    if (stdin) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

/** Runs `fn` with a private temp directory that is always removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'genprobe-emu-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface VideoInfo {
  container: 'webp' | 'other';
  width: number;
  height: number;
  frames: number;
  fps: number;
  durationSec: number;
  hasAudio: boolean;
}

function isWebp(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP';
}

/**
 * Probes a video input. Animated WebP goes through sharp (ffmpeg 5.1 cannot decode it); anything
 * else through ffprobe, whose stderr becomes the error text (e.g. "moov atom not found").
 */
export async function probeVideo(bytes: Buffer): Promise<VideoInfo> {
  if (isWebp(bytes)) {
    const meta = await sharp(bytes, { animated: true }).metadata().catch(() => null);
    if (!meta || !meta.width) throw new Error('Invalid data found when processing input (webp)');
    const frames = meta.pages ?? 1;
    const height = meta.pageHeight ?? meta.height ?? 0;
    const delay = meta.delay?.[0] ?? 62;
    return { container: 'webp', width: meta.width, height, frames, fps: delay > 0 ? 1000 / delay : 16, durationSec: (frames * delay) / 1000, hasAudio: false };
  }
  return withTempDir(async (dir) => {
    const file = join(dir, 'input.mp4');
    await writeFile(file, bytes);
    const res = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height,r_frame_rate,nb_frames:format=duration', '-of', 'json', file]);
    if (res.code !== 0) throw new Error(res.stderr.trim().split('\n').slice(-2).join('\n') || 'Invalid data found when processing input');
    const parsed = JSON.parse(res.stdout.toString('utf8')) as {
      streams?: { codec_type: string; width?: number; height?: number; r_frame_rate?: string; nb_frames?: string }[];
      format?: { duration?: string };
    };
    const video = parsed.streams?.find((s) => s.codec_type === 'video');
    if (!video?.width || !video.height) throw new Error(`${file}: Invalid data found when processing input`);
    const [num, den] = (video.r_frame_rate ?? '25/1').split('/').map(Number);
    const fps = den ? num / den : 25;
    const durationSec = Number(parsed.format?.duration ?? 0);
    const frames = Number(video.nb_frames) || Math.max(1, Math.round(durationSec * fps));
    return {
      container: 'other',
      width: video.width,
      height: video.height,
      frames,
      fps,
      durationSec,
      hasAudio: !!parsed.streams?.some((s) => s.codec_type === 'audio'),
    };
  });
}

/**
 * Decodes a video (or a still image, which ffmpeg reads as one frame) into raw RGB frames at its
 * own size, optionally resampled with `-vf fps=N` like the batch faceswap handler.
 */
export async function decodeFrames(bytes: Buffer, info: VideoInfo, opts: { fps?: number; maxFrames: number }): Promise<Buffer[]> {
  const frameSize = info.width * info.height * 3;
  let raw: Buffer;
  if (info.container === 'webp') {
    raw = await sharp(bytes, { animated: true }).removeAlpha().raw().toBuffer();
  } else {
    raw = await withTempDir(async (dir) => {
      const file = join(dir, 'input.bin');
      await writeFile(file, bytes);
      const vf = opts.fps ? ['-vf', `fps=${opts.fps}`] : [];
      const res = await runTool('ffmpeg', ['-v', 'error', '-i', file, ...vf, '-frames:v', String(opts.maxFrames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
      if (res.code !== 0) throw new Error(res.stderr.trim() || 'ffmpeg failed');
      return res.stdout;
    });
  }
  const frames: Buffer[] = [];
  for (let off = 0; off + frameSize <= raw.length && frames.length < opts.maxFrames; off += frameSize) {
    frames.push(raw.subarray(off, off + frameSize));
  }
  return frames;
}

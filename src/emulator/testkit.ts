/**
 * Helpers for the emulator's own tests: plain undici requests (not genprobe's client), fixture
 * loading, ffprobe of MP4 bytes, and a cheap pixel correlation to tell which face is in a picture.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { request } from 'undici';
import { runTool, withTempDir } from './media.ts';
import { FACE_SHARE } from './render.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function fixture(rel: string): Buffer {
  return readFileSync(join(fixtures, rel));
}

export function dataUrl(rel: string, mime = rel.endsWith('.jpg') ? 'image/jpeg' : rel.endsWith('.mp4') ? 'video/mp4' : rel.endsWith('.webp') ? 'image/webp' : 'image/png'): string {
  return `data:${mime};base64,${fixture(rel).toString('base64')}`;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  json(): unknown;
}

export async function http(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const r = await request(url, { method: method as 'GET', body, headers: { 'content-type': 'application/json', ...init.headers } });
  const buf = Buffer.from(await r.body.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return { status: r.statusCode, headers, body: buf, text: buf.toString('utf8'), json: () => JSON.parse(buf.toString('utf8')) };
}

/** POST, then follow 303s with GET like a browser/fetch would (bounded). */
export async function postFollow(url: string, body: unknown, headers: Record<string, string> = {}, maxRedirects = 50): Promise<Answer & { redirects: number }> {
  let ans = await http(url, { body, headers });
  let redirects = 0;
  while (ans.status === 303 && redirects < maxRedirects) {
    redirects++;
    ans = await http(ans.headers.location, { method: 'GET' });
  }
  return { ...ans, redirects };
}

export interface Mp4Probe {
  codec: string;
  profile: string;
  pixFmt: string;
  width: number;
  height: number;
  frames: number;
  fps: string;
  hasAudio: boolean;
}

export async function probeMp4(bytes: Buffer): Promise<Mp4Probe> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'x.mp4');
    await writeFile(file, bytes);
    const res = await runTool('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,profile,pix_fmt,width,height,nb_read_frames,r_frame_rate', '-of', 'json', file]);
    if (res.code !== 0) throw new Error(`ffprobe: ${res.stderr}`);
    const streams = (JSON.parse(res.stdout.toString()) as { streams: Record<string, string | number>[] }).streams;
    const v = streams.find((s) => s.codec_type === 'video')!;
    return {
      codec: String(v.codec_name),
      profile: String(v.profile),
      pixFmt: String(v.pix_fmt),
      width: Number(v.width),
      height: Number(v.height),
      frames: Number(v.nb_read_frames),
      fps: String(v.r_frame_rate),
      hasAudio: streams.some((s) => s.codec_type === 'audio'),
    };
  });
}

/** First frame of an MP4 as PNG. */
export async function mp4FirstFrame(bytes: Buffer): Promise<Buffer> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'x.mp4');
    await writeFile(file, bytes);
    const res = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1']);
    if (res.code !== 0) throw new Error(`ffmpeg: ${res.stderr}`);
    return res.stdout;
  });
}

async function grey64(img: Buffer, region?: { left: number; top: number; width: number; height: number }): Promise<Float64Array> {
  let s = sharp(img).rotate();
  if (region) s = s.extract(region);
  const raw = await s.resize(64, 64, { fit: 'cover' }).greyscale().raw().toBuffer();
  return Float64Array.from(raw);
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

/** Correlation of the output's centre square (62 % of the short side) with a reference picture. */
export async function centreCorrelation(output: Buffer, reference: Buffer): Promise<number> {
  const meta = await sharp(output).metadata();
  const w = meta.width!;
  const h = meta.pageHeight ?? meta.height!;
  const size = Math.round(Math.min(w, h) * FACE_SHARE);
  const region = { left: Math.round((w - size) / 2), top: Math.round((h - size) / 2), width: size, height: size };
  return pearson(await grey64(output, region), await grey64(reference));
}

/** Mean pixel value (0–255) over all channels. */
export async function meanLevel(img: Buffer): Promise<number> {
  const stats = await sharp(img).stats();
  return stats.channels.slice(0, 3).reduce((s, c) => s + c.mean, 0) / 3;
}

/** Reads the `tEXt prompt` chunk of a PNG. */
export function pngPrompt(png: Buffer): Record<string, unknown> | null {
  let off = 8;
  while (off + 8 <= png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    if (type === 'tEXt') {
      const data = png.subarray(off + 8, off + 8 + len);
      const zero = data.indexOf(0);
      if (data.toString('latin1', 0, zero) === 'prompt') return JSON.parse(data.toString('latin1', zero + 1)) as Record<string, unknown>;
    }
    off += 12 + len;
  }
  return null;
}

/**
 * Real output bytes for emulated routes: pictures that look like pictures (seeded gradients,
 * shapes and noise), the request's reference face composited where the fleet preserves identity,
 * encoded the way the fleet encodes (ComfyUI PNG with a `tEXt prompt` chunk, PIL JPEG q95,
 * animated WebP q90 loop 0, H.264 High yuv420p MP4). Deterministic: same plan ⇒ same bytes.
 * Encoding costs CPU on a shared 2-core box, so results are cached (LRU, bounded bytes) and
 * renders run at most two at a time.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { mulberry32 } from '../media/random.ts';
import { frameBombWebp } from '../media/webp-writer.ts';
import type { OutputPlan } from './fleet/index.ts';
import { decodeFrames, runTool, withTempDir } from './media.ts';

/** What output faults add to a plan (src/emulator/faults.ts): degraded pictures and hostile encodings. */
export interface RenderFaults {
  /** Every video frame is the first one (frozen fault). */
  frozen?: boolean;
  /** Rendered at 8×8 and scaled up (no-detail fault). */
  noDetail?: boolean;
  /**
   * How the no-detail picture is made: the tiny side and the kernel that scales it up (default 8,
   * sharp's lanczos3). 'nearest' gives hard-edged blocks, which a neighbour-step count mistakes for detail.
   */
  noDetailScale?: { side?: number; kernel?: NoDetailKernel };
  /** MP4 as H.264 High 4:4:4 Predictive, yuv444p (yuv444 fault). */
  yuv444?: boolean;
  /** An animated WebP of this many 1-pixel frames instead of the picture (frame-bomb fault). */
  frameBomb?: number;
}
export type RenderPlan = OutputPlan & RenderFaults;

/** The renderer's generator: mulberry32 from the seed xor the golden-ratio constant (the stream every rendered picture and golden file was drawn from). */
export function prng(seed: number): () => number {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

/** Folds a JS number seed (may exceed 2^32) into 32 bits without losing high-bit variation. */
function seed32(seed: number): number {
  const hi = Math.floor(seed / 2 ** 32);
  return (seed >>> 0) ^ Math.imul(hi >>> 0, 0x85ebca6b);
}

interface Shape {
  kind: 'circle' | 'rect';
  cx: number;
  cy: number;
  r: number;
  vx: number;
  vy: number;
  color: [number, number, number];
}

/**
 * One frame of a seeded synthetic scene; `t` ∈ [0,1) moves the shapes for video. The grain is
 * static across frames (like a real video's texture) so animated outputs stay realistically sized.
 */
export function sceneFrame(width: number, height: number, seed: number, t = 0): Buffer {
  const rnd = prng(seed32(seed));
  const c0 = [rnd() * 255, rnd() * 255, rnd() * 255];
  const c1 = [rnd() * 255, rnd() * 255, rnd() * 255];
  const shapes: Shape[] = [];
  const n = 5 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    shapes.push({
      kind: rnd() < 0.5 ? 'circle' : 'rect',
      cx: rnd() * width,
      cy: rnd() * height,
      r: (0.06 + rnd() * 0.18) * Math.min(width, height),
      vx: (rnd() - 0.5) * 0.25 * width,
      vy: (rnd() - 0.5) * 0.25 * height,
      color: [rnd() * 255, rnd() * 255, rnd() * 255],
    });
  }
  const buf = Buffer.allocUnsafe(width * height * 3);
  let noise = seed32(seed) | 1;
  const d0 = c1[0] - c0[0];
  const d1 = c1[1] - c0[1];
  const d2 = c1[2] - c0[2];
  const inv = 1 / (2 * width);
  for (let y = 0; y < height; y++) {
    const gy = y / (2 * height);
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      const g = x * inv + gy;
      noise ^= noise << 13;
      noise ^= noise >>> 17;
      noise ^= noise << 5;
      const nz = ((noise >>> 0) % 13) - 6;
      buf[o] = clamp(c0[0] + d0 * g + nz);
      buf[o + 1] = clamp(c0[1] + d1 * g + nz);
      buf[o + 2] = clamp(c0[2] + d2 * g + nz);
    }
  }
  for (const s of shapes) {
    const cx = s.cx + s.vx * t;
    const cy = s.cy + s.vy * t;
    const ry = s.kind === 'circle' ? s.r : s.r * 0.7;
    const x0 = Math.max(0, Math.floor(cx - s.r));
    const x1 = Math.min(width, Math.ceil(cx + s.r));
    const y0 = Math.max(0, Math.floor(cy - ry));
    const y1 = Math.min(height, Math.ceil(cy + ry));
    const r2 = s.r * s.r;
    const [sr, sg, sb] = [s.color[0] * 0.8, s.color[1] * 0.8, s.color[2] * 0.8];
    for (let y = y0; y < y1; y++) {
      const dy = y - cy;
      for (let x = x0; x < x1; x++) {
        const dx = x - cx;
        if (s.kind === 'circle' && dx * dx + dy * dy >= r2) continue;
        const o = (y * width + x) * 3;
        buf[o] = (sr + buf[o] * 0.2) | 0;
        buf[o + 1] = (sg + buf[o + 1] * 0.2) | 0;
        buf[o + 2] = (sb + buf[o + 2] * 0.2) | 0;
      }
    }
  }
  return buf;
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v | 0);

function nearBlackFrame(width: number, height: number, seed: number): Buffer {
  const rnd = prng(seed32(seed) ^ 0xb1a4c);
  const buf = Buffer.allocUnsafe(width * height * 3);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rnd() * 5);
  return buf;
}

/** Nearest-neighbour resample of a raw RGB frame (cheap; only used when dims differ). */
function resampleRaw(src: Buffer, sw: number, sh: number, w: number, h: number): Buffer {
  if (sw === w && sh === h) return src;
  const out = Buffer.allocUnsafe(w * h * 3);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(sh - 1, Math.floor((y * sh) / h));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(sw - 1, Math.floor((x * sw) / w));
      src.copy(out, (y * w + x) * 3, (sy * sw + sx) * 3, (sy * sw + sx) * 3 + 3);
    }
  }
  return out;
}

/** Crops a w×h window at (ox, oy) out of a larger raw RGB image. */
function cropRaw(src: Buffer, sw: number, w: number, h: number, ox: number, oy: number): Buffer {
  const out = Buffer.allocUnsafe(w * h * 3);
  for (let y = 0; y < h; y++) src.copy(out, y * w * 3, ((oy + y) * sw + ox) * 3, ((oy + y) * sw + ox + w) * 3);
  return out;
}

/** Pastes a size×size face into the frame centre, shifted by (dx, dy). */
function pasteCentre(frame: Buffer, w: number, h: number, face: Buffer, size: number, dx: number, dy: number): void {
  const x0 = Math.round((w - size) / 2 + dx);
  const y0 = Math.round((h - size) / 2 + dy);
  for (let y = 0; y < size; y++) {
    const fy = y0 + y;
    if (fy < 0 || fy >= h) continue;
    const xs = Math.max(0, -x0);
    const xe = Math.min(size, w - x0);
    if (xe <= xs) continue;
    face.copy(frame, (fy * w + x0 + xs) * 3, (y * size + xs) * 3, (y * size + xe) * 3);
  }
}

/** Share of the short side the pasted identity covers (the reference image, not just its face). */
export const FACE_SHARE = 0.9;

/**
 * The reference is pasted whole, so its face must stay large enough for a face model to embed it:
 * on 832×480 video a 0.62 share left a ~60 px face and identity scores collapsed.
 */
export function faceSize(width: number, height: number): number {
  return Math.max(8, Math.round(Math.min(width, height) * FACE_SHARE));
}

async function toRawSquare(image: Buffer, size: number): Promise<Buffer> {
  return sharp(image).rotate().resize(size, size, { fit: 'cover' }).removeAlpha().raw().toBuffer();
}

/** Frames (raw RGB, plan dims) before encoding. */
async function buildFrames(plan: OutputPlan, frameCount: number): Promise<Buffer[]> {
  const { width: w, height: h } = plan;
  // Animated WebP frames must differ from their neighbours: libwebp's animation encoder merges
  // identical frames (a 17-frame blank WebP came out as a 1-frame still) while the fault promises
  // the right frame count. MP4 keeps every frame, so there the frames stay identical (and tiny).
  const alternate = plan.kind === 'webp-anim';
  if (plan.quality === 'tiny') {
    const grey = (level: number) => Buffer.alloc(w * h * 3, level);
    const greys = [grey(0x80), grey(alternate ? 0x88 : 0x80)];
    return Array.from({ length: frameCount }, (_, i) => greys[i % 2]);
  }
  if (plan.quality === 'blank') {
    // The mirror image (4 − v) differs by up to 4 levels, more than libwebp's lossy "similar
    // pixel" tolerance (3 at quality 90), yet stays within the fault's 0–4 range.
    const dark = nearBlackFrame(w, h, plan.seed);
    const darks = [dark, alternate ? Buffer.from(dark.map((v) => 4 - v)) : dark];
    return Array.from({ length: frameCount }, (_, i) => darks[i % 2]);
  }
  const motion = frameCount > 1;
  let frames: Buffer[];
  const base = plan.base;
  if (base.type === 'scene') {
    frames = Array.from({ length: frameCount }, (_, i) => sceneFrame(w, h, plan.seed, motion ? i / frameCount : 0));
  } else if (base.type === 'image') {
    // Slightly larger than the output so video frames can pan across it (i2v camera motion).
    const margin = motion ? Math.max(2, Math.round(Math.min(w, h) * 0.04)) : 0;
    const bw = w + 2 * margin;
    const bh = h + 2 * margin;
    const big = await sharp(base.bytes)
      .rotate()
      .resize(bw, bh, { fit: base.crop === 'cover' ? 'cover' : 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer();
    frames = Array.from({ length: frameCount }, (_, i) => {
      if (!motion) return big;
      const a = (2 * Math.PI * i) / frameCount;
      return cropRaw(big, bw, w, h, margin + Math.round(Math.sin(a) * margin), margin + Math.round((Math.cos(a) - 1) * margin * 0.5));
    });
  } else {
    const decoded = await decodeFrames(base.bytes, base.info, { fps: base.fps, maxFrames: 600 });
    if (decoded.length === 0) throw new Error('No frames extracted from video');
    frames = decoded.map((f) => resampleRaw(f, base.info.width, base.info.height, w, h));
    frames = adjustCount(frames, frameCount);
  }
  if (plan.face) {
    const size = faceSize(w, h);
    const face = await toRawSquare(plan.face, size);
    frames = frames.map((f, i) => {
      const copy = Buffer.from(f);
      const a = motion ? (2 * Math.PI * i) / frameCount : 0;
      pasteCentre(copy, w, h, face, size, motion ? Math.sin(a) * size * 0.03 : 0, motion ? Math.cos(a) * size * 0.02 : 0);
      return copy;
    });
  }
  return frames;
}

/** Side of the tiny picture the no-detail fault scales up. */
const NO_DETAIL_SIDE = 8;
export type NoDetailKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

/** Applies the picture faults to rendered frames (raw RGB at plan size). */
async function degradeFrames(plan: RenderPlan, frames: Buffer[]): Promise<Buffer[]> {
  const { width: w, height: h } = plan;
  let out = frames;
  if (plan.noDetail) {
    const side = plan.noDetailScale?.side ?? NO_DETAIL_SIDE;
    const kernel = plan.noDetailScale?.kernel ?? 'lanczos3';
    out = await Promise.all(
      out.map(async (f) => {
        const tiny = await sharp(f, { raw: { width: w, height: h, channels: 3 } }).resize(side, side, { fit: 'fill' }).raw().toBuffer();
        return sharp(tiny, { raw: { width: side, height: side, channels: 3 } }).resize(w, h, { fit: 'fill', kernel }).raw().toBuffer();
      }),
    );
  }
  if (plan.frozen && out.length > 1) {
    // libwebp merges identical frames into one: WebP frames differ in a 4×4 corner patch (16 pixels).
    const first = out[0];
    const marked = Buffer.from(first);
    for (let y = 0; y < Math.min(4, h); y++) for (let x = 0; x < Math.min(4, w); x++) marked.fill(marked[(y * w + x) * 3] ^ 0x80, (y * w + x) * 3, (y * w + x) * 3 + 3);
    out = out.map((_, i) => (plan.kind === 'webp-anim' && i % 2 ? marked : first));
  }
  return out;
}

function adjustCount(frames: Buffer[], count: number): Buffer[] {
  if (frames.length === count) return frames;
  if (frames.length > count) return frames.slice(0, count);
  return [...frames, ...Array.from({ length: count - frames.length }, () => frames[frames.length - 1])];
}

/** Number of frames the plan produces (video bases: decided after decoding, see buildFrames). */
function plannedFrames(plan: OutputPlan): number {
  return Math.max(1, plan.frames + (plan.frameDelta ?? 0));
}

// ---------------------------------------------------------------------------------------------
// encoders

/** Inserts a PNG `tEXt` chunk right after IHDR, as ComfyUI's SaveImage does for `prompt`. */
export function insertPngText(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const type = Buffer.from('tEXt', 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0);
  const ihdrEnd = 8 + 8 + 13 + 4;
  return Buffer.concat([png.subarray(0, ihdrEnd), len, type, data, crc, png.subarray(ihdrEnd)]);
}

async function encodeStill(plan: OutputPlan, frame: Buffer): Promise<Buffer> {
  const img = sharp(frame, { raw: { width: plan.width, height: plan.height, channels: 3 } });
  switch (plan.kind) {
    case 'jpeg':
      return img.jpeg({ quality: 95, chromaSubsampling: '4:2:0' }).toBuffer();
    case 'webp':
      return img.webp({ quality: 90 }).toBuffer();
    default: {
      const png = await img.png({ compressionLevel: 4 }).toBuffer();
      // ComfyUI writes the API prompt with ASCII-escaped JSON (json.dumps default).
      return plan.comfyPrompt ? insertPngText(png, 'prompt', JSON.stringify(plan.comfyPrompt).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)) : png;
    }
  }
}

/** Frame duration the fleet writes: `int(1000 / fps)` ms (62 ms at 16 fps). */
export function webpDelayMs(fps: number): number {
  return Math.trunc(1000 / fps);
}

/**
 * libwebp merges a frame identical to the one before into it (longer delay, one frame fewer): a
 * slow pan repeats integer crop offsets, and a 161-frame i2v WebP came out with 128 frames. Such a
 * frame gets a 4×4 corner patch shifted by 16 levels (above libwebp's similarity tolerance), so
 * the count is what the route promises; 16 pixels of 400,000 change nothing a check measures.
 */
function keepEveryFrame(frames: Buffer[], width: number): Buffer[] {
  const out = frames.slice();
  for (let i = 1; i < out.length; i++) {
    if (!out[i].equals(out[i - 1])) continue;
    const marked = Buffer.from(out[i]);
    for (let y = 0; y < 4; y++) for (let x = 0; x < Math.min(4, width); x++) for (let c = 0; c < 3; c++) marked[(y * width + x) * 3 + c] ^= 0x10;
    out[i] = marked;
  }
  return out;
}

async function encodeWebpAnim(plan: OutputPlan, frames: Buffer[]): Promise<Buffer> {
  const stacked = Buffer.concat(plan.height >= 4 ? keepEveryFrame(frames, plan.width) : frames);
  return sharp(stacked, { raw: { width: plan.width, height: plan.height * frames.length, channels: 3, pageHeight: plan.height } })
    .webp({ quality: 90, loop: 0, delay: frames.map(() => webpDelayMs(plan.fps)), effort: 2 })
    .toBuffer();
}

async function encodeMp4(plan: RenderPlan, frames: Buffer[]): Promise<Buffer> {
  return withTempDir(async (dir) => {
    const out = join(dir, 'out.mp4');
    const inputs = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${plan.width}x${plan.height}`, '-framerate', String(plan.fps), '-i', 'pipe:0'];
    const audio: string[] = [];
    if (plan.keepAudio && plan.base.type === 'video' && plan.base.info.hasAudio) {
      const src = join(dir, 'source.mp4');
      await writeFile(src, plan.base.bytes);
      inputs.push('-i', src);
      audio.push('-map', '0:v:0', '-map', '1:a:0?', '-c:a', 'aac', '-shortest');
    }
    const crf = plan.keepAudio ? '19' : '18';
    const [profile, pixFmt] = plan.yuv444 ? ['high444', 'yuv444p'] : ['high', 'yuv420p'];
    const args = ['-v', 'error', '-y', ...inputs, ...audio, '-c:v', 'libx264', '-profile:v', profile, '-preset', 'veryfast', '-crf', crf, '-pix_fmt', pixFmt, '-movflags', '+faststart', out];
    const res = await runTool('ffmpeg', args, Buffer.concat(frames));
    if (res.code !== 0) throw new Error(`ffmpeg failed to encode MP4: ${res.stderr.trim()}`);
    return readFile(out);
  });
}

async function renderUncached(plan: RenderPlan): Promise<Buffer> {
  if (plan.kind === 'mp4' && (plan.width % 2 || plan.height % 2)) {
    plan = { ...plan, width: plan.width - (plan.width % 2), height: plan.height - (plan.height % 2) };
  }
  if (plan.frameBomb && plan.kind === 'webp-anim') return frameBomb(plan, plan.frameBomb);
  const still = plan.kind === 'png' || plan.kind === 'jpeg' || plan.kind === 'webp';
  const count = still ? 1 : plannedFrames(plan);
  const frames = await degradeFrames(plan, await buildFrames(plan, count));
  if (still) return encodeStill(plan, frames[0]);
  if (plan.kind === 'webp-anim') return encodeWebpAnim(plan, frames);
  return encodeMp4(plan, frames);
}

/** A frame-count bomb on the plan's canvas: one grey lossless pixel per frame, at the plan's delay. */
async function frameBomb(plan: RenderPlan, frames: number): Promise<Buffer> {
  const pixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).webp({ lossless: true }).toBuffer();
  return frameBombWebp(plan.width, plan.height, frames, pixel, webpDelayMs(plan.fps));
}

// ---------------------------------------------------------------------------------------------
// cache + concurrency

export class Renderer {
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly sizes = new Map<string, number>();
  private cachedBytes = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  renders = 0;
  hits = 0;

  constructor(
    private readonly maxCacheBytes = 256 * 1024 * 1024,
    private readonly maxParallel = 2,
  ) {}

  /** Renders (or returns the cached bytes for) a plan. */
  render(plan: RenderPlan): Promise<Buffer> {
    const key = hashPlan(plan);
    const hit = this.cache.get(key);
    if (hit) {
      this.hits++;
      this.cache.delete(key); // LRU: move to the end
      this.cache.set(key, hit);
      return hit;
    }
    const job = this.limited(() => renderUncached(plan));
    this.cache.set(key, job);
    job.then(
      (buf) => {
        if (!this.cache.has(key)) return;
        this.sizes.set(key, buf.length);
        this.cachedBytes += buf.length;
        this.evict();
      },
      () => this.cache.delete(key),
    );
    return job;
  }

  private evict(): void {
    for (const key of this.cache.keys()) {
      if (this.cachedBytes <= this.maxCacheBytes) break;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still rendering
      this.cache.delete(key);
      this.sizes.delete(key);
      this.cachedBytes -= size;
    }
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxParallel) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    this.renders++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  stats(): { entries: number; bytes: number; renders: number; hits: number } {
    return { entries: this.cache.size, bytes: this.cachedBytes, renders: this.renders, hits: this.hits };
  }
}

/** Hashes buffers directly (JSON.stringify of a Buffer is slow for megabyte inputs). */
function hashPlan(plan: RenderPlan): string {
  const h = createHash('sha1');
  const { base, face, ...rest } = plan;
  h.update(JSON.stringify(rest));
  h.update(JSON.stringify({ type: base.type, crop: base.type === 'image' ? base.crop : undefined, fps: base.type === 'video' ? base.fps : undefined }));
  if (base.type !== 'scene') h.update(base.bytes);
  h.update(face ? face : Buffer.alloc(0));
  return h.digest('hex');
}

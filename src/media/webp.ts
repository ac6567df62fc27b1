import sharp, { type OutputInfo } from 'sharp';
import { describeError } from '../errors/index.ts';
import { MediaDecodeError } from './errors.ts';
import { MAX_INPUT_PIXELS } from './image.ts';
import { riffWebp } from './webp-writer.ts';

/**
 * Animated WebP without trusting a decoder with the whole file: the RIFF chunk headers are walked
 * first (frame count, canvas, delays — no pixels), counts far beyond what was asked for are refused
 * before anything is decoded, and frames are decoded one ANMF bitstream at a time. libvips renders
 * page n by compositing every page before it, so sampling 8 frames of a 100,000-frame file kept a
 * gate at 100 % CPU for minutes (issue 18); here sampling costs at most the frames since the last
 * keyframe (libwebp's rule), and every step runs against a deadline.
 */

/**
 * Frames refused outright, whatever was requested: the fleet's longest video is a few hundred frames
 * (wan2.6 at 16 fps for 10 s is 161; jatidevelopments/ryla@57209b5:apps/modal/handlers/wan26.py).
 */
export const MAX_ANIMATION_FRAMES = 2000;

export interface AnimatedWebpInfo {
  width: number;
  /** Height of one frame (the canvas). */
  height: number;
  frames: number;
  delaysMs: number[];
  /** 0 = loop forever. */
  loop: number;
  durationMs: number;
}

export interface WebpFrameHeader {
  x: number;
  y: number;
  width: number;
  height: number;
  durationMs: number;
  /** Blending method bit: 1 = do not blend (overwrite the rectangle). */
  noBlend: boolean;
  /** Disposal bit: 1 = clear the rectangle to transparent after showing the frame. */
  disposeToBackground: boolean;
  /** Offset and length of the frame's own chunks (ALPH? + VP8/VP8L) inside the file. */
  dataStart: number;
  dataEnd: number;
  /** The bitstream can carry transparency (ALPH chunk, or VP8L with its alpha bit). */
  hasAlpha: boolean;
}

export interface WebpLayout {
  canvasWidth: number;
  canvasHeight: number;
  animated: boolean;
  loop: number;
  /** ANMF chunks counted, including those beyond `frames.length` (not kept past the cap). */
  frameCount: number;
  /** Headers of the first `maxFrames + 1` frames at most. */
  frames: WebpFrameHeader[];
}

export interface WebpLimits {
  /** Refuse more frames than this (default MAX_ANIMATION_FRAMES). */
  maxFrames?: number;
  /** Canvas pixels at most (decompression-bomb guard). */
  maxPixels?: number;
  /** performance.now() value after which decoding stops with a 'timeout' error. */
  deadline?: number;
  /**
   * Frame pixels decoded while sampling, in canvases (default: no budget). Reaching a late frame
   * of an animation without keyframes means decoding every frame before it; a healthy output
   * needs at most one canvas per frame, so a budget tied to the requested frame count bounds what
   * a file with too many full-canvas frames can cost.
   */
  maxDecodedCanvases?: number;
}

const u24 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const u32le = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 2 ** 24;
const fourCC = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);

/**
 * Walk the RIFF chunks (headers only). Throws MediaDecodeError for a file that is not a WebP, is cut
 * off inside a chunk, or whose frames lie outside the canvas.
 */
export function readWebpLayout(buf: Uint8Array, keepFrames = MAX_ANIMATION_FRAMES + 1): WebpLayout {
  if (buf.length < 20 || fourCC(buf, 0) !== 'RIFF' || fourCC(buf, 8) !== 'WEBP') throw new MediaDecodeError('undecodable', 'not a WebP: no RIFF/WEBP header');
  const riffEnd = 8 + u32le(buf, 4);
  if (riffEnd > buf.length) throw new MediaDecodeError('truncated', `WebP truncated: RIFF claims ${riffEnd} bytes, the file has ${buf.length}`);
  const layout: WebpLayout = { canvasWidth: 0, canvasHeight: 0, animated: false, loop: 0, frameCount: 0, frames: [] };
  let at = 12;
  while (at + 8 <= riffEnd) {
    const type = fourCC(buf, at);
    const size = u32le(buf, at + 4);
    const start = at + 8;
    const end = start + size;
    if (end > riffEnd) throw new MediaDecodeError('truncated', `WebP truncated: ${JSON.stringify(type)} chunk at offset ${at} claims ${size} bytes, ${riffEnd - start} remain`);
    if (type === 'VP8X') {
      if (at !== 12 || size < 10) throw new MediaDecodeError('undecodable', 'WebP VP8X chunk is misplaced or short');
      layout.animated = (buf[start] & 0x02) !== 0;
      layout.canvasWidth = u24(buf, start + 4) + 1;
      layout.canvasHeight = u24(buf, start + 7) + 1;
    } else if (type === 'ANIM') {
      if (size < 6) throw new MediaDecodeError('undecodable', 'WebP ANIM chunk is short');
      layout.loop = buf[start + 4] | (buf[start + 5] << 8);
    } else if (type === 'ANMF') {
      layout.frameCount++;
      if (layout.frames.length < keepFrames) layout.frames.push(frameHeader(buf, start, end, layout));
    } else if (at === 12 && (type === 'VP8 ' || type === 'VP8L')) {
      return { ...layout, ...stillLayout(buf, type, start, end) };
    }
    at = end + (size & 1);
  }
  return layout;
}

function frameHeader(buf: Uint8Array, start: number, end: number, layout: WebpLayout): WebpFrameHeader {
  if (end - start < 16 + 8) throw new MediaDecodeError('undecodable', `WebP frame ${layout.frameCount - 1} has no image data`);
  const h: WebpFrameHeader = {
    x: u24(buf, start) * 2,
    y: u24(buf, start + 3) * 2,
    width: u24(buf, start + 6) + 1,
    height: u24(buf, start + 9) + 1,
    durationMs: u24(buf, start + 12),
    noBlend: (buf[start + 15] & 0x02) !== 0,
    disposeToBackground: (buf[start + 15] & 0x01) !== 0,
    dataStart: start + 16,
    dataEnd: end,
    hasAlpha: false,
  };
  if (h.x + h.width > layout.canvasWidth || h.y + h.height > layout.canvasHeight) {
    throw new MediaDecodeError('undecodable', `WebP frame ${layout.frameCount - 1} (${h.width}×${h.height} at ${h.x},${h.y}) lies outside the ${layout.canvasWidth}×${layout.canvasHeight} canvas`);
  }
  // Sub-chunks: ALPH then VP8, or VP8L (whose header carries an alpha_is_used bit).
  const index = layout.frameCount - 1;
  let p = h.dataStart;
  let bitstream = false;
  while (p + 8 <= end) {
    const type = fourCC(buf, p);
    const size = u32le(buf, p + 4);
    if (p + 8 + size > end) throw new MediaDecodeError('truncated', `WebP frame ${index}: ${JSON.stringify(type)} runs past its frame`);
    if (type === 'ALPH') h.hasAlpha = true;
    if (type === 'VP8L' && size >= 5) h.hasAlpha = (buf[p + 8 + 4] & 0x10) !== 0;
    if (type === 'VP8 ' || type === 'VP8L') {
      checkBitstreamSize(buf, type, p + 8, size, h, index);
      bitstream = true;
    }
    p += 8 + size + (size & 1);
  }
  if (!bitstream) throw new MediaDecodeError('undecodable', `WebP frame ${index} has no VP8/VP8L bitstream`);
  return h;
}

/**
 * Every frame's bitstream header must describe its ANMF rectangle — read from the header bytes,
 * without decoding, so a corrupt frame in the middle of a long animation is found up front.
 */
function checkBitstreamSize(buf: Uint8Array, type: string, at: number, size: number, h: WebpFrameHeader, index: number): void {
  const { canvasWidth: w, canvasHeight: ht } = stillLayout(buf, type, at, at + size);
  if (type === 'VP8 ' && (size < 10 || buf[at + 3] !== 0x9d || buf[at + 4] !== 0x01 || buf[at + 5] !== 0x2a)) {
    throw new MediaDecodeError('undecodable', `WebP frame ${index}: VP8 bitstream has no key-frame start code`);
  }
  if (type === 'VP8L' && (size < 5 || buf[at] !== 0x2f)) throw new MediaDecodeError('undecodable', `WebP frame ${index}: VP8L bitstream has no signature`);
  if (w !== h.width || ht !== h.height) {
    throw new MediaDecodeError('undecodable', `WebP frame ${index} bitstream is ${w}×${ht}, its ANMF header says ${h.width}×${h.height}`);
  }
}

function stillLayout(buf: Uint8Array, type: string, start: number, end: number): Pick<WebpLayout, 'canvasWidth' | 'canvasHeight'> {
  if (type === 'VP8L' && end - start >= 5) {
    const bits = u32le(buf, start + 1);
    return { canvasWidth: (bits & 0x3fff) + 1, canvasHeight: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (type === 'VP8 ' && end - start >= 10) return { canvasWidth: (buf[start + 6] | (buf[start + 7] << 8)) & 0x3fff, canvasHeight: (buf[start + 8] | (buf[start + 9] << 8)) & 0x3fff };
  return { canvasWidth: 0, canvasHeight: 0 };
}

/** Header facts of an animated WebP, after checking the frame count and decoding the first and last frame. */
export async function probeAnimatedWebp(buf: Uint8Array, limits: WebpLimits = {}): Promise<AnimatedWebpInfo> {
  const maxFrames = limits.maxFrames ?? MAX_ANIMATION_FRAMES;
  const layout = checkedLayout(buf, { ...limits, maxFrames });
  const frames = layout.frames;
  // A truncated or corrupt animation can have sound headers over broken frame data.
  await decodeFrameRgba(buf, frames[0], 0, limits);
  if (frames.length > 1) await decodeFrameRgba(buf, frames[frames.length - 1], frames.length - 1, limits);
  const delaysMs = frames.map((f) => f.durationMs);
  return {
    width: layout.canvasWidth,
    height: layout.canvasHeight,
    frames: frames.length,
    delaysMs,
    loop: layout.loop,
    durationMs: delaysMs.reduce((a, b) => a + b, 0),
  };
}

/** The layout, refused when it is not an animation, too large a canvas, or too many frames. */
function checkedLayout(buf: Uint8Array, limits: WebpLimits & { maxFrames: number }): WebpLayout {
  const layout = readWebpLayout(buf, limits.maxFrames + 1);
  if (!layout.animated || layout.frameCount === 0) throw new MediaDecodeError('not-animated', 'still WebP (one frame, no animation)');
  const maxPixels = limits.maxPixels ?? MAX_INPUT_PIXELS;
  if (layout.canvasWidth * layout.canvasHeight > maxPixels) {
    const mp = ((layout.canvasWidth * layout.canvasHeight) / 1e6).toFixed(0);
    throw new MediaDecodeError(
      'pixel-limit',
      `image claims ${layout.canvasWidth}×${layout.canvasHeight} = ${mp} MP, above the ${maxPixels / 1e6} MP decode limit (decompression-bomb guard)`,
    );
  }
  if (layout.frameCount > limits.maxFrames) {
    throw new MediaDecodeError('too-many-frames', `animation has ${layout.frameCount} frames (ANMF chunks), above the limit of ${limits.maxFrames}; not decoded`);
  }
  return layout;
}

export interface RgbaFrame {
  index: number;
  width: number;
  height: number;
  /** width × height × 4 bytes. */
  data: Buffer;
}

/** A standalone WebP holding just one frame's bitstream (ALPH needs a VP8X container). */
function frameContainer(buf: Uint8Array, f: WebpFrameHeader): Buffer {
  const data = Buffer.from(buf.buffer, buf.byteOffset + f.dataStart, f.dataEnd - f.dataStart);
  const hasAlph = data.length >= 4 && data.toString('latin1', 0, 4) === 'ALPH';
  const parts: Buffer[] = [];
  if (hasAlph) {
    const vp8x = Buffer.alloc(18);
    vp8x.write('VP8X', 0, 'latin1');
    vp8x.writeUInt32LE(10, 4);
    vp8x[8] = 0x10;
    vp8x.writeUIntLE(f.width - 1, 12, 3);
    vp8x.writeUIntLE(f.height - 1, 15, 3);
    parts.push(vp8x);
  }
  parts.push(data);
  return riffWebp(Buffer.concat(parts));
}

function checkDeadline(deadline: number | undefined, what: string): void {
  if (deadline !== undefined && performance.now() > deadline) throw new MediaDecodeError('timeout', `WebP decoding stopped at ${what}: time limit reached`);
}

async function decodeFrameRgba(buf: Uint8Array, f: WebpFrameHeader, index: number, limits: WebpLimits): Promise<Buffer> {
  checkDeadline(limits.deadline, `frame ${index}`);
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(frameContainer(buf, f), { limitInputPixels: limits.maxPixels ?? MAX_INPUT_PIXELS, failOn: 'truncated' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new MediaDecodeError('undecodable', `WebP frame ${index} does not decode: ${describeError(err)}`);
  }
  if (out.info.width !== f.width || out.info.height !== f.height) {
    throw new MediaDecodeError('undecodable', `WebP frame ${index} bitstream is ${out.info.width}×${out.info.height}, its ANMF header says ${f.width}×${f.height}`);
  }
  return out.data;
}

/** libwebp's rule (anim_decode.c IsKeyFrame): a frame that does not depend on the canvas before it. */
function keyFrames(frames: readonly WebpFrameHeader[], cw: number, ch: number): boolean[] {
  const full = (f: WebpFrameHeader) => f.x === 0 && f.y === 0 && f.width === cw && f.height === ch;
  const key: boolean[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    const prev = frames[i - 1];
    key.push(i === 0 || (full(f) && (f.noBlend || !f.hasAlpha)) || (prev.disposeToBackground && (full(prev) || key[i - 1])));
  }
  return key;
}

/**
 * Draws one decoded frame onto the RGBA canvas: overwrite, or alpha-blend ("over") as the frame
 * asks. Opaque rows are copied whole; blending onto an opaque canvas stays in integers.
 */
function drawFrame(canvas: Buffer, cw: number, f: WebpFrameHeader, rgba: Buffer): void {
  const rowBytes = f.width * 4;
  for (let y = 0; y < f.height; y++) {
    const s0 = y * rowBytes;
    const d0 = ((f.y + y) * cw + f.x) * 4;
    if (f.noBlend || !f.hasAlpha) {
      rgba.copy(canvas, d0, s0, s0 + rowBytes);
      continue;
    }
    for (let s = s0, d = d0; s < s0 + rowBytes; s += 4, d += 4) {
      const sa = rgba[s + 3];
      if (sa === 0) continue;
      const da = canvas[d + 3];
      if (sa === 255 || da === 0) {
        canvas[d] = rgba[s];
        canvas[d + 1] = rgba[s + 1];
        canvas[d + 2] = rgba[s + 2];
        canvas[d + 3] = sa;
      } else if (da === 255) {
        const inv = 255 - sa;
        canvas[d] = ((rgba[s] * sa + canvas[d] * inv + 127) * 257) >>> 16;
        canvas[d + 1] = ((rgba[s + 1] * sa + canvas[d + 1] * inv + 127) * 257) >>> 16;
        canvas[d + 2] = ((rgba[s + 2] * sa + canvas[d + 2] * inv + 127) * 257) >>> 16;
      } else {
        const dw = (da * (255 - sa)) / 255;
        const oa = sa + dw;
        for (let c = 0; c < 3; c++) canvas[d + c] = Math.round((rgba[s + c] * sa + canvas[d + c] * dw) / oa);
        canvas[d + 3] = Math.round(oa);
      }
    }
  }
}

function clearRect(canvas: Buffer, cw: number, f: WebpFrameHeader): void {
  for (let y = 0; y < f.height; y++) canvas.fill(0, ((f.y + y) * cw + f.x) * 4, ((f.y + y) * cw + f.x + f.width) * 4);
}

/**
 * The composited frames at `indices` (ascending), as RGBA canvases. Each target is rendered from
 * the nearest keyframe at or before it, or onward from the previous target when that is closer.
 * The yielded canvas is reused: copy it (or reduce it) before asking for the next frame.
 */
export async function* webpFrames(buf: Uint8Array, indices: readonly number[], limits: WebpLimits = {}): AsyncGenerator<RgbaFrame> {
  const layout = checkedLayout(buf, { ...limits, maxFrames: limits.maxFrames ?? MAX_ANIMATION_FRAMES });
  const { frames, canvasWidth: cw, canvasHeight: ch } = layout;
  const key = keyFrames(frames, cw, ch);
  const canvas = Buffer.alloc(cw * ch * 4);
  const budget = (limits.maxDecodedCanvases ?? Infinity) * cw * ch;
  let decoded = 0;
  let pos = -1;
  let last = -1;
  for (const n of indices) {
    if (!Number.isInteger(n) || n < 0 || n >= frames.length || n <= last) {
      throw new RangeError(`frame ${n} out of range or not ascending: the WebP has ${frames.length} frames`);
    }
    let k = n;
    while (!key[k]) k--;
    if (pos < k) {
      canvas.fill(0);
      pos = k - 1;
    }
    for (let i = pos + 1; i <= n; i++) {
      decoded += frames[i].width * frames[i].height;
      if (decoded > budget) {
        throw new MediaDecodeError(
          'too-costly',
          `reaching frame ${n} needs more than ${limits.maxDecodedCanvases} full frames of decoding (frames since the last keyframe blend over each other); sampling stopped`,
        );
      }
      if (i !== k && frames[i - 1].disposeToBackground) clearRect(canvas, cw, frames[i - 1]);
      drawFrame(canvas, cw, frames[i], await decodeFrameRgba(buf, frames[i], i, limits));
    }
    pos = last = n;
    yield { index: n, width: cw, height: ch, data: canvas };
  }
}

/** Like webpFrames, each frame copied (for a few small frames; reduce large ones as they come). */
export async function sampleWebpFrames(buf: Uint8Array, indices: readonly number[], limits: WebpLimits = {}): Promise<RgbaFrame[]> {
  const out: RgbaFrame[] = [];
  for await (const f of webpFrames(buf, indices, limits)) out.push({ ...f, data: Buffer.from(f.data) });
  return out;
}

/** Frame `n` (0-based) of an animated WebP as PNG bytes. */
export async function webpFrame(buf: Uint8Array, n: number, limits: WebpLimits = {}): Promise<Buffer> {
  const layout = readWebpLayout(buf);
  if (!Number.isInteger(n) || n < 0 || n >= layout.frameCount) throw new RangeError(`frame ${n} out of range: the WebP has ${layout.frameCount} frames`);
  const [frame] = await sampleWebpFrames(buf, [n], limits);
  return rgbaToPng(frame);
}

/** PNG of a canvas; RGB when every pixel is opaque (as libvips gives an opaque animation). */
export function rgbaToPng(frame: RgbaFrame): Promise<Buffer> {
  let opaque = true;
  for (let i = 3; i < frame.data.length && opaque; i += 4) opaque = frame.data[i] === 255;
  const img = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } });
  return (opaque ? img.removeAlpha() : img).png({ compressionLevel: 1 }).toBuffer();
}

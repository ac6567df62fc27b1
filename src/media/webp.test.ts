/**
 * The bounded animated-WebP reader (issue 18): frames counted from RIFF chunk headers, frame-count
 * bombs refused before anything is decoded, sampled frames composited from the nearest keyframe
 * exactly as libvips renders them, and every step under a deadline. Timing targets live in the
 * bench (bench/hostile-media.bench.ts), not here.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractFrames } from './frames.ts';
import { decodeRejection, makeAnimatedWebp } from './testing.ts';
import { assembleAnimatedWebp, frameBombWebp, stillWebpChunks, type AnmfFrame } from './webp-writer.ts';
import { MAX_ANIMATION_FRAMES, probeAnimatedWebp, readWebpLayout, sampleWebpFrames, webpFrame } from './webp.ts';

let pixel: Buffer;
let animated: Buffer;

beforeAll(async () => {
  pixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).webp({ lossless: true }).toBuffer();
  animated = await makeAnimatedWebp(33, 62, 64, 48);
});

/** A lossless frame of one RGBA colour, as ANMF chunks. */
async function solid(width: number, height: number, rgba: [number, number, number, number]): Promise<Buffer> {
  const [r, g, b, a] = rgba;
  const still = await sharp({ create: { width, height, channels: 4, background: { r, g, b, alpha: a / 255 } } }).webp({ lossless: true }).toBuffer();
  return stillWebpChunks(still);
}

/** Max per-byte difference between our composited canvas and libvips' page n. */
async function diffToLibvips(file: Buffer, n: number, ours: Buffer): Promise<number> {
  const ref = await sharp(file, { page: n }).ensureAlpha().raw().toBuffer();
  expect(ref.length).toBe(ours.length);
  let max = 0;
  for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i] - ours[i]));
  return max;
}

describe('readWebpLayout', () => {
  it('counts frames, canvas, delays and loop from chunk headers', () => {
    const layout = readWebpLayout(animated);
    expect(layout).toMatchObject({ animated: true, canvasWidth: 64, canvasHeight: 48, loop: 0, frameCount: 33 });
    expect(new Set(layout.frames.map((f) => f.durationMs))).toEqual(new Set([62]));
  });

  it('counts a 100,000-frame bomb without keeping 100,000 frame records', () => {
    const bomb = frameBombWebp(832, 480, 100_000, pixel);
    const layout = readWebpLayout(bomb, 10);
    expect(layout.frameCount).toBe(100_000);
    expect(layout.frames).toHaveLength(10);
  });

  it('names a chunk that runs past the end, and a frame outside the canvas', async () => {
    const cut = animated.subarray(0, animated.length - 100);
    const fixed = Buffer.from(cut);
    fixed.writeUInt32LE(fixed.length - 8, 4); // RIFF size says "this is all", the last ANMF still overruns
    expect(() => readWebpLayout(fixed)).toThrow(/WebP truncated: "ANMF" chunk at offset \d+ claims \d+ bytes/);
    const outside = assembleAnimatedWebp(16, 16, [{ chunks: await solid(8, 8, [255, 0, 0, 255]), x: 12, y: 0, width: 8, height: 8, durationMs: 50 }]);
    expect(() => readWebpLayout(outside)).toThrow(/8×8 at 12,0\) lies outside the 16×16 canvas/);
  });
});

describe('probeAnimatedWebp', () => {
  it('refuses a frame-count bomb from its headers, naming the count and the limit', async () => {
    const bomb = frameBombWebp(832, 480, 100_000, pixel);
    const err = await decodeRejection(probeAnimatedWebp(bomb));
    expect(err.code).toBe('too-many-frames');
    expect(err.message).toBe(`animation has 100000 frames (ANMF chunks), above the limit of ${MAX_ANIMATION_FRAMES}; not decoded`);
    // A caller's tighter limit (four times the request) applies the same way.
    expect((await decodeRejection(probeAnimatedWebp(frameBombWebp(64, 48, 200, pixel), { maxFrames: 132 }))).message).toMatch(/200 frames .* limit of 132/);
    expect((await probeAnimatedWebp(frameBombWebp(64, 48, 40, pixel), { maxFrames: 132 })).frames).toBe(40);
  });

  it('fails a frame whose bitstream disagrees with its ANMF header, and a corrupt last frame', async () => {
    const lying = assembleAnimatedWebp(16, 16, [
      { chunks: await solid(8, 8, [255, 0, 0, 255]), width: 8, height: 8, durationMs: 50 },
      { chunks: await solid(8, 8, [0, 255, 0, 255]), width: 4, height: 4, durationMs: 50 },
    ]);
    expect((await decodeRejection(probeAnimatedWebp(lying))).message).toMatch(/frame 1 bitstream is 8×8, its ANMF header says 4×4/);
    const corrupt = Buffer.from(animated);
    corrupt.fill(0x55, corrupt.length - 40, corrupt.length - 8);
    expect((await decodeRejection(probeAnimatedWebp(corrupt))).code).toBe('undecodable');
  });

  it('finds a corrupt frame header in the middle of the animation without decoding it', async () => {
    const layout = readWebpLayout(animated);
    const corrupt = Buffer.from(animated);
    const at = layout.frames[16].dataStart;
    expect(corrupt.toString('latin1', at, at + 4)).toBe('VP8 ');
    corrupt[at + 8 + 3] = 0; // the key-frame start code 9d 01 2a
    expect((await decodeRejection(probeAnimatedWebp(corrupt))).message).toBe('WebP frame 16: VP8 bitstream has no key-frame start code');
  });

  it('stops at the deadline with a timeout', async () => {
    const err = await decodeRejection(probeAnimatedWebp(animated, { deadline: performance.now() - 1 }));
    expect(err.code).toBe('timeout');
  });
});

describe('sampleWebpFrames: composited like libvips, from the nearest keyframe', () => {
  it('matches libvips on an encoder-made animation (sub-rectangle frames that blend)', async () => {
    const frames = await sampleWebpFrames(animated, [0, 5, 17, 32]);
    for (const f of frames) expect(await diffToLibvips(animated, f.index, f.data), `frame ${f.index}`).toBe(0);
  });

  it('matches libvips on blending, no-blend and dispose-to-background frames, and on keyframes mid-file', async () => {
    const frames: AnmfFrame[] = [
      { chunks: await solid(32, 24, [200, 30, 30, 255]), width: 32, height: 24, durationMs: 40 },
      { chunks: await solid(8, 8, [0, 0, 255, 128]), x: 4, y: 4, width: 8, height: 8, durationMs: 40 },
      { chunks: await solid(8, 8, [0, 255, 0, 64]), x: 10, y: 10, width: 8, height: 8, durationMs: 40, noBlend: true, disposeToBackground: true },
      { chunks: await solid(6, 6, [255, 255, 0, 255]), x: 12, y: 12, width: 6, height: 6, durationMs: 40 },
      // A full-canvas opaque frame: a keyframe, sampling after it need not render 0–3.
      { chunks: await solid(32, 24, [10, 100, 200, 255]), width: 32, height: 24, durationMs: 40 },
      { chunks: await solid(4, 4, [255, 255, 255, 200]), x: 2, y: 2, width: 4, height: 4, durationMs: 40 },
    ];
    const file = assembleAnimatedWebp(32, 24, frames);
    for (const targets of [[0, 1, 2, 3, 4, 5], [3], [5], [1, 5]]) {
      for (const f of await sampleWebpFrames(file, targets)) {
        expect(await diffToLibvips(file, f.index, f.data), `frame ${f.index} of [${targets.join(',')}]`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('stops when reaching a frame would cost more decoding than the budget (full-canvas frames that blend)', async () => {
    const chunks = await solid(32, 24, [0, 128, 255, 200]); // translucent: no frame after 0 is a keyframe
    const file = assembleAnimatedWebp(32, 24, Array.from({ length: 40 }, () => ({ chunks, width: 32, height: 24, durationMs: 62 })));
    const err = await decodeRejection(sampleWebpFrames(file, [0, 20, 39], { maxDecodedCanvases: 30 }));
    expect(err).toMatchObject({ code: 'too-costly', message: expect.stringMatching(/^reaching frame 39 needs more than 30 full frames of decoding/) });
    expect(await sampleWebpFrames(file, [0, 20, 39], { maxDecodedCanvases: 40 })).toHaveLength(3);
  });

  it('rejects indices that are out of range or not ascending', async () => {
    await expect(sampleWebpFrames(animated, [3, 2])).rejects.toThrow(/not ascending/);
    await expect(sampleWebpFrames(animated, [33])).rejects.toThrow(/out of range/);
    await expect(webpFrame(animated, 33)).rejects.toThrow(/out of range: the WebP has 33 frames/);
  });

  it('extractFrames gives the same pictures as decoding the pages with libvips', async () => {
    const [png] = await extractFrames(animated, 'webp-animated', { indices: [20] });
    const ours = await sharp(png).raw().toBuffer();
    expect(ours.equals(await sharp(animated, { page: 20 }).raw().toBuffer())).toBe(true);
  });
});

/**
 * The streaming RGB sampler for animated WebP must hand the face model exactly the pixels libvips' page-by-page
 * decoding gives (same bytes in, same embeddings out), and stay bounded on hostile animations.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeAnimatedWebp } from './augment.ts';
import { decodeRgb } from './detect.ts';
import { DETECT_MAX_SIDE } from './detect.ts';
import { FACE_MAX_FRAME_PIXELS, sampleAnimatedFrames, streamAnimatedRgb } from './frames.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (f: string) => readFileSync(path.join(root, 'fixtures', f));

async function samePixels(webp: Buffer, n: number): Promise<void> {
  const before = await sampleAnimatedFrames(webp, n);
  const after = streamAnimatedRgb(webp, n);
  expect(after.total).toBe(before.total);
  expect(after.frames.map((f) => f.index)).toEqual(before.frames.map((f) => f.index));
  for (let k = 0; k < before.frames.length; k++) {
    const old = await decodeRgb(before.frames[k].png);
    const now = await after.frames[k].rgb();
    expect([now.width, now.height]).toEqual([old.width, old.height]);
    expect(Buffer.from(now.data).equals(Buffer.from(old.data))).toBe(true);
  }
}

describe('streamAnimatedRgb', () => {
  it('gives the same RGB pixels as decoding the sampled pages as PNG, frame for frame', async () => {
    const stills = [fixture('faces/astronaut.png'), fixture('scenes/coffee.png'), fixture('faces/grace_hopper.jpg')];
    const frames = await Promise.all(Array.from({ length: 7 }, (_, i) => sharp(stills[i % 3]).rotate(i * 10, { background: '#000' }).resize(160, 120, { fit: 'cover' }).png().toBuffer()));
    const webp = await makeAnimatedWebp(frames, 62);
    await samePixels(webp, 3);
    await samePixels(webp, 10); // fewer frames than asked: all of them
  });

  it('keeps pixels identical for frames stored as partial updates (lossless, unchanged areas reused)', async () => {
    // Mostly identical frames let libwebp store later frames as small sub-rectangles blended over earlier ones.
    const base = await sharp(fixture('faces/astronaut.png')).resize(96, 96).raw().toBuffer();
    const pages = Array.from({ length: 6 }, (_, i) => {
      const p = Buffer.from(base);
      for (let y = 10; y < 20; y++) for (let x = 10 + i * 5; x < 20 + i * 5; x++) p.fill(i * 40, (y * 96 + x) * 3, (y * 96 + x) * 3 + 3);
      return p;
    });
    const webp = await sharp(Buffer.concat(pages), { raw: { width: 96, height: 96 * 6, channels: 3, pageHeight: 96 } as never })
      .webp({ lossless: true, loop: 0, delay: pages.map(() => 50) })
      .toBuffer();
    await samePixels(webp, 4);
  });

  it('an image that is not animated is one frame', async () => {
    const still = await sharp(fixture('faces/astronaut.png')).webp().toBuffer();
    const r = streamAnimatedRgb(still, 9);
    expect(r.total).toBe(1);
    expect(r.frames).toHaveLength(1);
    expect((await r.frames[0].rgb()).width).toBe(512);
  });

  it('hands the detector frames shrunk to DETECT_MAX_SIDE, not pages at full size (issue 13)', async () => {
    // 3000×2000 pages of flat colour: a small file that decodes to 24 MB of RGBA per page.
    const page = (v: number) => sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: v, g: v, b: v } } }).raw().toBuffer();
    const pages = await Promise.all([10, 80, 160, 240].map(page));
    const webp = await sharp(Buffer.concat(pages), { raw: { width: 3000, height: 2000 * 4, channels: 3, pageHeight: 2000 } as never })
      .webp({ quality: 50, loop: 0, delay: [50, 50, 50, 50] })
      .toBuffer();
    const r = streamAnimatedRgb(webp, 4);
    expect(r.total).toBe(4);
    for (const f of r.frames) {
      const rgb = await f.rgb();
      expect([rgb.width, rgb.height]).toEqual([DETECT_MAX_SIDE, Math.round((2000 * DETECT_MAX_SIDE) / 3000)]);
      expect(rgb.shrunkFrom).toEqual({ width: 3000, height: 2000 });
    }
  });

  it('refuses an animation whose canvas is above the per-frame pixel limit before decoding anything', async () => {
    const frame = (v: number) => sharp({ create: { width: 64, height: 64, channels: 3, background: { r: v, g: v, b: v } } }).raw().toBuffer();
    const webp = await sharp(Buffer.concat([await frame(0), await frame(200)]), { raw: { width: 64, height: 128, channels: 3, pageHeight: 64 } as never })
      .webp({ quality: 10, loop: 0, delay: [50, 50] })
      .toBuffer();
    expect(streamAnimatedRgb(webp, 2, { maxFramePixels: 4096 }).total).toBe(2);
    expect(() => streamAnimatedRgb(webp, 2, { maxFramePixels: 4095 })).toThrow(/64×64, above the face check's 0.004095 MP per-frame limit/);
    expect(FACE_MAX_FRAME_PIXELS).toBe(16_000_000);
  });
});

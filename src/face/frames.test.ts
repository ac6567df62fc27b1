/**
 * The one-pass RGB sampler for animated WebP must hand the face model exactly the pixels the page-by-page
 * PNG sampler did: same bytes in, same embeddings out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeAnimatedWebp } from './augment.ts';
import { decodeRgb } from './detect.ts';
import { sampleAnimatedFrames, sampleAnimatedRgb } from './frames.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (f: string) => readFileSync(path.join(root, 'fixtures', f));

async function samePixels(webp: Buffer, n: number, onePassMaxBytes?: number): Promise<void> {
  const before = await sampleAnimatedFrames(webp, n);
  const after = await sampleAnimatedRgb(webp, n, onePassMaxBytes);
  expect(after.total).toBe(before.total);
  expect(after.frames.map((f) => f.index)).toEqual(before.frames.map((f) => f.index));
  for (let k = 0; k < before.frames.length; k++) {
    const old = await decodeRgb(before.frames[k].png);
    const now = after.frames[k].rgb;
    expect([now.width, now.height]).toEqual([old.width, old.height]);
    expect(Buffer.from(now.data).equals(Buffer.from(old.data))).toBe(true);
  }
}

describe('sampleAnimatedRgb', () => {
  it('gives the same RGB pixels as decoding the sampled pages as PNG, frame for frame', async () => {
    const stills = [fixture('faces/astronaut.png'), fixture('scenes/coffee.png'), fixture('faces/grace_hopper.jpg')];
    const frames = await Promise.all(Array.from({ length: 7 }, (_, i) => sharp(stills[i % 3]).rotate(i * 10, { background: '#000' }).resize(160, 120, { fit: 'cover' }).png().toBuffer()));
    const webp = await makeAnimatedWebp(frames, 62);
    await samePixels(webp, 3);
    await samePixels(webp, 10); // fewer frames than asked: all of them
    await samePixels(webp, 3, 0); // over the memory cap: page by page, same pixels
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
    const r = await sampleAnimatedRgb(still, 9);
    expect(r.total).toBe(1);
    expect(r.frames).toHaveLength(1);
  });
});

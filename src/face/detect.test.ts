import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { blackPng } from '../media/testing.ts';
import { embedImage } from './analyze.ts';
import { decodeFrame, decodeRgb, DETECT_MAX_SIDE, detectFaces, detectorCopy, FACE_MAX_INPUT_PIXELS, FaceError, MIN_FACE_PX, selectFace } from './detect.ts';
import { cosine, getEmbedder, type Embedder } from './embedders.ts';
import { getHuman } from './human-runtime.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixture = (p: string): Buffer => readFileSync(path.join(root, 'fixtures', p));

async function faceErrorOf(p: Promise<unknown>): Promise<FaceError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FaceError);
  return err as FaceError;
}

describe('face detection', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await getEmbedder('human-faceres');
  });

  it('loads Human once even when first called concurrently', async () => {
    const [a, b, c] = await Promise.all([getHuman(), getHuman(), getHuman()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(a.tf.getBackend()).toBe('wasm');
  });

  it('finds the one face in each portrait, grey camera.png included', async () => {
    for (const f of ['faces/astronaut.png', 'faces/grace_hopper.jpg', 'faces/camera.png']) {
      const faces = await detectFaces(await decodeRgb(fixture(f)), true);
      expect(faces, f).toHaveLength(1);
      expect(faces[0].faceresEmbedding, f).toHaveLength(1024);
      expect(faces[0].mesh, f).toHaveLength(468);
    }
  });

  it('reports no-face on a scene without people', async () => {
    const err = await faceErrorOf(embedImage(fixture('scenes/coffee.png'), embedder, 'coffee.png'));
    expect(err.code).toBe('no-face');
    expect(err.message).toContain('coffee.png');
  });

  it('reports undecodable bytes, and empty input, as undecodable', async () => {
    const junk = Buffer.from('this is not an image, just text pretending to be one');
    expect((await faceErrorOf(embedImage(junk, embedder, 'junk'))).code).toBe('undecodable');
    expect((await faceErrorOf(embedImage(Buffer.alloc(0), embedder, 'empty'))).code).toBe('undecodable');
    const truncated = fixture('faces/grace_hopper.jpg').subarray(0, 200);
    expect((await faceErrorOf(embedImage(truncated, embedder, 'truncated'))).code).toBe('undecodable');
  });

  it('reports a face that is too small to judge, with its size', async () => {
    const small = await sharp(fixture('faces/astronaut.png')).resize(128, 128).png().toBuffer();
    const err = await faceErrorOf(embedImage(small, embedder, 'tiny astronaut'));
    expect(err.code).toBe('face-too-small');
    expect(err.message).toContain(`need ≥ ${MIN_FACE_PX} px`);
  });

  it('with two faces, uses the largest and says which and why', async () => {
    const hopper = fixture('faces/grace_hopper.jpg'); // face ≈ 284 px
    const astro = fixture('faces/astronaut.png'); // face ≈ 145 px
    const composite = await sharp({ create: { width: 1024, height: 600, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .composite([{ input: astro, left: 0, top: 44 }, { input: hopper, left: 512, top: 0 }])
      .png()
      .toBuffer();
    const result = await embedImage(composite, embedder, 'the composite');
    expect(result.selection.faceCount).toBe(2);
    expect(result.selection.note).toMatch(/several faces \(2\) in the composite; using the largest/);
    expect(result.selection.face.box.x).toBeGreaterThan(512); // Hopper's half
    const hopperAlone = await embedImage(hopper, embedder, 'hopper');
    const astroAlone = await embedImage(astro, embedder, 'astronaut');
    expect(cosine(result.embedding, hopperAlone.embedding)).toBeGreaterThan(0.9);
    expect(cosine(result.embedding, astroAlone.embedding)).toBeLessThan(0.6);
  });

  it('a 25000×4000 black PNG reaches the detector shrunk to DETECT_MAX_SIDE, not as 300 MB of RGB (issue 13)', async () => {
    const png = blackPng(25000, 4000);
    expect(png.length).toBeLessThan(1_000_000);
    const rgb = await decodeRgb(png);
    expect([rgb.width, rgb.height]).toEqual([DETECT_MAX_SIDE, Math.round((4000 * DETECT_MAX_SIDE) / 25000)]);
    expect(rgb.data.length).toBe(rgb.width * rgb.height * 3);
    expect(rgb.shrunkFrom).toEqual({ width: 25000, height: 4000 });
    expect((await faceErrorOf(embedImage(png, embedder, 'the black strip'))).code).toBe('no-face');
  }, 60_000);

  it('refuses an image that declares more than the pixel limit without decoding it', async () => {
    const err = await faceErrorOf(decodeRgb(blackPng(20000, 20000, true)));
    expect(err.code).toBe('undecodable');
    expect(err.message).toBe(`image is 20000×20000, above the face check's ${FACE_MAX_INPUT_PIXELS / 1e6} MP limit; not decoded`);
  });

  it('images within DETECT_MAX_SIDE are decoded untouched', async () => {
    const bytes = fixture('faces/grace_hopper.jpg');
    const rgb = await decodeRgb(bytes);
    const plain = await sharp(bytes).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer();
    expect([rgb.width, rgb.height, rgb.shrunkFrom]).toEqual([512, 600, undefined]);
    expect(Buffer.from(rgb.data).equals(plain)).toBe(true);
  });

  it('decodeFrame decodes straight to the detector copy (the same bytes), and the full-size pixels on demand, once', async () => {
    const hopper = fixture('faces/grace_hopper.jpg');
    for (const bytes of [await sharp(hopper).resize(1024, 1024).png().toBuffer(), await sharp(hopper).resize(900, 700, { fit: 'cover' }).jpeg().toBuffer()]) {
      const full = await decodeRgb(bytes);
      const frame = await decodeFrame(bytes);
      const input = await frame.detectorInput();
      const copy = await detectorCopy(full);
      expect([frame.width, frame.height, frame.shrunkFrom]).toEqual([full.width, full.height, undefined]);
      expect([input.width, input.height]).toEqual([copy.width, copy.height]);
      expect(Buffer.from(input.data).equals(Buffer.from(copy.data))).toBe(true);
      const pixels = await frame.pixels();
      expect(Buffer.from(pixels.data).equals(Buffer.from(full.data))).toBe(true);
      expect(await frame.pixels()).toBe(pixels);
    }
  });

  it('selectFace rejects an empty detection list with no-face', () => {
    expect(() => selectFace([], 'x')).toThrowError(FaceError);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRgb, detectFaces, type RgbImage } from './detect.ts';
import { cosine } from './embedders.ts';
import { locateFaces, place } from './locate.ts';
import { FIXTURE_FACES, portraitInFrame } from './scene.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixture = (p: string): Buffer => readFileSync(path.join(root, 'fixtures', p));
const embeddingOf = async (img: RgbImage) => (await detectFaces(img, true))[0].faceresEmbedding!;

describe('locateFaces: faces the whole-frame pass misses or gets wrong (832×480)', () => {
  const hopper = fixture('faces/grace_hopper.jpg');
  const astronaut = fixture('faces/astronaut.png');
  let astronautRef: number[];
  beforeAll(async () => {
    astronautRef = await embeddingOf(await decodeRgb(astronaut));
  });

  it('finds a face whose top is cut off by the frame on the edge-margin pass, in frame coordinates', async () => {
    // 40 % of the face box above the frame: BlazeFace on the frame alone finds nothing.
    const frame = await decodeRgb(await portraitInFrame(hopper, FIXTURE_FACES['faces/grace_hopper.jpg'], { faceSide: 520, left: 300, top: -208 }));
    expect(await detectFaces(frame, false)).toEqual([]);
    const { faces, by } = await locateFaces(frame, true);
    expect(by).toBe('edge-margin');
    expect(faces).toHaveLength(1);
    expect(faces[0].box.y).toBeLessThan(0); // the box reaches above the frame
    expect(faces[0].box.x).toBeGreaterThan(200);
    expect(await faces[0].image.pixels()).toBe(frame);
  });

  it('re-detects a small face on a crop around it: the embedding becomes the person again', async () => {
    const frame = await decodeRgb(await portraitInFrame(astronaut, FIXTURE_FACES['faces/astronaut.png'], { faceSide: 55, left: 100, top: 50 }));
    const whole = await detectFaces(frame, true);
    expect(whole).toHaveLength(1);
    const before = cosine(astronautRef, whole[0].faceresEmbedding!);
    const { faces, by } = await locateFaces(frame, true);
    expect(by).toBe('small-face-crop');
    const after = cosine(astronautRef, faces[0].faceresEmbedding!);
    expect(before).toBeLessThan(0.7); // measured 0.48
    expect(after).toBeGreaterThan(0.9); // measured 0.94
    expect(Math.abs(faces[0].box.x + faces[0].box.width / 2 - (100 + 27))).toBeLessThan(20); // frame coordinates
  });

  it('leaves a face the whole-frame pass handles alone (the calibrated ruler does not move)', async () => {
    const frame = await decodeRgb(astronaut);
    const { faces, by } = await locateFaces(frame, true);
    expect(by).toBe('frame');
    expect(faces[0].faceresEmbedding).toEqual(astronautRef);
  });

  it('place() copies a window, black outside the image', () => {
    const img: RgbImage = { data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]), width: 2, height: 2 };
    expect(Array.from(place(img, -1, 0, 2, 2).data)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 3, 3, 3]);
    expect(Array.from(place(img, 1, 1, 2, 1).data)).toEqual([4, 4, 4, 0, 0, 0]);
  });
});

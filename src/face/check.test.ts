import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../checks/types.ts';
import { DEFAULT_FACE_SAMPLE_FRAMES, faceSchema } from '../config/face.ts';
import { augment, makeAnimatedWebp, makeZoomPanFrames, makeZoomPanMp4 } from './augment.ts';
import { faceMatchCheck, faceScoresOf, type FaceScores } from './check.ts';
import { getEmbedder } from './embedders.ts';
import { FIXTURE_FACES, losslessAnimation, portraitInFrame } from './scene.ts';
import { runFfmpeg } from '../media/frames.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixture = (p: string): Buffer => readFileSync(path.join(root, 'fixtures', p));
const byName = (rs: CheckResult[], name: string): CheckResult => {
  const r = rs.find((x) => x.check === name);
  expect(r, `no ${name} result in ${JSON.stringify(rs)}`).toBeDefined();
  return r!;
};

describe('faceMatchCheck', () => {
  const astronaut = fixture('faces/astronaut.png');
  const hopper = fixture('faces/grace_hopper.jpg');
  const coffee = fixture('scenes/coffee.png');
  let astronautMp4: Buffer;
  const tmp = mkdtempSync(path.join(tmpdir(), 'genprobe-face-check-'));

  beforeAll(async () => {
    await getEmbedder(); // Human loads once for the file
    astronautMp4 = await makeZoomPanMp4(astronaut);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('passes an augmented astronaut against the astronaut, naming embedder, version, percent and cosine', async () => {
    const output = await augment(astronaut, 'combined');
    const rs = await faceMatchCheck({ output, outputKind: 'jpeg', reference: astronaut, targetPct: 85 });
    expect(byName(rs, 'face-present').verdict).toBe('pass');
    const match = byName(rs, 'face-match');
    expect(match.verdict, match.message).toBe('pass');
    const m = match.measured as FaceScores;
    expect(m.embedder).toBe('human-faceres');
    expect(m.embedderVersion).toMatch(/^@vladmandic\/human@3\.3\.6/);
    expect(m.percent).toBeGreaterThanOrEqual(85);
    expect(m.cosine).toBeGreaterThan(0.8);
    expect(match.message).toContain('human-faceres');
    expect(faceScoresOf(rs)).toBe(m);
  });

  it('fails Grace Hopper against the astronaut on face-match (face present)', async () => {
    const rs = await faceMatchCheck({ output: hopper, outputKind: 'jpeg', reference: astronaut, targetPct: 80 });
    expect(byName(rs, 'face-present').verdict).toBe('pass');
    const match = byName(rs, 'face-match');
    expect(match.verdict).toBe('fail');
    expect((match.measured as FaceScores).percent).toBeLessThan(80);
  });

  it('fails face-present with its own reason when the output has no face', async () => {
    const rs = await faceMatchCheck({ output: coffee, outputKind: 'png', reference: astronaut, targetPct: 85 });
    const present = byName(rs, 'face-present');
    expect(present.verdict).toBe('fail');
    expect(present.message).toMatch(/^no-face: no face detected in the output/);
    expect(byName(rs, 'face-match').verdict).toBe('skip');
  });

  it('names the reference when the reference has no face', async () => {
    const rs = await faceMatchCheck({ output: astronaut, outputKind: 'png', reference: coffee, targetPct: 85 });
    const present = byName(rs, 'face-present');
    expect(present.verdict).toBe('fail');
    expect(present.message).toMatch(/reference image unusable \(no-face\)/);
    expect(byName(rs, 'face-match').verdict).toBe('skip');
  });

  it('video: passes a zoom/pan MP4 of the astronaut with min/median and face share', async () => {
    const rs = await faceMatchCheck({ output: astronautMp4, outputKind: 'mp4', reference: astronaut, targetPct: 85, sampleFrames: 5 });
    expect(byName(rs, 'face-present').verdict).toBe('pass');
    const match = byName(rs, 'face-match');
    expect(match.verdict, match.message).toBe('pass');
    const m = match.measured as FaceScores;
    expect(m.kind).toBe('video');
    expect(m.framesTotal).toBe(33);
    expect(m.framesSampled).toBe(5);
    expect(m.faceShare).toBe(1);
    expect(m.minPct).toBeLessThanOrEqual(m.medianPct!);
    expect(m.percents).toHaveLength(5);
  });

  it('video: without sampleFrames it samples the config default (one definition: src/config/face.ts)', async () => {
    const rs = await faceMatchCheck({ output: astronautMp4, outputKind: 'mp4', reference: astronaut, targetPct: 85 });
    expect(faceSchema.parse({}).sampleFrames).toBe(DEFAULT_FACE_SAMPLE_FRAMES);
    expect((byName(rs, 'face-match').measured as FaceScores).framesSampled).toBe(DEFAULT_FACE_SAMPLE_FRAMES);
    expect(byName(rs, 'face-present').measured).toMatchObject({ framesSampled: DEFAULT_FACE_SAMPLE_FRAMES });
  });

  it('video: reads a regular (moov-at-end) MP4 too', async () => {
    const file = path.join(tmp, 'plain.mp4');
    const still = path.join(tmp, 'astronaut.png');
    await sharp(astronaut).toFile(still);
    await runFfmpeg(['-y', '-loop', '1', '-i', still, '-frames:v', '12', '-r', '16', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
    const plain = readFileSync(file);
    const rs = await faceMatchCheck({ output: plain, outputKind: 'mp4', reference: astronaut, targetPct: 85, sampleFrames: 3 });
    expect(byName(rs, 'face-match').verdict).toBe('pass');
    expect((byName(rs, 'face-match').measured as FaceScores).framesTotal).toBe(12);
  });

  it('video: passes an animated WebP of the astronaut', async () => {
    const frames = (await makeZoomPanFrames(astronaut, { frames: 12 })).filter((_, i) => i % 3 === 0);
    const webp = await makeAnimatedWebp(frames);
    const rs = await faceMatchCheck({ output: webp, outputKind: 'webp-animated', reference: astronaut, targetPct: 85, sampleFrames: 4 });
    expect(byName(rs, 'face-present').verdict).toBe('pass');
    const match = byName(rs, 'face-match');
    expect(match.verdict, match.message).toBe('pass');
    expect((match.measured as FaceScores).framesTotal).toBe(4);
  });

  it('video: the wrong identity fails face-match', async () => {
    const wrong = await makeZoomPanMp4(hopper, { frames: 12 });
    const rs = await faceMatchCheck({ output: wrong, outputKind: 'mp4', reference: astronaut, targetPct: 80, sampleFrames: 3 });
    expect(byName(rs, 'face-present').verdict).toBe('pass');
    const match = byName(rs, 'face-match');
    expect(match.verdict).toBe('fail');
    expect((match.measured as FaceScores).medianPct).toBeLessThan(80);
  });

  it('video: a face-less video fails face-present and skips face-match', async () => {
    const faceless = await makeZoomPanMp4(coffee, { frames: 12 });
    const rs = await faceMatchCheck({ output: faceless, outputKind: 'mp4', reference: astronaut, targetPct: 85, sampleFrames: 3 });
    const present = byName(rs, 'face-present');
    expect(present.verdict).toBe('fail');
    expect(present.message).toMatch(/^0\/3 sampled frames have a face/);
    expect(byName(rs, 'face-match').verdict).toBe('skip');
  });

  it('video: a face in only some frames fails face-present but still scores the frames that have one', async () => {
    const frames = [astronaut, coffee, astronaut, coffee];
    const webp = await makeAnimatedWebp(frames);
    const rs = await faceMatchCheck({ output: webp, outputKind: 'webp-animated', reference: astronaut, targetPct: 85, sampleFrames: 4 });
    const present = byName(rs, 'face-present');
    expect(present.verdict).toBe('fail');
    expect(present.message).toContain('no face in frames 1, 3');
    expect((byName(rs, 'face-match').measured as FaceScores).faceShare).toBe(0.5);
  });

  it('video (832×480): top of the head cut, face at a side edge and a small face are found and match; an absent face only lowers the share', async () => {
    const box = FIXTURE_FACES['faces/astronaut.png'];
    const frames = [
      await portraitInFrame(astronaut, box, { faceSide: 350, left: 250, top: -52 }), // hair and forehead above the frame
      await portraitInFrame(astronaut, box, { faceSide: 200, left: -50, top: 100 }), // a quarter of the face past the left edge
      await portraitInFrame(astronaut, box, { faceSide: 55, left: 100, top: 50 }), // 55 px face in the wide frame
      await sharp(coffee).resize(832, 480, { fit: 'cover' }).png().toBuffer(), // the person has left the frame
    ];
    const webp = await losslessAnimation(frames);
    const rs = await faceMatchCheck({ output: webp, outputKind: 'webp-animated', reference: astronaut, targetPct: 85, sampleFrames: 4 });
    const present = byName(rs, 'face-present');
    expect(present.verdict, present.message).toBe('pass');
    expect(present.message).toBe('3/4 sampled frames have a face (75 %, need ≥ 60 %); no face in frame 3');
    expect(present.measured).toEqual({ faceShare: 0.75, framesSampled: 4, framesWithFace: 3, framesMatched: 3 });
    const match = byName(rs, 'face-match');
    expect(match.verdict, match.message).toBe('pass');
    expect(match.message).toContain('over the 3 of 4 sampled frames with a face, 3 matched; target ≥ 85 %');
    const m = match.measured as FaceScores;
    expect(m.frames.map((f) => f.face)).toEqual([true, true, true, false]);
    for (const f of m.frames.slice(0, 3)) expect(f.percent, JSON.stringify(f)).toBeGreaterThanOrEqual(85);
    expect(m.frames[2].locatedBy).toBe('small-face-crop');
    expect([m.framesSampled, m.framesWithFace, m.framesMatched]).toEqual([4, 3, 3]);
  });

  it('video: below the face share fails face-present, and the match is still judged over the frames with a face', async () => {
    // Two different scenes: an encoder may merge identical consecutive frames into one.
    const scenes = await Promise.all([coffee, fixture('scenes/chelsea.png')].map((b) => sharp(b).resize(512, 512, { fit: 'cover' }).png().toBuffer()));
    const webp = await losslessAnimation([astronaut, ...scenes]);
    const rs = await faceMatchCheck({ output: webp, outputKind: 'webp-animated', reference: astronaut, targetPct: 85, sampleFrames: 3, minFaceShare: 0.5 });
    const present = byName(rs, 'face-present');
    expect(present.verdict).toBe('fail');
    expect(present.message).toBe('1/3 sampled frames have a face (33.33 %, need ≥ 50 %); no face in frames 1, 2');
    const match = byName(rs, 'face-match');
    expect(match.verdict).toBe('pass');
    expect((match.measured as FaceScores).framesMatched).toBe(1);
  });

  it('undecodable video bytes fail face-present instead of throwing', async () => {
    const rs = await faceMatchCheck({ output: Buffer.from('not a video'), outputKind: 'mp4', reference: astronaut, targetPct: 85 });
    expect(byName(rs, 'face-present').verdict).toBe('fail');
  });

  it('rejects a nonsensical target', async () => {
    await expect(faceMatchCheck({ output: astronaut, outputKind: 'png', reference: astronaut, targetPct: 0 })).rejects.toThrow(/targetPct/);
  });
});

/**
 * Issue 18's four classes through the whole registry, on real bytes made here: a frozen video
 * (motion), a detail-less image (detail), an unplayable H.264 encode (pixel-format) and a
 * frame-count bomb (decodable) — each failing with a measured value, healthy outputs passing.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeFromRequest } from '../catalog/endpoints/shared.ts';
import type { HeaderSpec, OutputSpec } from '../catalog/types.ts';
import { lumaOfImage } from '../media/luma.ts';
import { animatedWebpFromFrames, makeMp4, scratchDir, texturedFrame } from '../media/testing.ts';
import { frameBombWebp } from '../media/webp-writer.ts';
import { checkDetail, MIN_DETAIL_SHARE } from './detail.ts';
import { runOutputChecks } from './index.ts';
import { checkMotion, MIN_MEAN_FRAME_CHANGE } from './motion.ts';
import { checkPixelFormat } from './pixel-format.ts';
import { mp4Spec, okResponse, stillSpec, webpSpec } from './testing.ts';
import type { CheckName, CheckResult } from './types.ts';

const PNG = stillSpec('image/png');
const WEBP = webpSpec(128, 96, 1_000);
const MP4 = mp4Spec(sizeFromRequest(320, 240), 1_000);
const HEADERS: HeaderSpec = { cost: 'none' };

const scratch = scratchDir('genprobe-pixels-');
const bytes = {} as Record<'texturedPng' | 'upscaled8' | 'movingWebp' | 'frozenWebp' | 'movingMp4' | 'frozenMp4' | 'yuv444' | 'bomb', Buffer>;

beforeAll(async () => {
  const w = 128;
  const h = 96;
  bytes.texturedPng = await sharp(texturedFrame(1024, 1024), { raw: { width: 1024, height: 1024, channels: 3 } }).png().toBuffer();
  // A failed decode of a tiny latent: an 8×8 picture scaled up to 1024² (normal brightness and spread).
  const tiny = await sharp(bytes.texturedPng).resize(8, 8).toBuffer();
  bytes.upscaled8 = await sharp(tiny).resize(1024, 1024).png().toBuffer();
  const moving = Array.from({ length: 33 }, (_, i) => shifted(texturedFrame(w, h), w, h, i));
  bytes.movingWebp = await animatedWebpFromFrames(moving, w, h);
  // 33 copies of one frame; odd frames differ in a 4×4 patch so libwebp keeps every frame.
  const still = texturedFrame(w, h);
  const patched = Buffer.from(still);
  for (let y = 0; y < 4; y++) patched.fill(0, y * w * 3, (y * w + 4) * 3);
  bytes.frozenWebp = await animatedWebpFromFrames(Array.from({ length: 33 }, (_, i) => (i % 2 ? patched : still)), w, h);
  bytes.movingMp4 = makeMp4(scratch.dir, 'moving', { width: 320, height: 240, frames: 33 });
  // A still dressed as a video: one frame looped into 33 (the image-to-video failure).
  bytes.frozenMp4 = makeMp4(scratch.dir, 'frozen', { width: 320, height: 240, frames: 33, source: 'testsrc2=size=320x240:rate=16,trim=end_frame=1,loop=loop=-1:size=1' });
  bytes.yuv444 = makeMp4(scratch.dir, 'yuv444', { width: 320, height: 240, frames: 33, profile: 'high444', pixFmt: 'yuv444p' });
  const pixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).webp({ lossless: true }).toBuffer();
  bytes.bomb = frameBombWebp(128, 96, 100_000, pixel);
});
afterAll(() => scratch.cleanup());

/** The frame moved right by `dx` pixels (wrapping), as camera motion. */
function shifted(frame: Buffer, w: number, h: number, dx: number): Buffer {
  const out = Buffer.alloc(frame.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) frame.copy(out, (y * w + ((x + dx) % w)) * 3, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return out;
}

function run(output: OutputSpec, body: Buffer, request: Record<string, unknown> = {}): Promise<CheckResult[]> {
  return runOutputChecks({ output, headers: HEADERS, request, response: okResponse(body, output.declaredType) });
}
const one = (results: CheckResult[], name: CheckName) => {
  const found = results.filter((r) => r.check === name);
  expect(found, name).toHaveLength(1);
  return found[0];
};

describe('motion', () => {
  it('a frozen animated WebP fails with the measured change; a moving one passes', async () => {
    const frozen = one(await run(WEBP, bytes.frozenWebp), 'motion');
    expect(frozen).toMatchObject({ verdict: 'fail', expected: { minMeanChange: MIN_MEAN_FRAME_CHANGE } });
    expect(frozen.message).toMatch(/^frozen video: mean frame-to-frame change 0\.\d+ luma levels over 7 sampled frames \(floor 0\.25\)$/);
    expect((frozen.measured as { meanChange: number }).meanChange).toBeLessThan(0.05);
    const results = await run(WEBP, bytes.movingWebp);
    expect(results.filter((r) => r.verdict !== 'pass')).toEqual([]);
    expect((one(results, 'motion').measured as { meanChange: number }).meanChange).toBeGreaterThan(10 * MIN_MEAN_FRAME_CHANGE);
  });

  it('a frozen MP4 fails; a moving one passes; one frame cannot be judged', async () => {
    const frozen = one(await run(MP4, bytes.frozenMp4), 'motion');
    expect(frozen.verdict).toBe('fail');
    expect((frozen.measured as { maxChange: number }).maxChange).toBeLessThan(0.1);
    const healthy = await run(MP4, bytes.movingMp4);
    expect(healthy.filter((r) => r.verdict !== 'pass')).toEqual([]);
    const f = await lumaOfImage(bytes.texturedPng);
    expect(checkMotion([f]).verdict).toBe('skip');
  });
});

describe('detail', () => {
  it('an 8×8 image scaled to 1024² fails with the measured share although blank-output passes', async () => {
    const results = await run(PNG, bytes.upscaled8);
    expect(one(results, 'blank-output').verdict).toBe('pass');
    const detail = one(results, 'detail');
    expect(detail).toMatchObject({ verdict: 'fail', expected: { minDetailPct: MIN_DETAIL_SHARE * 100, gridCells: 32 } });
    expect((detail.measured as { maxDetailPct: number }).maxDetailPct).toBeLessThan(0.5);
    expect(detail.message).toMatch(/^detail-less output \(an upscaled tiny image\?\): 0(\.\d+)? % of pixels are detail a tiny picture scaled up does not explain \(.*\), floor 1 %$/);
  });

  it('a textured 1024² PNG passes far above the floor', async () => {
    const results = await run(PNG, bytes.texturedPng);
    expect(results.filter((r) => r.verdict !== 'pass')).toEqual([]);
    expect((one(results, 'detail').measured as { maxDetailPct: number }).maxDetailPct).toBeGreaterThan(10 * MIN_DETAIL_SHARE * 100);
    expect(checkDetail([]).verdict).toBe('skip');
  });
});

describe('pixel-format', () => {
  it('High 4:4:4 Predictive / yuv444p fails and reports both; decodable names them too', async () => {
    const results = await run(MP4, bytes.yuv444);
    const pf = one(results, 'pixel-format');
    expect(pf).toMatchObject({ verdict: 'fail', measured: { profile: 'High 4:4:4 Predictive', pixelFormat: 'yuv444p' } });
    expect(pf.message).toMatch(/^H\.264 High 4:4:4 Predictive level [\d.]+, yuv444p: browsers and phones cannot play it \(profile High 4:4:4 Predictive is not Baseline, Main or High; pixel format yuv444p is not yuv420p\)$/);
    expect(one(results, 'decodable').message).toMatch(/avc1\.f4\w+ \(High 4:4:4 Predictive, yuv444p\)/);
    expect(results.filter((r) => r.verdict === 'fail').map((r) => r.check)).toEqual(['pixel-format']);
  });

  it('High yuv420p passes; a missing avcC fails; non-H.264 specs are skipped', async () => {
    expect(one(await run(MP4, bytes.movingMp4), 'pixel-format')).toMatchObject({ verdict: 'pass', measured: { profile: 'High', pixelFormat: 'yuv420p' } });
    expect(checkPixelFormat({ codec: 'avc1.64001e', avc: null, avcProblem: null }, { codec: 'avc1' })).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/no avcC/) });
    expect(checkPixelFormat({ codec: 'hvc1.1', avc: null, avcProblem: null }, { codec: 'avc1' }).verdict).toBe('skip');
  });
});

describe('frame-count bomb', () => {
  it('a 100,000-frame WebP fails decodable from its headers; frame and pixel checks are skipped with the reason', async () => {
    const results = await run(WEBP, bytes.bomb);
    const decodable = one(results, 'decodable');
    expect(decodable).toMatchObject({ verdict: 'fail', measured: { code: 'too-many-frames' } });
    // 33 frames asked for: refused above 4 × 33 = 132.
    expect(decodable.message).toBe('webp-animated does not decode: animation has 100000 frames (ANMF chunks), above the limit of 132; not decoded');
    for (const name of ['frame-count', 'blank-output', 'motion', 'detail'] as const) expect(one(results, name).verdict, name).toBe('skip');
  });
});

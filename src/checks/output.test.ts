/** The registry on real bytes: what a full output check run reports for healthy and broken outputs. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeFromRequest } from '../catalog/endpoints/shared.ts';
import type { HeaderSpec, OutputSpec } from '../catalog/types.ts';
import { findBox, makeAnimatedWebp, makeBombPng, makeMp4, makeStill, scratchDir } from '../media/testing.ts';
import { checkGolden } from './golden.ts';
import { runOutputChecks, type OutputCheckInput } from './index.ts';
import { KNOWN_PNG_AS_JPEG } from './media-type.ts';
import { mp4Spec, okResponse, stillSpec, webpSpec } from './testing.ts';
import type { CheckName, CheckResult, Verdict } from './types.ts';

const FLUX_PNG = stillSpec('image/jpeg');
const WAN_WEBP = webpSpec(832, 480, 5_000);
const FACESWAP_MP4 = mp4Spec(sizeFromRequest(832, 480), 20_000);
/** /batch-video-faceswap: frames follow the input video's duration at the request fps. */
const BATCH_MP4: OutputSpec = {
  ...FACESWAP_MP4,
  size: { kind: 'same-as-input', inputField: 'source_video' },
  frames: { kind: 'from-input-duration', inputField: 'source_video' },
  fps: { field: 'fps', defaultValue: 24 },
};
const DROPPED: HeaderSpec = { cost: 'dropped' };

const scratch = scratchDir();
const bytes = {} as Record<
  'png' | 'webp' | 'animated' | 'mp4' | 'fragmented' | 'audio' | 'fps24' | 'frames17' | 'size640' | 'black1' | 'tiny' | 'faststart',
  Buffer
>;

beforeAll(async () => {
  bytes.png = await makeStill('png', 96, 64);
  bytes.webp = await makeStill('webp', 64, 48);
  bytes.animated = await makeAnimatedWebp(33, 62, 64, 48);
  bytes.mp4 = makeMp4(scratch.dir, 'good');
  bytes.faststart = makeMp4(scratch.dir, 'faststart', { movflags: '+faststart' });
  bytes.fragmented = makeMp4(scratch.dir, 'frag', { movflags: 'frag_keyframe+empty_moov' });
  bytes.audio = makeMp4(scratch.dir, 'audio', { audio: true });
  bytes.fps24 = makeMp4(scratch.dir, 'fps24', { fps: 24 });
  bytes.frames17 = makeMp4(scratch.dir, 'frames17', { frames: 17 });
  bytes.size640 = makeMp4(scratch.dir, 'size640', { width: 640, height: 360 });
  // The real fleet's 1-frame near-black MP4 (batch faceswap fed a still; mean luma 2/255).
  bytes.black1 = makeMp4(scratch.dir, 'black1', { source: 'color=c=0x020202:size=1024x1024:rate=16', frames: 1 });
  // The real fleet's 2.7 KB 33-frame 8 fps MP4.
  bytes.tiny = makeMp4(scratch.dir, 'tiny', { source: 'color=c=0x7a7a7a:size=512x512:rate=8', frames: 33, fps: 8 });
});
afterAll(() => scratch.cleanup());

const response = okResponse;

function run(output: OutputSpec, body: Buffer, request: Record<string, unknown> = {}, more: Partial<OutputCheckInput> = {}) {
  return runOutputChecks({ output, headers: DROPPED, request, response: response(body, output.declaredType), ...more });
}

/** check name → verdict (the first result of each name; codec has two). */
function verdicts(results: CheckResult[]): Partial<Record<CheckName, Verdict>> {
  const out: Partial<Record<CheckName, Verdict>> = {};
  for (const r of results) out[r.check] ??= r.verdict;
  return out;
}
const byName = (results: CheckResult[], name: CheckName) => results.filter((r) => r.check === name);

describe('runOutputChecks: stills', () => {
  it('a healthy ComfyUI PNG under image/jpeg: only the two known fleet defects fail (waivers.yaml accepts them)', async () => {
    const results = await run(FLUX_PNG, bytes.png, { width: 96, height: 64 });
    expect(results.map((r) => r.check)).toEqual(['status', 'media-type', 'declared-type', 'decodable', 'image-size', 'blank-output', 'detail', 'file-size', 'cost-headers']);
    expect(verdicts(results)).toEqual({
      status: 'pass',
      'media-type': 'pass',
      'declared-type': 'fail',
      decodable: 'pass',
      'image-size': 'pass',
      'blank-output': 'pass',
      detail: 'pass',
      'file-size': 'pass',
      'cost-headers': 'fail',
    });
    expect(byName(results, 'declared-type')[0].message).toBe(KNOWN_PNG_AS_JPEG);
  });

  it('wrong size fails image-size with measured and expected', async () => {
    const [size] = byName(await run(FLUX_PNG, bytes.png), 'image-size');
    expect(size).toMatchObject({ verdict: 'fail', measured: { width: 96, height: 64 }, expected: { width: 1024, height: 1024 } });
  });

  it('a blank (near-black) image fails blank-output', async () => {
    const black = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#030303' } }).png().toBuffer();
    const [blank] = byName(await run(FLUX_PNG, black, { width: 96, height: 64 }), 'blank-output');
    expect(blank).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/near-black/) });
  });

  it('a PNG decompression bomb fails decodable quickly, never decoded', async () => {
    const bomb = await makeBombPng(20000, 20000);
    const results = await run(FLUX_PNG, bomb);
    const [decodable] = byName(results, 'decodable');
    expect(decodable).toMatchObject({ verdict: 'fail', measured: { code: 'pixel-limit' } });
    expect(decodable.message).toMatch(/20000×20000 = 400 MP, above the 100 MP decode limit/);
    expect(verdicts(results)).toMatchObject({ 'image-size': 'skip', 'blank-output': 'skip' });
  }, 60_000);

  it('truncated and garbage bodies fail decodable, later checks skip with the reason', async () => {
    const half = await run(FLUX_PNG, bytes.png.subarray(0, bytes.png.length >> 1), { width: 96, height: 64 });
    expect(verdicts(half)).toMatchObject({ 'media-type': 'pass', decodable: 'fail', 'image-size': 'skip', 'blank-output': 'skip' });
    expect(byName(half, 'image-size')[0].message).toMatch(/^not decodable: /);

    const garbage = await run(FLUX_PNG, Buffer.from([0x00, 0x13, 0x37, 0xff, 0x00, 0x99, 0x42, 0x01, 0x02, 0x03]));
    expect(verdicts(garbage)).toMatchObject({ 'media-type': 'fail', 'declared-type': 'skip', decodable: 'skip' });
  });

  it('a non-2xx answer skips everything after status', async () => {
    const results = await runOutputChecks({
      output: FLUX_PNG,
      headers: DROPPED,
      request: {},
      response: response(Buffer.from('{"error":"x","details":"y","type":"KeyError"}'), 'application/json', { status: 500 }),
    });
    expect(results[0]).toMatchObject({ check: 'status', verdict: 'fail' });
    expect(results.slice(1).every((r) => r.verdict === 'skip' && r.message === 'no output to judge: status 500')).toBe(true);
  });

  it('cost headers on /flux-pulid: present passes, malformed fails', async () => {
    const pulid: HeaderSpec = { cost: 'present' };
    const headers = { 'content-type': 'image/jpeg', 'x-cost-usd': '0.006825', 'x-execution-time-sec': '8.123', 'x-gpu-type': 'L40S' };
    const ok = await runOutputChecks({ output: FLUX_PNG, headers: pulid, request: { width: 96, height: 64 }, response: { ...response(bytes.png, 'image/jpeg'), headers } });
    expect(verdicts(ok)['cost-headers']).toBe('pass');
    const bad = await runOutputChecks({ output: FLUX_PNG, headers: pulid, request: {}, response: { ...response(bytes.png, 'image/jpeg'), headers: { ...headers, 'x-cost-usd': '$0.01' } } });
    expect(verdicts(bad)['cost-headers']).toBe('fail');
    const absent = await runOutputChecks({ output: FLUX_PNG, headers: pulid, request: {}, response: response(bytes.png, 'image/jpeg') });
    expect(verdicts(absent)['cost-headers']).toBe('fail');
  });

  it('surviving headers run only when documented', async () => {
    const headers: HeaderSpec = { cost: 'dropped', surviving: { 'X-NSFW-Mode': 'false' } };
    const ok = await runOutputChecks({ output: FLUX_PNG, headers, request: {}, response: { ...response(bytes.png, 'image/jpeg'), headers: { 'x-nsfw-mode': 'false' } } });
    expect(verdicts(ok)['surviving-headers']).toBe('pass');
    const missing = await runOutputChecks({ output: FLUX_PNG, headers, request: {}, response: response(bytes.png, 'image/jpeg') });
    expect(verdicts(missing)['surviving-headers']).toBe('fail');
  });
});

describe('runOutputChecks: animated WebP', () => {
  const request = { width: 64, height: 48 };

  it('33 frames at 62 ms pass every check', async () => {
    const results = await run(WAN_WEBP, bytes.animated, request);
    expect(results.filter((r) => r.verdict !== 'pass' && r.check !== 'cost-headers')).toEqual([]);
    expect(results.map((r) => r.check)).toEqual(['status', 'media-type', 'declared-type', 'decodable', 'image-size', 'frame-count', 'frame-timing', 'blank-output', 'motion', 'detail', 'file-size', 'cost-headers']);
  });

  it('wrong frame count and wrong fps fail', async () => {
    expect(verdicts(await run(WAN_WEBP, bytes.animated, { ...request, length: 49 }))).toMatchObject({ 'frame-count': 'fail', 'frame-timing': 'pass' });
    const fps24 = await run(WAN_WEBP, bytes.animated, { ...request, fps: 24 });
    expect(byName(fps24, 'frame-timing')[0]).toMatchObject({ verdict: 'fail', expected: 41 });
  });

  it('a still WebP is a distinct media-type failure', async () => {
    const results = await run(WAN_WEBP, bytes.webp, request);
    expect(byName(results, 'media-type')[0].message).toMatch(/still WebP/);
    expect(verdicts(results)).toMatchObject({ 'declared-type': 'pass', decodable: 'skip', 'frame-count': 'skip' });
  });

  it('an MP4 under image/webp fails media-type and declared-type', async () => {
    const results = await run(WAN_WEBP, bytes.mp4, request);
    expect(verdicts(results)).toMatchObject({ 'media-type': 'fail', 'declared-type': 'fail' });
  });
});

describe('runOutputChecks: MP4', () => {
  it('a healthy 832×480 33-frame 16 fps H.264 MP4 passes every check', async () => {
    const results = await run(FACESWAP_MP4, bytes.mp4);
    expect(results.filter((r) => r.verdict !== 'pass' && r.check !== 'cost-headers')).toEqual([]);
    expect(results.map((r) => r.check)).toEqual([
      'status',
      'media-type',
      'declared-type',
      'decodable',
      'image-size',
      'frame-count',
      'frame-timing',
      'duration',
      'codec',
      'codec',
      'pixel-format',
      'blank-output',
      'motion',
      'detail',
      'file-size',
      'cost-headers',
    ]);
    expect(byName(results, 'duration')[0]).toMatchObject({ measured: 2.0625, expected: 2.0625 });
  });

  it('fragmented MP4 passes too (duration from summed samples)', async () => {
    const results = await run(FACESWAP_MP4, bytes.fragmented);
    expect(results.filter((r) => r.verdict === 'fail').map((r) => r.check)).toEqual(['cost-headers']); // only the known, waived defect
  });

  it('wrong fps, wrong frame count, wrong size each fail their check', async () => {
    const noBlank = { options: { blank: false as const } };
    expect(verdicts(await run(FACESWAP_MP4, bytes.fps24, {}, noBlank))).toMatchObject({ 'frame-timing': 'fail', duration: 'fail', 'frame-count': 'pass' });
    expect(verdicts(await run(FACESWAP_MP4, bytes.frames17, {}, noBlank))).toMatchObject({ 'frame-count': 'fail', duration: 'fail', 'frame-timing': 'pass' });
    expect(verdicts(await run(FACESWAP_MP4, bytes.size640, {}, noBlank))).toMatchObject({ 'image-size': 'fail', 'frame-count': 'pass' });
  });

  it('an audio track fails codec when the contract says no audio', async () => {
    const codec = byName(await run(FACESWAP_MP4, bytes.audio, {}, { options: { blank: false } }), 'codec');
    expect(codec.map((r) => r.verdict)).toEqual(['pass', 'fail']);
  });

  it('the real fleet defect: 1-frame near-black MP4 fails blank-output', async () => {
    const results = await run(BATCH_MP4, bytes.black1, { fps: 16 }, { inputs: { source_video: { width: 1024, height: 1024, durationSec: 0.0625 } } });
    expect(verdicts(results)).toMatchObject({ decodable: 'pass', 'image-size': 'pass', 'frame-count': 'pass', 'blank-output': 'fail' });
    expect(byName(results, 'blank-output')[0].message).toMatch(/^frame 0 near-black \(mean luma [0-7](\.\d+)? < 8\)/);
  });

  it('the real fleet defect: a ~3 KB near-uniform 33-frame MP4 fails blank-output and file-size', async () => {
    expect(bytes.tiny.length).toBeLessThan(8_000);
    const results = await run(BATCH_MP4, bytes.tiny, { fps: 8 }, { inputs: { source_video: { width: 512, height: 512, durationSec: 4.125 } } });
    expect(verdicts(results)).toMatchObject({ decodable: 'pass', 'frame-count': 'pass', 'blank-output': 'fail', 'file-size': 'fail' });
    expect(byName(results, 'blank-output')[0].message).toMatch(/near-uniform/);
  });

  it('truncated MP4s fail decodable with the parser reason; nothing throws', async () => {
    const moovAtEnd = await run(FACESWAP_MP4, bytes.mp4.subarray(0, bytes.mp4.length >> 1));
    expect(byName(moovAtEnd, 'decodable')[0].message).toMatch(/moov atom not found.*file truncated/);
    expect(verdicts(moovAtEnd)).toMatchObject({ 'frame-count': 'skip', codec: 'skip', 'blank-output': 'skip', 'file-size': 'pass' });
    const moovFirst = await run(FACESWAP_MP4, bytes.faststart.subarray(0, bytes.faststart.length >> 1));
    expect(byName(moovFirst, 'decodable')[0]).toMatchObject({ verdict: 'fail', measured: { code: 'truncated' } });
  });

  it('garbage after an ftyp header fails decodable; pure garbage fails media-type', async () => {
    const ftypOnly = Buffer.concat([bytes.mp4.subarray(0, 32), Buffer.alloc(4000, 0xab)]);
    expect(verdicts(await run(FACESWAP_MP4, ftypOnly))).toMatchObject({ 'media-type': 'pass', decodable: 'fail' });
    expect(verdicts(await run(FACESWAP_MP4, Buffer.alloc(5000, 0xab)))).toMatchObject({ 'media-type': 'fail', decodable: 'skip' });
  });

  it('an stsz claiming a billion samples gives a bounded, clear decodable failure', async () => {
    const patched = Buffer.from(bytes.faststart);
    const stsz = findBox(patched, 'stsz');
    patched.writeUInt32BE(1000, stsz + 12);
    patched.writeUInt32BE(1_000_000_000, stsz + 16);
    const [decodable] = byName(await run(FACESWAP_MP4, patched), 'decodable');
    expect(decodable).toMatchObject({ verdict: 'fail', measured: { code: 'too-many-samples' } });
    expect(decodable.message).toMatch(/claims 1000000000 samples, above the cap/);
  });

  it('blank-output can be disabled, and a missing ffmpeg is a failing blank-output, not a throw', async () => {
    expect(verdicts(await run(FACESWAP_MP4, bytes.mp4, {}, { options: { blank: false } }))['blank-output']).toBe('skip');
    const noFfmpeg = byName(await run(FACESWAP_MP4, bytes.mp4, {}, { options: { blank: { ffmpegPath: '/nonexistent/ffmpeg' } } }), 'blank-output')[0];
    expect(noFfmpeg).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/ffmpeg not found/) });
  });
});

describe('checkGolden', () => {
  it('identical images pass with diff ratio 0', async () => {
    const r = await checkGolden(bytes.png, bytes.png);
    expect(r).toMatchObject({ check: 'golden-drift', verdict: 'pass', measured: { diffRatio: 0, diffPixels: 0 } });
  });

  it('drift warns by default, fails when configured, and can return the diff PNG', async () => {
    const drifted = await sharp(bytes.png)
      .composite([{ input: { create: { width: 40, height: 30, channels: 3, background: '#ff00ff' } }, left: 10, top: 10 }])
      .png()
      .toBuffer();
    const r = await checkGolden(drifted, bytes.png, { diffImage: true });
    expect(r.verdict).toBe('warn');
    expect((r.measured as { diffRatio: number }).diffRatio).toBeCloseTo(1200 / (96 * 64), 2);
    expect(r.diffPng && (await sharp(r.diffPng).metadata())).toMatchObject({ width: 96, height: 64, format: 'png' });
    expect((await checkGolden(drifted, bytes.png, { onDrift: 'fail' })).verdict).toBe('fail');
    expect((await checkGolden(drifted, bytes.png, { maxDiffRatio: 0.5 })).verdict).toBe('pass');
  });

  it('size mismatch is drift; undecodable output fails', async () => {
    const other = await makeStill('png', 64, 64);
    expect(await checkGolden(other, bytes.png)).toMatchObject({ verdict: 'warn', message: expect.stringMatching(/size 64×64 differs from golden 96×64/) });
    expect((await checkGolden(other, bytes.png, { onDrift: 'fail' })).verdict).toBe('fail');
    expect((await checkGolden(Buffer.from('nope'), bytes.png)).verdict).toBe('fail');
  });
});

/** The pure checks, one by one (no media decoding here; see output.test.ts for real bytes). */
import { describe, expect, it } from 'vitest';
import { getEndpoint } from '../catalog/index.ts';
import type { ErrorCase, OutputSpec } from '../catalog/types.ts';
import { checkBlank } from './blank.ts';
import { checkCodec } from './codec.ts';
import { checkCostHeaders, checkSurvivingHeaders, KNOWN_COST_HEADERS_DROPPED } from './cost-headers.ts';
import { checkDuration } from './duration.ts';
import { checkErrorBody } from './error-body.ts';
import { expectedOutput, intField, shortSideSize } from './expected.ts';
import { checkFileSize } from './file-size.ts';
import { checkFrameCount, checkMp4Timing, checkWebpTiming } from './frames.ts';
import { checkImageSize } from './image-size.ts';
import { runErrorCaseChecks } from './index.ts';
import { checkDeclaredType, checkMediaType, KNOWN_PNG_AS_JPEG } from './media-type.ts';
import { checkStatus } from './status.ts';
import { mp4Spec, stillSpec, webpSpec } from './testing.ts';

const WAN_WEBP = webpSpec(832, 480, 20_000);
const FACESWAP_MP4 = mp4Spec({ kind: 'fixed', width: 832, height: 480 }, 50_000);

describe('intField: request integers as the fleet reads them, with Python int()', () => {
  it('truncates a JSON number, reads an integer string, and raises on any other string, naming the field', () => {
    expect(intField({ width: 1440.5 }, 'width')).toBe(1440);
    expect(intField({ width: -7.9 }, 'width')).toBe(-7); // int(-7.9) == -7: toward zero
    expect(intField({ width: ' 768 ' }, 'width')).toBe(768);
    expect(intField({}, 'width')).toBeUndefined();
    expect(() => intField({ width: '1440.5' }, 'width')).toThrow('request field "width" is "1440.5": Python\'s int() raises ValueError on it');
  });

  it("expectedOutput follows it: a ComfyUI INT size truncates or cannot be derived; seedvr2's resolution falls back to its default", () => {
    expect(expectedOutput(stillSpec('image/jpeg'), { width: 1440.5, height: 1024 })).toMatchObject({ width: 1440, height: 1024 });
    expect(() => expectedOutput(stillSpec('image/jpeg'), { width: '1440.5', height: 1024 })).toThrow(/"width" is "1440.5"/);
    const seedvr2 = getEndpoint('seedvr2').output;
    if (seedvr2.size.kind !== 'short-side') throw new Error('seedvr2 is no longer a short-side rule');
    const inputs = { [seedvr2.size.inputField]: { width: 640, height: 480 } };
    const byDefault = expectedOutput(seedvr2, {}, inputs);
    // handlers/seedvr2.py:194-204: a string int() rejects is caught and replaced by the default.
    expect(expectedOutput(seedvr2, { [seedvr2.size.field]: '1440.5' }, inputs)).toMatchObject({ width: byDefault.width, height: byDefault.height });
    expect(expectedOutput(seedvr2, { [seedvr2.size.field]: 720.9 }, inputs)).toMatchObject({ width: 960, height: 720 });
  });
});

describe('expectedOutput', () => {
  it('applies request defaults and WebP delay = trunc(1000/fps)', () => {
    expect(expectedOutput(WAN_WEBP, {})).toMatchObject({ width: 832, height: 480, frames: 33, fps: 16, frameDelayMs: 62, sizeTolerancePx: 0, framesTolerance: 0 });
    expect(expectedOutput(WAN_WEBP, { width: 512, height: '768', length: 17, fps: 24 })).toMatchObject({ width: 512, height: 768, frames: 17, frameDelayMs: 41 });
    expect(expectedOutput(WAN_WEBP, {}).durationSec).toBeCloseTo(33 * 0.062, 6);
  });

  it('allows Wan to round a non-4k+1 length and non-16 sizes', () => {
    expect(expectedOutput(WAN_WEBP, { length: 30 })).toMatchObject({ frames: 30, framesTolerance: 3 });
    expect(expectedOutput(WAN_WEBP, { width: 830 })).toMatchObject({ width: 830, sizeTolerancePx: 15 });
  });

  it('uses the aspect-ratio table, falling back to width/height for unknown ratios', () => {
    const qwen: OutputSpec = {
      kind: 'png',
      declaredType: 'image/jpeg',
      size: { kind: 'aspect-ratio', field: 'aspect_ratio', table: { '16:9': [1664, 928], '1:1': [1328, 1328] }, widthField: 'width', heightField: 'height', defaultWidth: 1328, defaultHeight: 1328 },
      minBytes: 100_000,
    };
    expect(expectedOutput(qwen, { aspect_ratio: '16:9', width: 512, height: 512 })).toMatchObject({ width: 1664, height: 928 });
    const unknown = expectedOutput(qwen, { aspect_ratio: '5:4', width: 512, height: 512 });
    expect(unknown).toMatchObject({ width: 512, height: 512 });
    expect(unknown.notes[0]).toMatch(/not in the table/);
    expect(expectedOutput(qwen, {})).toMatchObject({ width: 1328, height: 1328 });
  });

  it('follows the input for same-as-input, and says so when the input is unknown', () => {
    const swap: OutputSpec = { kind: 'png', declaredType: 'image/jpeg', size: { kind: 'same-as-input', inputField: 'target_image' }, minBytes: 1 };
    expect(expectedOutput(swap, {}, { target_image: { width: 640, height: 960 } })).toMatchObject({ width: 640, height: 960 });
    const missing = expectedOutput(swap, {});
    expect(missing.width).toBeUndefined();
    expect(missing.notes).toEqual(['no size known for input "target_image"']);
  });

  it('short-side: scales the short side to resolution, keeps aspect, caps the long side', () => {
    const seedvr2: OutputSpec = {
      kind: 'png',
      declaredType: 'image/png',
      size: { kind: 'short-side', field: 'resolution', defaultValue: 1080, maxField: 'max_resolution', defaultMax: 4000, inputField: 'image' },
      minBytes: 1,
    };
    expect(expectedOutput(seedvr2, {}, { image: { width: 512, height: 512 } })).toMatchObject({ width: 1080, height: 1080 });
    expect(expectedOutput(seedvr2, { resolution: '1440' }, { image: { width: 800, height: 600 } })).toMatchObject({ width: 1920, height: 1440 });
    expect(expectedOutput(seedvr2, { resolution: 'fixed' }, { image: { width: 600, height: 800 } })).toMatchObject({ width: 1080, height: 1440 });
    // 1080 short side of a 1:5 strip would make the long side 5400 > 4000 → capped.
    expect(shortSideSize(400, 2000, 1080, 4000)).toEqual([800, 4000]);
    expect(expectedOutput(seedvr2, { max_resolution: 2000 }, { image: { width: 400, height: 2000 } })).toMatchObject({ width: 400, height: 2000 });
  });

  it('frames: none → exactly 1 for video; from-input-duration → duration × fps', () => {
    const batch: OutputSpec = { ...FACESWAP_MP4, size: { kind: 'same-as-input', inputField: 'video' }, frames: { kind: 'none' } };
    expect(expectedOutput(batch, {}, { video: { width: 1024, height: 1024 } })).toMatchObject({ frames: 1, fps: 16, durationSec: 1 / 16 });
    const vfs: OutputSpec = { ...FACESWAP_MP4, size: { kind: 'same-as-input', inputField: 'video' }, frames: { kind: 'from-input-duration', inputField: 'video' } };
    expect(expectedOutput(vfs, {}, { video: { width: 512, height: 512, durationSec: 2.0625 } })).toMatchObject({ frames: 33, framesTolerance: 2 });
    expect(expectedOutput(vfs, {}, {}).notes).toContain('no duration/fps known for input "video"');
    expect(expectedOutput({ ...FACESWAP_MP4, kind: 'png' }, {}).frames).toBeUndefined();
  });
});

describe('status / media-type / declared-type', () => {
  it('status', () => {
    expect(checkStatus(200, [200]).verdict).toBe('pass');
    expect(checkStatus(503, [200])).toMatchObject({ verdict: 'fail', message: 'status 503, expected 200', measured: 503 });
    expect(checkStatus(null, [200]).verdict).toBe('fail');
  });

  it('media-type: still WebP where animation expected is its own failure', () => {
    expect(checkMediaType('webp-animated', 'webp-animated').verdict).toBe('pass');
    expect(checkMediaType('webp', 'webp-animated')).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/still WebP/) });
    expect(checkMediaType('png', 'mp4')).toMatchObject({ verdict: 'fail', message: 'bytes are png, expected mp4' });
    expect(checkMediaType('empty', 'png').message).toMatch(/empty body/);
  });

  it('declared-type: the documented PNG-under-jpeg is a warning, other lies fail', () => {
    expect(checkDeclaredType('image/jpeg', 'png', 'image/jpeg')).toMatchObject({ verdict: 'fail', message: KNOWN_PNG_AS_JPEG });
    expect(checkDeclaredType('image/png', 'png', 'image/png').verdict).toBe('pass');
    expect(checkDeclaredType('image/webp; charset=binary', 'webp-animated', 'image/webp').verdict).toBe('pass');
    const fixed = checkDeclaredType('image/png', 'png', 'image/jpeg');
    expect(fixed.verdict).toBe('pass');
    expect(fixed.message).toMatch(/update the catalog/);
    expect(checkDeclaredType('text/html', 'png', 'image/jpeg')).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/contradicts both/) });
    // PNG under jpeg where the catalog says png is not the known defect.
    expect(checkDeclaredType('image/jpeg', 'png', 'image/png').verdict).toBe('fail');
    expect(checkDeclaredType('video/mp4', 'webp-animated', 'video/mp4').verdict).toBe('fail');
    expect(checkDeclaredType(null, 'png', 'image/jpeg').verdict).toBe('fail');
    expect(checkDeclaredType('image/png', 'unknown', 'image/png').verdict).toBe('skip');
  });
});

describe('size, frames, timing, duration, codec, file size', () => {
  const exp = expectedOutput(FACESWAP_MP4, {});

  it('image size with tolerance and swapped dimensions', () => {
    expect(checkImageSize({ width: 832, height: 480 }, exp).verdict).toBe('pass');
    expect(checkImageSize({ width: 480, height: 832 }, exp).message).toMatch(/swapped/);
    expect(checkImageSize({ width: 512, height: 768 }, exp)).toMatchObject({ verdict: 'fail', measured: { width: 512, height: 768 }, expected: { width: 832, height: 480 } });
    expect(checkImageSize({ width: 1, height: 1 }, { kind: 'png', notes: ['no size known for input "x"'] }).verdict).toBe('skip');
  });

  it('frame count', () => {
    expect(checkFrameCount(33, exp).verdict).toBe('pass');
    expect(checkFrameCount(1, exp)).toMatchObject({ verdict: 'fail', message: '1 frames, expected 33' });
  });

  it('WebP delays within ±1 ms of 62', () => {
    const webp = expectedOutput(WAN_WEBP, {});
    expect(checkWebpTiming(Array(33).fill(62), webp).verdict).toBe('pass');
    expect(checkWebpTiming([62, 63, 62, 63], webp).verdict).toBe('pass'); // ffmpeg-style rounding
    expect(checkWebpTiming([62, 62, 100], webp)).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/1\/3 frame delays off \(frame 2: 100 ms\)/) });
    expect(checkWebpTiming(Array(33).fill(41), webp).verdict).toBe('fail'); // 24 fps delays for a 16 fps request
    expect(checkWebpTiming([], webp).verdict).toBe('fail');
  });

  it('MP4 fps within ±0.5', () => {
    expect(checkMp4Timing(16, exp).verdict).toBe('pass');
    expect(checkMp4Timing(16.4, exp).verdict).toBe('pass');
    expect(checkMp4Timing(24, exp)).toMatchObject({ verdict: 'fail', measured: 24, expected: 16 });
  });

  it('duration against frames/fps ± one frame', () => {
    expect(checkDuration({ durationSec: 2.0625, frames: 33, fps: 16 }, exp).verdict).toBe('pass');
    expect(checkDuration({ durationSec: 4.125, frames: 33, fps: 8 }, exp).verdict).toBe('fail');
    const noExpectation = { kind: 'mp4' as const, notes: [] };
    expect(checkDuration({ durationSec: 2.0625, frames: 33, fps: 16 }, noExpectation).verdict).toBe('pass');
    expect(checkDuration({ durationSec: 5, frames: 33, fps: 16 }, noExpectation).verdict).toBe('fail');
  });

  it('codec: avc1 and no audio', () => {
    expect(checkCodec({ codec: 'avc1.64001e', audioTracks: 0, audioCodecs: [] }, FACESWAP_MP4).map((r) => r.verdict)).toEqual(['pass', 'pass']);
    expect(checkCodec({ codec: 'hvc1.1.6.L93', audioTracks: 0, audioCodecs: [] }, FACESWAP_MP4)[0].verdict).toBe('fail');
    expect(checkCodec({ codec: 'avc1.64001e', audioTracks: 1, audioCodecs: ['mp4a.40.2'] }, FACESWAP_MP4)[1]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/expected none/) });
    const pass = { ...FACESWAP_MP4, audio: 'passthrough' as const };
    expect(checkCodec({ codec: 'avc1.64001e', audioTracks: 1, audioCodecs: ['mp4a.40.2'] }, pass, 1)[1].verdict).toBe('pass');
    expect(checkCodec({ codec: 'avc1.64001e', audioTracks: 0, audioCodecs: [] }, pass, 1)[1]).toMatchObject({ verdict: 'fail', message: 'source audio dropped' });
    expect(checkCodec({ codec: 'avc1.64001e', audioTracks: 0, audioCodecs: [] }, pass)[1].verdict).toBe('skip');
  });

  it('file size against minBytes', () => {
    expect(checkFileSize(2765, 50_000)).toMatchObject({ verdict: 'fail', message: 'body too small: 2765 bytes, minimum 50000' });
    expect(checkFileSize(256_397, 50_000).verdict).toBe('pass');
  });

  it('blank: near-black or near-uniform sampled frame fails', () => {
    expect(checkBlank([{ frame: 0, meanLuma: 2, stdevLuma: 1, distinctLevels: 3 }])).toMatchObject({ verdict: 'fail', message: 'frame 0 near-black (mean luma 2 < 8)' });
    expect(checkBlank([{ frame: 0, meanLuma: 90, stdevLuma: 40, distinctLevels: 200 }, { frame: 8, meanLuma: 128, stdevLuma: 0.5, distinctLevels: 2 }]).message).toBe(
      'frame 8 near-uniform (luma stdev 0.5 < 3)',
    );
    expect(checkBlank([{ frame: 0, meanLuma: 90, stdevLuma: 40, distinctLevels: 200 }]).verdict).toBe('pass');
    expect(checkBlank([]).verdict).toBe('skip');
  });
});

describe('cost and surviving headers', () => {
  const good = { 'x-cost-usd': '0.006825', 'x-execution-time-sec': '12.345', 'x-gpu-type': 'L40S' };

  it("'present' needs all three, well-formed", () => {
    expect(checkCostHeaders(good, 'present').verdict).toBe('pass');
    expect(checkCostHeaders({ ...good, 'x-gpu-type': 'A100' }, 'present').verdict).toBe('pass');
    expect(checkCostHeaders({}, 'present')).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/^missing: x-cost-usd/) });
    expect(checkCostHeaders({ ...good, 'x-cost-usd': '0.0068' }, 'present')).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/malformed: x-cost-usd="0.0068"/) });
    expect(checkCostHeaders({ ...good, 'x-execution-time-sec': '12.3' }, 'present').verdict).toBe('fail');
    expect(checkCostHeaders({ ...good, 'x-gpu-type': 'H100' }, 'present').verdict).toBe('fail');
    expect(checkCostHeaders({ 'x-cost-usd': good['x-cost-usd'] }, 'present').message).toMatch(/partial/);
    // Header name case does not matter.
    expect(checkCostHeaders({ 'X-Cost-USD': '0.006825', 'X-Execution-Time-Sec': '1.000', 'X-GPU-Type': 'L40S' }, 'present').verdict).toBe('pass');
  });

  it("'dropped': absent warns (known), present passes with an update note, malformed fails", () => {
    expect(checkCostHeaders({ 'content-type': 'image/jpeg' }, 'dropped')).toMatchObject({ verdict: 'fail', message: KNOWN_COST_HEADERS_DROPPED });
    expect(checkCostHeaders(good, 'dropped')).toMatchObject({ verdict: 'pass', message: expect.stringMatching(/^present: the copy-loop bug is fixed, update the catalog/) });
    expect(checkCostHeaders({ ...good, 'x-cost-usd': 'abc' }, 'dropped').verdict).toBe('fail');
  });

  it('surviving headers', () => {
    expect(checkSurvivingHeaders({ 'x-nsfw-mode': 'false' }, { 'X-NSFW-Mode': 'false' }).verdict).toBe('pass');
    expect(checkSurvivingHeaders({ 'x-nsfw-mode': 'true' }, { 'X-NSFW-Mode': 'false' }).message).toBe('X-NSFW-Mode="true", expected "false"');
    expect(checkSurvivingHeaders({}, { 'X-Style': 'cinematic' }).message).toBe('X-Style missing (expected "cinematic")');
    expect(checkSurvivingHeaders({}, undefined).verdict).toBe('skip');
  });
});

describe('error bodies', () => {
  const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

  it('not-found: a removed route answered by FastAPI or by Modal, nothing else', () => {
    const removed = { status: [404], body: 'not-found' as const };
    expect(checkErrorBody(404, body({ detail: 'Not Found' }), removed)[1].verdict).toBe('pass');
    expect(checkErrorBody(404, body('modal-http: invalid function call'), removed)[1].verdict).toBe('pass');
    expect(checkErrorBody(404, body('modal-http: app for invoked web endpoint is stopped'), removed)[1].verdict).toBe('pass');
    expect(checkErrorBody(404, body({ detail: 'LoRA not found: x' }), removed)[1]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/neither/) });
    expect(checkErrorBody(404, body('<html>404</html>'), removed)[1].verdict).toBe('fail');
    expect(checkErrorBody(200, body({ detail: 'Not Found' }), removed)[0].verdict).toBe('fail');
  });

  it('detail', () => {
    const expect400 = { status: [400], body: 'detail' as const, contains: 'lora_id or lora_name is required' };
    const ok = checkErrorBody(400, body({ detail: 'lora_id or lora_name is required' }), expect400);
    expect(ok.map((r) => [r.check, r.verdict])).toEqual([['status', 'pass'], ['error-body', 'pass']]);
    expect(checkErrorBody(400, body({ detail: 'something else' }), expect400)[1]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/lacks "lora_id or lora_name is required"/) });
    expect(checkErrorBody(500, body({ detail: 'lora_id or lora_name is required' }), expect400)[0].verdict).toBe('fail');
    expect(checkErrorBody(400, body({ detail: { error: 'x' } }), expect400)[1].message).toBe('body is not the detail shape: "detail" is an object, expected a string');
    expect(checkErrorBody(400, body('<html>oops</html>'), expect400)[1].message).toMatch(/not JSON/);
  });

  it('detail-object', () => {
    const e = { status: [501], body: 'detail-object' as const, contains: 'alternatives' };
    expect(checkErrorBody(501, body({ detail: { error: 'not implemented', alternatives: ['/z-image-pulid'] } }), e)[1].verdict).toBe('pass');
    expect(checkErrorBody(501, body({ detail: 'flat' }), e)[1].verdict).toBe('fail');
  });

  it('error-details-type (global handler, extra "path" allowed)', () => {
    const e = { status: [500], body: 'error-details-type' as const, contains: 'prompt' };
    const shaped = { error: "'prompt'", details: 'Traceback…', type: 'KeyError', path: '/flux' };
    expect(checkErrorBody(500, body(shaped), e)[1].verdict).toBe('pass');
    expect(checkErrorBody(500, body({ error: "'prompt'", type: 'KeyError' }), e)[1].message).toMatch(/"details" is missing/);
    expect(checkErrorBody(500, body({ detail: 'Internal Server Error' }), e)[1].verdict).toBe('fail');
  });

  it('text (Modal platform bodies)', () => {
    const e = { status: [404], body: 'text' as const, contains: 'modal-http: invalid function call' };
    expect(checkErrorBody(404, body('modal-http: invalid function call'), e)[1].verdict).toBe('pass');
    expect(checkErrorBody(404, body(''), e)[1].message).toMatch(/empty body/);
  });

  it('runErrorCaseChecks takes an ErrorCase and a plain response', () => {
    const ec: ErrorCase = { name: 'route removed', expect: { status: [404], body: 'detail', contains: 'Not Found' } };
    const results = runErrorCaseChecks(ec, { status: 404, body: body({ detail: 'Not Found' }) });
    expect(results.every((r) => r.verdict === 'pass')).toBe(true);
  });
});

/** Every fault in FAULTS produces its effect (per-request header and control-API rules). */
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, FAULTS, type Emulator, type FaultName } from './index.ts';
import { checkDetail } from '../checks/detail.ts';
import { checkMotion } from '../checks/motion.ts';
import { probeMp4 as probeMp4Headers } from '../media/mp4.ts';
import { sampleLumaFrames } from '../media/sample.ts';
import { probeAnimatedWebp, readWebpLayout } from '../media/webp.ts';
import { centreCorrelation, dataUrl, fixture, http, meanLevel, probeMp4 } from './testkit.ts';

let emu: Emulator;
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  emu = createEmulator({ timeScale: 0.0001, coldStart: false, httpLimitSec: 1e7 });
  const s = await emu.listen(0);
  base = s.url;
  close = s.close;
});
afterAll(async () => close?.());

const covered = new Set<FaultName>();
const withFault = (f: FaultName) => {
  covered.add(f);
  return { 'x-genprobe-fault': f };
};
const flux = (f: FaultName) => http(`${base}/ryla-flux/flux`, { body: { prompt: 'x', width: 256, height: 256, seed: 3 }, headers: withFault(f) });
const wan = (f: FaultName) => http(`${base}/ryla-wan26/wan2.6`, { body: { prompt: 'x', width: 128, height: 96, length: 17, seed: 3 }, headers: withFault(f) });
const face = (f: FaultName) =>
  http(`${base}/ryla-instantid/sdxl-instantid`, { body: { prompt: 'x', reference_image: dataUrl('faces/astronaut.png'), width: 384, height: 384 }, headers: withFault(f) });

describe('output faults', () => {
  it('wrong-dims', async () => {
    const m = await sharp((await flux('wrong-dims')).body).metadata();
    expect([m.width, m.height]).toEqual([128, 128]);
  });
  it('wrong-frames and wrong-fps', async () => {
    const frames = await sharp((await wan('wrong-frames')).body, { animated: true }).metadata();
    expect(frames.pages).toBe(9);
    const fps = await sharp((await wan('wrong-fps')).body, { animated: true }).metadata();
    expect(fps.pages).toBe(17);
    expect(fps.delay?.[0]).toBe(125);
  });
  it('wrong-format: still JPEG for video, WebP for an image', async () => {
    const v = await wan('wrong-format');
    expect(v.headers['content-type']).toBe('image/webp');
    expect(v.body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const i = await flux('wrong-format');
    expect(i.body.toString('latin1', 8, 12)).toBe('WEBP');
  });
  it('blank and tiny', async () => {
    expect(await meanLevel((await flux('blank')).body)).toBeLessThan(5);
    const tiny = await http(`${base}/ryla-wan22-i2v/wan22-i2v-faceswap`, {
      body: { source_image: dataUrl('scenes/coffee.png'), face_image: dataUrl('faces/astronaut.png'), width: 512, height: 512 },
      headers: withFault('tiny'),
    });
    expect(tiny.body.length).toBeLessThan(8000);
    expect(await probeMp4(tiny.body)).toMatchObject({ frames: 33, width: 512, height: 512 });
  });
  it('blank and tiny animated WebP keep the requested frame count (identical frames are not merged)', async () => {
    for (const f of ['blank', 'tiny'] as const) {
      const meta = await sharp((await wan(f)).body, { animated: true }).metadata();
      expect({ fault: f, pages: meta.pages }).toEqual({ fault: f, pages: 17 });
    }
    const tiny = await wan('tiny');
    expect(tiny.body.length).toBeLessThan(8000);
  });
  it('wrong-face and no-face', async () => {
    const astronaut = fixture('faces/astronaut.png');
    const hopper = fixture('faces/grace_hopper.jpg');
    const wrong = (await face('wrong-face')).body;
    expect(await centreCorrelation(wrong, hopper)).toBeGreaterThan((await centreCorrelation(wrong, astronaut)) + 0.3);
    const none = (await face('no-face')).body;
    expect(await centreCorrelation(none, astronaut)).toBeLessThan(0.5);
    expect(await centreCorrelation(none, fixture('scenes/coffee.png'))).toBeGreaterThan(0.8);
  });
  it('missing-cost-headers on /flux-pulid', async () => {
    const a = await http(`${base}/ryla-instantid/flux-pulid`, {
      body: { prompt: 'x', reference_image: dataUrl('faces/astronaut.png'), width: 128, height: 128 },
      headers: withFault('missing-cost-headers'),
    });
    expect(a.status).toBe(200);
    expect(a.headers['x-cost-usd']).toBeUndefined();
    expect(a.headers['x-gpu-type']).toBeUndefined();
  });
});

describe('error faults', () => {
  it('app-5xx, modal-5xx, modal-408, modal-404', async () => {
    const app = await flux('app-5xx');
    expect(app.status).toBe(500);
    expect(app.json()).toMatchObject({ type: 'RuntimeError', path: '/flux' });
    const m5 = await flux('modal-5xx');
    expect([m5.status, m5.text]).toEqual([500, 'modal-http: internal error: function execution timed out']);
    const m408 = await flux('modal-408');
    expect([m408.status, m408.text]).toEqual([408, 'Missing request, possibly due to expiry or cancellation']);
    const m404 = await flux('modal-404');
    expect([m404.status, m404.text]).toEqual([404, 'modal-http: invalid function call']);
  });
  it('app-5xx, modal-5xx and slow strike JSON routes too (GET /loras)', async () => {
    const loras = (f: FaultName) => http(`${base}/ryla-flux/loras`, { method: 'GET', headers: withFault(f) });
    expect((await loras('app-5xx')).status).toBe(500);
    expect(await loras('modal-5xx')).toMatchObject({ status: 500, text: 'modal-http: internal error: function execution timed out' });
    expect(await loras('slow')).toMatchObject({ status: 500, text: 'modal-http: internal error: function execution timed out' });
  });
  it('slow runs to the function timeout', async () => {
    const a = await flux('slow');
    expect([a.status, a.text]).toEqual([500, 'modal-http: internal error: function execution timed out']);
    expect(emu.state.call(a.headers['x-emulator-call-id'])!.modeledSec!).toBeGreaterThanOrEqual(1800);
  });
  it('redirect-loop answers 303 forever', async () => {
    let a = await flux('redirect-loop');
    for (let i = 0; i < 5; i++) {
      expect(a.status).toBe(303);
      a = await http(a.headers.location);
    }
    expect(a.status).toBe(303);
  });
});

describe('transport faults', () => {
  const post = (f: FaultName) =>
    request(`${base}/ryla-flux/flux`, { method: 'POST', body: JSON.stringify({ prompt: 'x', width: 256, height: 256 }), headers: { 'content-type': 'application/json', ...withFault(f) } });

  it('truncated: correct Content-Length, then the connection dies', async () => {
    const r = await post('truncated');
    expect(Number(r.headers['content-length'])).toBeGreaterThan(10_000);
    await expect(r.body.arrayBuffer()).rejects.toThrow();
  });
  it('lying-length: a clean response whose bytes are cut', async () => {
    const r = await post('lying-length');
    const body = Buffer.from(await r.body.arrayBuffer());
    expect(body.length).toBe(Number(r.headers['content-length']));
    await expect(sharp(body).raw().toBuffer()).rejects.toThrow();
  });
  it('invalid-gzip: Content-Encoding gzip on a non-gzip body', async () => {
    const r = await post('invalid-gzip');
    expect(r.headers['content-encoding']).toBe('gzip');
    const body = Buffer.from(await r.body.arrayBuffer());
    expect(() => gunzipSync(body)).toThrow();
  });
  it('oversized: endless chunked body, without piling up listeners while it waits for drain', async () => {
    const leaks: string[] = [];
    const onWarning = (w: Error) => void (w.name === 'MaxListenersExceededWarning' && leaks.push(w.message));
    process.on('warning', onWarning);
    const r = await post('oversized');
    expect(r.headers['content-length']).toBeUndefined();
    let got = 0;
    for await (const chunk of r.body) {
      got += (chunk as Buffer).length;
      if (got > 8 * 1024 * 1024) break;
    }
    r.body.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50)); // warnings are emitted on the next tick
    process.off('warning', onWarning);
    expect(got).toBeGreaterThan(8 * 1024 * 1024);
    expect(leaks).toEqual([]);
  });
  it('slow-drip: bytes trickle', async () => {
    const r = await post('slow-drip');
    const declared = Number(r.headers['content-length']);
    let got = 0;
    const t0 = Date.now();
    for await (const chunk of r.body) {
      got += (chunk as Buffer).length;
      if (Date.now() - t0 > 600) break;
    }
    r.body.destroy();
    expect(got).toBeLessThan(declared / 10);
  });
});

describe('picture and encoding faults (issue 18)', () => {
  const mp4 = (f: FaultName) =>
    http(`${base}/ryla-wan22-i2v/wan22-i2v-faceswap`, {
      body: { source_image: dataUrl('scenes/coffee.png'), face_image: dataUrl('faces/astronaut.png'), width: 256, height: 256 },
      headers: withFault(f),
    });
  it('frozen: every WebP frame is frame 0 but for a 4×4 patch; every MP4 frame is frame 0 (up to encoder noise)', async () => {
    const webp = (await wan('frozen')).body;
    const frames = await sampleLumaFrames(webp, 'webp-animated', (await probeAnimatedWebp(webp)).frames, { samples: 4 });
    expect(frames).toHaveLength(4);
    expect(checkMotion(frames)).toMatchObject({ verdict: 'fail', measured: { meanChange: expect.any(Number) } });
    const video = (await mp4('frozen')).body;
    const sampled = await sampleLumaFrames(video, 'mp4', (await probeMp4Headers(video)).frames, { samples: 4 });
    const motion = checkMotion(sampled);
    expect(motion.verdict).toBe('fail');
    expect((motion.measured as { maxChange: number }).maxChange).toBeLessThan(0.1);
  });
  it('no-detail: normal brightness and spread, no neighbour steps', async () => {
    const png = (await flux('no-detail')).body;
    const [luma] = await sampleLumaFrames(png, 'png', 1);
    expect(meanAbs(luma.data)).toBeGreaterThan(20);
    expect(checkDetail([luma]).verdict).toBe('fail');
  });
  it('yuv444: the MP4 is H.264 High 4:4:4 Predictive, yuv444p', async () => {
    const info = await probeMp4Headers((await mp4('yuv444')).body);
    expect(info.avc).toMatchObject({ profile: 'High 4:4:4 Predictive', pixelFormat: 'yuv444p' });
  });
  it('frame-bomb: 100,000 one-pixel ANMF frames on the requested canvas, a few MB', async () => {
    const body = (await wan('frame-bomb')).body;
    expect(body.length).toBeLessThan(8 * 1024 * 1024);
    const layout = readWebpLayout(body);
    expect(layout).toMatchObject({ animated: true, canvasWidth: 128, canvasHeight: 96, frameCount: 100_000 });
  });
});

function meanAbs(data: Uint8Array): number {
  let s = 0;
  for (const v of data) s += v;
  return s / data.length;
}

describe('control API', () => {
  it('rules apply with a budget, then stop; DELETE clears', async () => {
    const add = await http(`${base}/__emulator/faults`, { body: { match: { app: 'ryla-flux', path: '/health' }, fault: 'modal-404', times: 1 } });
    expect(add.status).toBe(201);
    expect((await http(`${base}/ryla-flux/health`)).status).toBe(404);
    expect((await http(`${base}/ryla-flux/health`)).status).toBe(200);
    await http(`${base}/__emulator/faults`, { body: { match: { app: 'ryla-flux' }, fault: 'modal-408' } });
    expect((await http(`${base}/ryla-flux/health`)).status).toBe(408);
    expect((await http(`${base}/__emulator/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${base}/ryla-flux/health`)).status).toBe(200);
    expect((await http(`${base}/__emulator/faults`, { body: { fault: 'nope' } })).status).toBe(400);
  });
  it('reset clears fault rules and call records', async () => {
    await http(`${base}/__emulator/faults`, { body: { fault: 'modal-404' } });
    expect((await http(`${base}/__emulator/reset`, { body: {} })).status).toBe(200);
    const state = emu.state.snapshot();
    expect(state.faultRules).toEqual([]);
    expect(state.calls).toEqual([]);
    expect((await http(`${base}/ryla-flux/health`)).status).toBe(200);
  });
  it('every fault in FAULTS is exercised by this file', () => {
    expect(FAULTS.map((f) => f.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});

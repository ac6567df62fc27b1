/**
 * Modal timing behaviour: cold start paid by every first request, warm reuse, scale-to-zero after
 * the idle window, per-app concurrency, and the 150 s limit → 303 → result URL. Assertions use the
 * emulator's own call records (cold/warm flags, lower bounds from sleeps), never wall-clock races.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from './index.ts';
import { dataUrl, http } from './testkit.ts';

const TIME_SCALE = 0.005; // flux cold start 60 s → 300 ms; seedvr2 208 s → 1.04 s; limit 150 s → 750 ms
let emu: Emulator;
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  emu = createEmulator({ timeScale: TIME_SCALE, scaledownWindowSec: 60 }); // idle window 300 ms
  const s = await emu.listen(0);
  base = s.url;
  close = s.close;
});
afterAll(async () => close?.());

const record = (id: string) => emu.state.call(id)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cold start', () => {
  it('first /health pays the cold start, the next one is warm; state shows warm', async () => {
    const first = await http(`${base}/ryla-flux/health`);
    const second = await http(`${base}/ryla-flux/health`);
    expect(first.status).toBe(200);
    const r1 = record(first.headers['x-emulator-call-id']);
    const r2 = record(second.headers['x-emulator-call-id']);
    expect(r1.coldStart).toBe(true);
    expect(r1.coldStartMs).toBeGreaterThanOrEqual(60 * TIME_SCALE * 1000 - 5);
    expect(r2.coldStart).toBe(false);
    expect(r2.serverMs!).toBeLessThan(r1.serverMs!);
    expect(Number(first.headers['x-emulator-server-ms'])).toBeGreaterThanOrEqual(r1.coldStartMs - 1);
    const state = (await http(`${base}/__emulator/state`)).json() as { apps: { app: string; container: string; coldStarts: number }[] };
    expect(state.apps.find((a) => a.app === 'ryla-flux')).toMatchObject({ container: 'warm', coldStarts: 1 });
  });

  it('a validation error on a cold app also pays the cold start', async () => {
    const a = await http(`${base}/ryla-z-image/z-image-lora`, { body: { prompt: 'x' } });
    expect(a.status).toBe(400);
    expect(record(a.headers['x-emulator-call-id']).coldStart).toBe(true);
  });

  it('after the idle window the app is cold again; scale-down forces it', async () => {
    await http(`${base}/ryla-seedvr2/health`);
    await sleep(60 * TIME_SCALE * 1000 + 150);
    const state = emu.state.snapshot().apps.find((a) => a.app === 'ryla-seedvr2')!;
    expect(state.container).toBe('cold');
    const again = await http(`${base}/ryla-seedvr2/health`);
    expect(record(again.headers['x-emulator-call-id']).coldStart).toBe(true);

    const forced = await http(`${base}/__emulator/scale-down`, { body: { app: 'ryla-seedvr2' } });
    expect(forced.status).toBe(200);
    const after = await http(`${base}/ryla-seedvr2/health`);
    expect(record(after.headers['x-emulator-call-id']).coldStart).toBe(true);
  });
});

describe('containers (serial: one job at a time, as the fleet\'s blocking handlers run)', () => {
  // Its own emulator with the fleet's 300 s idle window: on a loaded machine the 300 ms window of
  // the tests above could stop a container between two requests of one test.
  let base = '';
  let emu: Emulator;
  let close: () => Promise<void>;
  const record = (id: string) => emu.state.call(id)!;
  beforeAll(async () => {
    emu = createEmulator({ timeScale: TIME_SCALE });
    const s = await emu.listen(0);
    base = s.url;
    close = s.close;
  });
  afterAll(async () => close?.());

  it('three requests on one warm wan22 container run one after another; a fourth starts a second container', async () => {
    await getAndFollow(`${base}/ryla-wan22-i2v/health`); // one warm container
    const body = { source_image: dataUrl('scenes/coffee.png'), width: 64, height: 64, num_frames: 1 };
    const first = Array.from({ length: 3 }, () => postAndCollect(`${base}/ryla-wan22-i2v/wan22-i2v`, body));
    const wan22 = () => emu.state.snapshot().apps.find((a) => a.app === 'ryla-wan22-i2v')!;
    await until(() => wan22().inFlight === 3);
    expect(wan22().containers).toHaveLength(1);
    expect(wan22().containers[0]).toMatchObject({ held: 3, running: 1, queued: 2 });
    const fourth = postAndCollect(`${base}/ryla-wan22-i2v/wan22-i2v`, body);
    const ids = await Promise.all(first);
    const recs = ids.map(record);
    expect(new Set(recs.map((r) => r.container)).size).toBe(1);
    const queued = recs.map((r) => r.queueMs).sort((a, b) => a - b);
    const execMs = 240 * TIME_SCALE * 1000;
    expect(queued[0]).toBeLessThan(execMs * 0.5);
    expect(queued[1]).toBeGreaterThan(execMs * 0.9);
    expect(queued[2]).toBeGreaterThan(execMs * 1.9);
    const scaledOut = record(await fourth);
    expect(scaledOut.container).not.toBe(recs[0].container);
    expect(scaledOut.coldStart).toBe(true);
    expect(scaledOut.queueMs).toBeLessThan(execMs * 0.5);
    expect(emu.state.snapshot().apps.find((a) => a.app === 'ryla-wan22-i2v')!.coldStarts).toBe(2);
  });

  it('/health queues behind a running generation on the same container', async () => {
    await getAndFollow(`${base}/ryla-seedvr2/health`);
    const job = postAndCollect(`${base}/ryla-seedvr2/seedvr2`, { image: dataUrl('scenes/coffee.png'), resolution: 200 });
    await until(() => emu.state.snapshot().apps.find((a) => a.app === 'ryla-seedvr2')!.running === 1);
    const health = await getAndFollow(`${base}/ryla-seedvr2/health`);
    const rec = record(health);
    expect(rec.coldStart).toBe(false);
    expect(rec.queueMs).toBeGreaterThan(208 * TIME_SCALE * 1000 * 0.8);
    await job;
  });

  it('a cold start longer than the 150 s limit answers even /health with a 303', async () => {
    const slowStart = createEmulator({ timeScale: TIME_SCALE, httpLimitSec: 100 });
    const s = await slowStart.listen(0);
    try {
      const first = await http(`${s.url}/ryla-flux/health`); // cold start 60 s, limit 100 s: direct
      expect(first.status).toBe(200);
      await http(`${s.url}/__emulator/scale-down`, { body: { app: 'ryla-wan22-i2v' } });
      const wan = await http(`${s.url}/ryla-wan22-i2v/health`); // cold start 150 s > 100 s
      expect(wan.status).toBe(303);
    } finally {
      await s.close();
    }
  });

  it('concurrent mode (serialContainers: false) runs max_inputs requests at once, then scales out', async () => {
    const conc = createEmulator({ timeScale: TIME_SCALE, serialContainers: false, coldStart: false });
    const s = await conc.listen(0);
    try {
      const body = { source_image: dataUrl('scenes/coffee.png'), width: 64, height: 64, num_frames: 1 };
      const calls = Array.from({ length: 4 }, () => postAndCollect(`${s.url}/ryla-wan22-i2v/wan22-i2v`, body));
      await until(() => conc.state.snapshot().apps.find((a) => a.app === 'ryla-wan22-i2v')!.inFlight === 4);
      const snap = conc.state.snapshot();
      expect(snap.serialContainers).toBe(false);
      expect(snap.apps.find((a) => a.app === 'ryla-wan22-i2v')!.containers.map((c) => [c.held, c.running])).toEqual([
        [3, 3],
        [1, 1],
      ]);
      const recs = (await Promise.all(calls)).map((id) => conc.state.call(id)!);
      for (const r of recs) expect(r.queueMs).toBeLessThan(240 * TIME_SCALE * 1000 * 0.5);
    } finally {
      await s.close();
    }
  });
});

/** Polls `cond` (request bodies take a moment to arrive); fails after 5 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !cond(); i++) await sleep(20);
  expect(cond()).toBe(true);
}

async function getAndFollow(url: string): Promise<string> {
  let a = await http(url);
  const id = a.headers['x-emulator-call-id'];
  while (a.status === 303) a = await http(a.headers.location);
  expect(a.status).toBe(200);
  return id;
}

async function postAndCollect(url: string, body: unknown): Promise<string> {
  let a = await http(url, { body });
  const id = a.headers['x-emulator-call-id'];
  while (a.status === 303) a = await http(a.headers.location);
  expect(a.status).toBe(200);
  return id;
}

describe('HTTP limit', () => {
  it('seedvr2 (208 s) gets 303 to a result URL; GET returns the PNG once; POST there is a bad redirect method', async () => {
    await http(`${base}/ryla-seedvr2/health`);
    const first = await http(`${base}/ryla-seedvr2/seedvr2`, { body: { image: dataUrl('scenes/coffee.png'), resolution: 200 } });
    expect(first.status).toBe(303);
    const location = first.headers.location;
    expect(location).toMatch(/\/ryla-seedvr2\/seedvr2\?__modal_function_call_id=fc-[A-Za-z0-9]+$/);

    const wrong = await http(location, { body: {} });
    expect(wrong.text).toBe('modal-http: bad redirect method');

    let result = await http(location);
    let hops = 0;
    while (result.status === 303 && hops++ < 10) result = await http(result.headers.location);
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('image/png');
    expect(await sharp(result.body).metadata().then((m) => [m.width, m.height])).toEqual([300, 200]);
    const rec = record(first.headers['x-emulator-call-id']);
    expect(rec.redirects).toBeGreaterThanOrEqual(1);
    expect(rec.modeledSec!).toBeGreaterThanOrEqual(208 * 0.95);

    const again = await http(location);
    expect(again.status).toBe(404);
    expect(again.text).toBe('modal-http: invalid function call');
  });
});

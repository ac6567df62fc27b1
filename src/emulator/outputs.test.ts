/** Output bytes: formats vs declared types, dims, frames, fps, determinism and face identity. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from './index.ts';
import { runTool, withTempDir } from './media.ts';
import { centreCorrelation, dataUrl, fixture, http, mp4FirstFrame, pngPrompt, probeMp4 } from './testkit.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

let base = '';
let close: () => Promise<void>;
const astronaut = fixture('faces/astronaut.png');
const hopper = fixture('faces/grace_hopper.jpg');

beforeAll(async () => {
  const emu = createEmulator({ timeScale: 0.0001, coldStart: false, httpLimitSec: 1e7 });
  const s = await emu.listen(0);
  base = s.url;
  close = s.close;
});
afterAll(async () => close?.());

const isPng = (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));


describe('still images', () => {
  it('PNG bytes under image/jpeg with the requested dims and a ComfyUI prompt chunk', async () => {
    const a = await http(`${base}/ryla-flux/flux-dev`, { body: { prompt: 'a lighthouse', width: 320, height: 192, seed: 5 } });
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('image/jpeg');
    expect(isPng(a.body)).toBe(true);
    const meta = await sharp(a.body).metadata();
    expect([meta.width, meta.height]).toEqual([320, 192]);
    const prompt = pngPrompt(a.body)!;
    expect(JSON.stringify(prompt)).toContain('a lighthouse');
    expect(JSON.stringify(prompt)).toContain('"seed":5');
    expect(a.headers['x-cost-usd']).toBeUndefined();
    // Looks like a picture: real contrast, not blank.
    const stats = await sharp(a.body).stats();
    expect(stats.channels[0].stdev).toBeGreaterThan(15);
  });

  it('same seed ⇒ same bytes; different seed ⇒ different bytes', async () => {
    const body = { prompt: 'p', width: 128, height: 128, seed: 11 };
    const one = await http(`${base}/ryla-z-image/z-image-simple`, { body });
    const two = await http(`${base}/ryla-z-image/z-image-simple`, { body });
    const other = await http(`${base}/ryla-z-image/z-image-simple`, { body: { ...body, seed: 12 } });
    expect(one.body.equals(two.body)).toBe(true);
    expect(one.body.equals(other.body)).toBe(false);
  });

  it('qwen aspect_ratio table sets the dims', async () => {
    const a = await http(`${base}/ryla-qwen-image/qwen-image-2512-fast`, { body: { aspect_ratio: '9:16', seed: 1 } });
    const meta = await sharp(a.body).metadata();
    expect([meta.width, meta.height]).toEqual([928, 1664]);
  });

  it('inpaint is a real JPEG at source dims; seedvr2 is PNG with short side = resolution', async () => {
    const inpaint = await http(`${base}/ryla-qwen-image/qwen-image-inpaint-2511`, {
      body: { source_image: dataUrl('scenes/coffee.png'), mask_image: dataUrl('scenes/coffee.png'), prompt: 'x', seed: 1 },
    });
    expect(inpaint.body.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    expect(await sharp(inpaint.body).metadata().then((m) => [m.width, m.height])).toEqual([600, 400]);
    const up = await http(`${base}/ryla-seedvr2/seedvr2`, { body: { image: dataUrl('scenes/coffee.png'), resolution: 480 } });
    expect(up.headers['content-type']).toBe('image/png');
    expect(await sharp(up.body).metadata().then((m) => [m.width, m.height])).toEqual([720, 480]);
  });

  it('surviving headers: X-NSFW-Mode, X-Style, and cost headers only on /flux-pulid', async () => {
    const realism = await http(`${base}/ryla-z-image/z-image-realism`, { body: { prompt: 'x', style: 'cinematic', width: 64, height: 64 } });
    expect(realism.headers['x-style']).toBe('cinematic');
    const nsfw = await http(`${base}/ryla-z-image/z-image-nsfw`, { body: { prompt: 'x', width: 64, height: 64 } });
    expect(nsfw.headers['x-nsfw-mode']).toBe('true');
    const pulid = await http(`${base}/ryla-instantid/flux-pulid`, { body: { prompt: 'x', reference_image: dataUrl('faces/astronaut.png'), width: 256, height: 256 } });
    expect(pulid.headers['x-gpu-type']).toBe('L40S');
    expect(pulid.headers['x-cost-usd']).toMatch(/^\d+\.\d{6}$/);
    expect(pulid.headers['x-execution-time-sec']).toMatch(/^\d+\.\d{3}$/);
    expect(Number(pulid.headers['x-cost-usd'])).toBeCloseTo(Number(pulid.headers['x-execution-time-sec']) * 0.000542, 5);
  });
});

describe('face routes', () => {
  it('sdxl-instantid output contains the reference face, not another identity', async () => {
    const a = await http(`${base}/ryla-instantid/sdxl-instantid`, { body: { prompt: 'x', reference_image: dataUrl('faces/astronaut.png'), width: 512, height: 512 } });
    const same = await centreCorrelation(a.body, astronaut);
    const other = await centreCorrelation(a.body, hopper);
    expect(same).toBeGreaterThan(0.8);
    expect(same - other).toBeGreaterThan(0.4);
  });
  it('the same route with grace_hopper as reference contains grace_hopper', async () => {
    const a = await http(`${base}/ryla-instantid/flux-ipadapter-faceid`, { body: { prompt: 'x', reference_image: dataUrl('faces/grace_hopper.jpg'), width: 384, height: 384 } });
    expect(await centreCorrelation(a.body, hopper)).toBeGreaterThan(await centreCorrelation(a.body, astronaut));
  });
  it('trained character LoRA shows the character face', async () => {
    const a = await http(`${base}/ryla-flux/flux-dev-lora`, { body: { prompt: 'x', lora_id: 'genprobe-probe', width: 256, height: 256 } });
    expect(a.status).toBe(200);
    expect(await centreCorrelation(a.body, astronaut)).toBeGreaterThan(0.8);
  });
});

describe('video', () => {
  it('wan2.6: animated WebP, w×h, 4k+1 frames, delay int(1000/fps), loop 0', async () => {
    const a = await http(`${base}/ryla-wan26/wan2.6`, { body: { prompt: 'x', width: 256, height: 144, length: 9, fps: 12 } });
    expect(a.headers['content-type']).toBe('image/webp');
    const m = await sharp(a.body, { animated: true }).metadata();
    expect([m.width, m.pageHeight, m.pages, m.loop]).toEqual([256, 144, 9, 0]);
    expect(new Set(m.delay)).toEqual(new Set([83]));
  });
  it('wan22-i2v defaults to 512×768 (code, not the docs)', async () => {
    const a = await http(`${base}/ryla-wan22-i2v/wan22-i2v`, { body: { source_image: dataUrl('faces/astronaut.png'), num_frames: 5 } });
    const m = await sharp(a.body, { animated: true }).metadata();
    expect([m.width, m.pageHeight, m.pages, m.delay?.[0]]).toEqual([512, 768, 5, 62]);
  });
  it('wan22-i2v-faceswap: H.264 High yuv420p MP4, 33 frames at 16 fps, no audio, reference face inside', async () => {
    const a = await http(`${base}/ryla-wan22-i2v/wan22-i2v-faceswap`, {
      body: { source_image: dataUrl('scenes/coffee.png'), face_image: dataUrl('faces/astronaut.png'), width: 320, height: 240 },
    });
    expect(a.headers['content-type']).toBe('video/mp4');
    const p = await probeMp4(a.body);
    expect(p).toMatchObject({ codec: 'h264', profile: 'High', pixFmt: 'yuv420p', width: 320, height: 240, frames: 33, fps: '16/1', hasAudio: false });
    const frame = await mp4FirstFrame(a.body);
    expect(await centreCorrelation(frame, astronaut)).toBeGreaterThan((await centreCorrelation(frame, hopper)) + 0.3);
  });
  it('batch-video-faceswap keeps source dims, resamples to fps, and a still image yields 1 frame', async () => {
    const a = await http(`${base}/ryla-qwen-image/batch-video-faceswap`, { body: { source_video: dataUrl('media/portrait.mp4'), reference_image: dataUrl('faces/astronaut.png'), fps: 8 } });
    const p = await probeMp4(a.body);
    expect(p).toMatchObject({ width: 512, height: 512, fps: '8/1' });
    expect(Math.abs(p.frames - 17)).toBeLessThanOrEqual(1); // 2.0625 s × 8 fps
    const still = await http(`${base}/ryla-qwen-image/batch-video-faceswap`, { body: { source_video: dataUrl('scenes/coffee.png'), reference_image: dataUrl('faces/astronaut.png') } });
    expect((await probeMp4(still.body)).frames).toBe(1);
    const bad = await http(`${base}/ryla-qwen-image/batch-video-faceswap`, { body: { source_video: 'data:video/mp4;base64,AAAAAAAA', reference_image: dataUrl('faces/astronaut.png') } });
    expect(bad.status).toBe(500);
    // A bare `raise Exception` in the handler: the global handler's body, not FastAPI's {"detail"}.
    expect(bad.json()).toMatchObject({ type: 'Exception', error: expect.stringMatching(/^Failed to extract frames/) });
  });
  it('video-faceswap keeps the source audio and resamples to fps', async () => {
    const source = await withTempDir(async (dir) => {
      const out = join(dir, 'a.mp4');
      const res = await runTool('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=128x96:rate=16', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', out]);
      expect(res.code, res.stderr).toBe(0);
      return readFile(out);
    });
    const a = await http(`${base}/ryla-qwen-image/video-faceswap`, {
      body: { source_video: `data:video/mp4;base64,${source.toString('base64')}`, reference_image: dataUrl('faces/astronaut.png'), fps: 10 },
    });
    expect(a.status).toBe(200);
    const p = await probeMp4(a.body);
    expect(p).toMatchObject({ width: 128, height: 96, fps: '10/1', hasAudio: true, profile: 'High' });
    expect(p.frames).toBe(10);
  });
});

describe('animated WebP keeps every frame', () => {
  it('a slow 161-frame pan whose integer crops repeat still has 161 frames (libwebp would merge the repeats)', async () => {
    const { Renderer } = await import('./render.ts');
    const { readWebpLayout } = await import('../media/webp.ts');
    const bytes = await new Renderer().render({ kind: 'webp-anim', width: 128, height: 96, frames: 161, fps: 16, seed: 3, base: { type: 'image', bytes: fixture('scenes/coffee.png'), crop: 'cover' }, face: null });
    expect(readWebpLayout(bytes).frameCount).toBe(161);
  }, 60_000);
});

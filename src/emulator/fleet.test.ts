/** Route table behaviour: health bodies, error bodies, removed/phantom routes, Modal 404s, CORS. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from './index.ts';
import { dataUrl, http } from './testkit.ts';

let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  // Warm containers and a huge HTTP limit: these tests are about bodies, not time.
  const emu = createEmulator({ timeScale: 0.0001, coldStart: false, httpLimitSec: 1e7, seed: 7 });
  const s = await emu.listen(0);
  base = s.url;
  close = s.close;
});
afterAll(async () => close?.());

const obj = (a: { json(): unknown }) => a.json() as Record<string, unknown>;

describe('health', () => {
  it('answers the exact §1 bodies', async () => {
    expect((await http(`${base}/ryla-flux/health`)).json()).toEqual({ status: 'healthy', app: 'ryla-flux' });
    expect((await http(`${base}/ryla-instantid/health`)).json()).toEqual({ status: 'healthy', app: 'ryla-instantid' });
    expect((await http(`${base}/ryla-wan22-i2v/health`)).json()).toEqual({ status: 'healthy', app: 'ryla-wan22-i2v', version: 'v2' });
    expect((await http(`${base}/ryla-seedvr2/health`)).text).toBe('{"status":"healthy","app":"ryla-seedvr2"}');
  });
  it('ryla-comfyui has no /health', async () => {
    const a = await http(`${base}/ryla-comfyui/health`);
    expect(a.status).toBe(404);
    expect(a.json()).toEqual({ detail: 'Not Found' });
  });
  it('GET /loras and /debug/test on ryla-flux', async () => {
    const loras = obj(await http(`${base}/ryla-flux/loras`));
    expect(loras.count).toBe((loras.loras as unknown[]).length);
    expect((loras.loras as { name: string }[]).map((l) => l.name)).toContain('flux-realism-lora.safetensors');
    expect((await http(`${base}/ryla-flux/debug/test`)).json()).toEqual({ status: 'ok', handler_import: 'success' });
  });
});

describe('Modal edge', () => {
  it('undeployed app ryla-wan2 and unknown apps → 404 modal-http text', async () => {
    for (const url of [`${base}/ryla-wan2/wan2`, `${base}/ryla-wan2/health`, `${base}/nope/flux`]) {
      const a = await http(url, { body: { prompt: 'x' } });
      expect(a.status).toBe(404);
      expect(a.text).toBe('modal-http: invalid function call');
      expect(a.headers['content-type']).toMatch(/^text\/plain/);
    }
  });
});

describe('removed and phantom routes', () => {
  it.each(['/sdxl-turbo', '/sdxl-lightning'])('ryla-instantid%s → 404 Not Found', async (p) => {
    const a = await http(`${base}/ryla-instantid${p}`, { body: { prompt: 'x' } });
    expect(a.status).toBe(404);
    expect(a.json()).toEqual({ detail: 'Not Found' });
  });
  it.each(['/qwen-faceswap', '/qwen-faceswap-fast', '/qwen-character-scene'])('ryla-qwen-image%s → 404', async (p) => {
    expect((await http(`${base}/ryla-qwen-image${p}`, { body: {} })).status).toBe(404);
  });
  it('wrong method → 405 Method Not Allowed', async () => {
    const a = await http(`${base}/ryla-flux/flux`);
    expect(a.status).toBe(405);
    expect(a.json()).toEqual({ detail: 'Method Not Allowed' });
  });
});

describe('error bodies', () => {
  it('missing prompt on /flux → 500 KeyError with path (ryla-flux)', async () => {
    const a = await http(`${base}/ryla-flux/flux`, { body: {} });
    expect(a.status).toBe(500);
    const b = obj(a);
    expect(b.error).toBe("'prompt'");
    expect(b.type).toBe('KeyError');
    expect(b.path).toBe('/flux');
    expect(String(b.details)).toMatch(/^Traceback/);
  });
  it('missing prompt on z-image-simple → KeyError without path', async () => {
    const b = obj(await http(`${base}/ryla-z-image/z-image-simple`, { body: {} }));
    expect(b).toMatchObject({ error: "'prompt'", type: 'KeyError' });
    expect(b.path).toBeUndefined();
  });
  it('try/except routes wrap HTTPException', async () => {
    for (const p of ['/sdxl-instantid', '/flux-ipadapter-faceid']) {
      const a = await http(`${base}/ryla-instantid${p}`, { body: { prompt: 'x' } });
      expect(a.status).toBe(400);
      expect(obj(a)).toMatchObject({ error: '400: reference_image is required', type: 'HTTPException' });
    }
  });
  it('PuLID and LoRA validation use FastAPI detail bodies', async () => {
    expect((await http(`${base}/ryla-instantid/flux-pulid`, { body: { prompt: 'x' } })).json()).toEqual({ detail: 'reference_image is required for PuLID Flux' });
    const lora = await http(`${base}/ryla-wan26/wan2.6-lora`, { body: { prompt: 'x' } });
    expect(lora.status).toBe(400);
    expect(lora.json()).toEqual({ detail: 'lora_id or lora_name is required' });
    const missing = await http(`${base}/ryla-flux/flux-dev-lora`, { body: { prompt: 'x', lora_id: 'nobody' } });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ detail: 'LoRA not found: character-nobody.safetensors. Train it first using the LoRA training endpoint.' });
    const z = await http(`${base}/ryla-z-image/z-image-lora`, { body: { lora_name: 'instagramification' } });
    expect(z.status).toBe(400);
    expect(z.json()).toEqual({ detail: 'prompt is required' });
  });
  it('seedvr2 missing image → 500 ValueError', async () => {
    const a = await http(`${base}/ryla-seedvr2/seedvr2`, { body: {} });
    expect(a.status).toBe(500);
    expect(obj(a)).toMatchObject({ error: "Missing 'image' field in request. Provide base64-encoded image.", type: 'ValueError' });
  });
  it('flux-instantid → 501 incompatibility, z-image-pulid-lora → 501 detail object', async () => {
    const a = await http(`${base}/ryla-instantid/flux-instantid`, { body: { prompt: 'x', reference_image: dataUrl('faces/astronaut.png') } });
    expect(a.status).toBe(501);
    expect(String(obj(a).error)).toMatch(/^501: InstantID ControlNet incompatibility with Flux Dev detected/);
    const z = await http(`${base}/ryla-z-image/z-image-pulid-lora`, { body: {} });
    expect(z.status).toBe(501);
    expect((obj(z).detail as Record<string, unknown>).error).toBe('Z-Image uses diffusers pipeline - ComfyUI LoRAs not supported');
  });
  it('z-image-instantid: 400 without reference, 500 ComfyUI failure with one', async () => {
    const a = await http(`${base}/ryla-z-image/z-image-instantid`, { body: { prompt: 'x' } });
    expect(a.json()).toEqual({ detail: 'reference_image is required for InstantID workflow' });
    const b = await http(`${base}/ryla-z-image/z-image-pulid`, { body: { prompt: 'x', reference_image: dataUrl('faces/astronaut.png') } });
    expect(b.status).toBe(500);
    expect(obj(b).type).toBe('Exception');
  });
  it('empty or undecodable media → 500 cannot identify image file', async () => {
    for (const image of ['data:image/png;base64,', 'data:image/png;base64,aGVsbG8gd29ybGQh']) {
      const a = await http(`${base}/ryla-qwen-image/image-faceswap`, { body: { source_image: image, reference_image: dataUrl('faces/astronaut.png') } });
      expect(a.status).toBe(500);
      expect(String(obj(a).error)).toContain('cannot identify image file');
    }
    const empty = await http(`${base}/ryla-wan22-i2v/wan22-i2v`, { body: { source_image: 'data:image/png;base64,' } });
    expect(empty.status).toBe(500);
    expect(String(obj(empty).error)).toContain('cannot identify image file');
  });
  it('bad JSON → 500 JSONDecodeError from the global handler', async () => {
    const a = await http(`${base}/ryla-flux/flux`, { body: '{not json' });
    expect(a.status).toBe(500);
    expect(obj(a)).toMatchObject({ type: 'JSONDecodeError', path: '/flux' });
  });
});

describe('headers', () => {
  it('CORS like Starlette CORSMiddleware on split apps', async () => {
    const pre = await http(`${base}/ryla-flux/flux`, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBe('https://x.example');
    const h = await http(`${base}/ryla-flux/health`, { headers: { origin: 'https://x.example' } });
    expect(h.headers['access-control-allow-origin']).toBe('*');
    expect((await http(`${base}/ryla-flux/health`)).headers['access-control-allow-origin']).toBeUndefined();
  });
  it('unknown fault names are refused', async () => {
    const a = await http(`${base}/ryla-flux/health`, { headers: { 'x-genprobe-fault': 'gremlins' } });
    expect(a.status).toBe(400);
    expect(a.text).toContain('gremlins');
  });
});

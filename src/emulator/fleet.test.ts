/** Route table behaviour: health bodies, error bodies, removed/phantom routes, Modal 404s, CORS. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from './index.ts';
import sharp from 'sharp';
import { answerFor, PyErr } from './pyerrors.ts';
import { dataUrl, http, pngPrompt } from './testkit.ts';

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
    // instantid.py:632-642: the rewritten text, verbatim, on the combined Exception.
    expect(obj(a)).toMatchObject({ type: 'Exception' });
    expect(String(obj(a).error)).toMatch(/^InstantID ControlNet incompatibility with Flux Dev detected\. InstantID's ControlNet was designed for SDXL\/1\.5 models/);
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

/** Facts read from jatidevelopments/ryla@57209b5:apps/modal (docs/fleet.md §2.2, §2.5, §3). */
describe('fleet code facts', () => {
  const face = dataUrl('faces/astronaut.png');
  const sampler = (a: { body: Buffer }) => (pngPrompt(a.body)!['3'] as { inputs: Record<string, unknown> }).inputs;
  const text = (a: { body: Buffer }) => String((pngPrompt(a.body)!['6'] as { inputs: { text: string } }).inputs.text);

  it('an empty reference_image passes the key-presence test (instantid.py:482, pulid_flux.py:213, ipadapter_faceid.py:198) and fails in ComfyUI', async () => {
    const sdxl = await http(`${base}/ryla-instantid/sdxl-instantid`, { body: { prompt: 'x', reference_image: '' } });
    expect(sdxl.status).toBe(500);
    expect(obj(sdxl)).toMatchObject({ type: 'Exception' });
    expect(String(obj(sdxl).error)).toMatch(/^Both API and infer methods failed\.\nAPI Error: Workflow failed at node 13 \(LoadImage\): Workflow execution failed\nInfer Error: /);
    const ipa = await http(`${base}/ryla-instantid/flux-ipadapter-faceid`, { body: { prompt: 'x', reference_image: '' } });
    expect(ipa.status).toBe(500);
    const pulid = await http(`${base}/ryla-instantid/flux-pulid`, { body: { prompt: 'x', reference_image: '' } });
    expect(pulid.status).toBe(500);
    expect(obj(pulid)).toMatchObject({ error: 'Workflow failed at node 13 (LoadImage): Workflow execution failed', type: 'Exception' });
  });

  it('empty media passes the presence tests of z_image.py:868,896, wan26.py:865-868, wan22_i2v.py:336,418-420 and fails as an unreadable image', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['ryla-z-image/z-image-instantid', { prompt: 'x', reference_image: '' }],
      ['ryla-z-image/z-image-pulid', { prompt: 'x', reference_image: '' }],
      ['ryla-wan26/wan2.6-i2v', { prompt: '', reference_image: '' }],
      ['ryla-wan22-i2v/wan22-i2v', { source_image: '' }],
      ['ryla-wan22-i2v/wan22-i2v-faceswap', { source_image: '', face_image: face }],
    ];
    for (const [route, body] of cases) {
      const a = await http(`${base}/${route}`, { body });
      expect(a.status, route).toBe(500);
      expect(String(obj(a).error), route).toContain('cannot identify image file');
    }
  });

  it('wan faceswap: face presence first (wan26.py:940), an empty face reaches the delegated swap → 502', async () => {
    const none = await http(`${base}/ryla-wan26/wan2.6-i2v-faceswap`, { body: {} });
    expect(none.json()).toEqual({ detail: 'face_image or reference_face is required (base64 data URL of face to swap in)' });
    const empty = await http(`${base}/ryla-wan26/wan2.6-i2v-faceswap`, { body: { prompt: 'x', reference_image: face, face_image: '' } });
    expect(empty.status).toBe(502);
    expect(String(obj(empty).detail)).toMatch(/^Face swap service failed: \{"error":"'NoneType' object has no attribute 'startswith'"/);
    const wan22 = await http(`${base}/ryla-wan22-i2v/wan22-i2v-faceswap`, { body: {} });
    expect(wan22.json()).toEqual({ detail: 'source_image is required' });
  });

  it('an empty prompt passes /z-image-lora\'s presence test (z_image.py:1015)', async () => {
    const a = await http(`${base}/ryla-z-image/z-image-lora`, { body: { lora_name: 'instagramification', prompt: '' } });
    expect(a.status).toBe(200);
  });

  it('lora_name wins over lora_id; empty values are looked up; 404 texts per handler', async () => {
    const nameWins = await http(`${base}/ryla-flux/flux-dev-lora`, { body: { prompt: 'x', lora_name: 'flux-realism-lora', lora_id: 'nobody' } });
    expect(nameWins.status).toBe(200);
    const nameMissing = await http(`${base}/ryla-flux/flux-dev-lora`, { body: { prompt: 'x', lora_name: 'nobody', lora_id: 'genprobe-probe' } });
    expect(nameMissing.json()).toEqual({ detail: 'LoRA not found: nobody.safetensors. Train it first using the LoRA training endpoint.' });
    const emptyId = await http(`${base}/ryla-flux/flux-dev-lora`, { body: { prompt: 'x', lora_id: '' } });
    expect(emptyId.json()).toEqual({ detail: 'LoRA not found: character-.safetensors. Train it first using the LoRA training endpoint.' });
    const qwen = await http(`${base}/ryla-qwen-image/qwen-image-2512-lora`, { body: { lora_id: 'nobody' } });
    expect(qwen.json()).toEqual({ detail: 'LoRA not found: qwen-character-nobody.safetensors. Train a Qwen LoRA using /ryla-qwen-lora-training or upload to /root/models/qwen-loras/' });
    const wan = await http(`${base}/ryla-wan26/wan2.6-lora`, { body: { lora_id: 'nobody', prompt: 'x' } });
    expect(wan.json()).toEqual({ detail: 'LoRA not found: wan-character-nobody.safetensors. Train a Wan LoRA using ryla-wan-lora-training or upload to /root/models/wan-loras/' });
  });

  it('/video-faceswap failures reach the global handler ({"error","details","type"}), not {"detail"}', async () => {
    const a = await http(`${base}/ryla-qwen-image/video-faceswap`, { body: { source_video: '', reference_image: face } });
    expect(a.status).toBe(500);
    expect(obj(a)).toMatchObject({ error: 'Video processing timed out after 10 minutes', type: 'Exception' });
    expect(obj(a).detail).toBeUndefined();
  });

  it('/seedvr2: no 503 branch, "not found" before "400" (seedvr2.py:360-366)', () => {
    const site = { style: 'try-except-seedvr2' as const, handlerFile: 'handlers/seedvr2.py', func: 'seedvr2', globalAddsPath: false, path: '/seedvr2' };
    expect(answerFor(new PyErr('Exception', 'SeedVR2 nodes not loaded: HTTP 503'), site).status).toBe(500);
    expect(answerFor(new PyErr('Exception', 'model not found (HTTP 400)'), site).status).toBe(404);
    expect(answerFor(new PyErr('FileNotFoundError', 'workflow missing'), site).status).toBe(404);
    const instantid = { ...site, style: 'try-except' as const };
    expect(answerFor(new PyErr('Exception', 'SeedVR2 nodes not loaded: HTTP 503'), instantid).status).toBe(503);
  });

  it('a refused ComfyUI queue reads "Failed to queue workflow: HTTP 400 - …", so try/except routes answer 400', async () => {
    const a = await http(`${base}/ryla-instantid/sdxl-instantid`, { body: { prompt: 'x', reference_image: face, steps: 'many' } });
    expect(a.status).toBe(400);
    expect(String(obj(a).error)).toContain('API Error: Failed to queue workflow: HTTP 400 - {"error": {"type": "prompt_outputs_failed_validation"');
    const file = await http(`${base}/ryla-instantid/flux-ipadapter-faceid`, { body: { prompt: 'x', reference_image: 'portrait.png' } });
    expect(file.status).toBe(400);
    const pulid = await http(`${base}/ryla-instantid/flux-pulid`, { body: { prompt: 'x', reference_image: face, steps: 'many' } });
    expect(pulid.status).toBe(500);
    expect(String(obj(pulid).error)).toMatch(/^Failed to queue workflow: HTTP 400 - /);
    const seed = await http(`${base}/ryla-seedvr2/seedvr2`, { body: { image: dataUrl('scenes/coffee.png'), resolution: 4 } });
    expect(seed.status).toBe(400);
    expect(String(obj(seed).error)).toMatch(/^SeedVR2 execution failed \(API: Failed to queue workflow: HTTP 400 - /);
  });

  it('/seedvr2 turns a non-numeric resolution into 1080 silently (seedvr2.py:195-204)', async () => {
    const a = await http(`${base}/ryla-seedvr2/seedvr2`, { body: { image: dataUrl('scenes/coffee.png'), resolution: 'sharp' } });
    expect(a.status).toBe(200);
    const meta = await sharp(a.body).metadata();
    expect(Math.min(meta.width!, meta.height!)).toBe(1080);
  });

  it('/z-image-realism and /z-image-nsfw run the simple pipeline (steps 4, cfg 0, seed 42); realism\'s prompt optional, X-Style lower-cased', async () => {
    const r = await http(`${base}/ryla-z-image/z-image-realism`, { body: { style: 'Cinematic', width: 256, height: 256 } });
    expect(r.status).toBe(200);
    expect(r.headers['x-style']).toBe('cinematic');
    expect(sampler(r)).toMatchObject({ steps: 4, cfg: 0, seed: 42 });
    expect(text(r)).toBe('cinematic film still, kodak portra 400, anamorphic lens, dramatic lighting, ');
    const n = await http(`${base}/ryla-z-image/z-image-nsfw`, { body: { prompt: 'x', width: 256, height: 256 } });
    expect(sampler(n)).toMatchObject({ steps: 4, cfg: 0, seed: 42 });
    expect(n.headers['x-nsfw-mode']).toBe('true');
    expect((await http(`${base}/ryla-z-image/z-image-nsfw`, { body: {} })).status).toBe(500);
  });

  it('/flux-dev-realism\'s prompt is optional (flux.py:533-535)', async () => {
    const a = await http(`${base}/ryla-flux/flux-dev-realism`, { body: { width: 256, height: 256, nsfw: true } });
    expect(a.status).toBe(200);
    expect(a.headers['x-nsfw-mode']).toBe('true');
    expect(text(a)).toBe('Ultra realistic, ');
  });

  it('global-handler 500s carry no CORS headers; HTTPException answers do', async () => {
    const origin = { origin: 'https://studio.example' };
    const crash = await http(`${base}/ryla-flux/flux`, { body: {}, headers: origin });
    expect(crash.status).toBe(500);
    expect(crash.headers['access-control-allow-origin']).toBeUndefined();
    const refused = await http(`${base}/ryla-flux/flux-dev-lora`, { body: { prompt: 'x' }, headers: origin });
    expect(refused.status).toBe(400);
    expect(refused.headers['access-control-allow-origin']).toBe('*');
  });
});

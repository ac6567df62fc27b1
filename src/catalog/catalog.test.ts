import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  APPS,
  CATALOG,
  FIXTURES,
  GPU_PRICE_USD_PER_SEC,
  MODAL_HTTP_LIMIT_SEC,
  costEstimateUsd,
  endpointsByApp,
  endpointsByTag,
  getEndpoint,
  hardLimitSec,
  isFixtureRef,
  latencyBudgetSec,
  liveEndpoints,
  substituteFixtures,
  warmishSeconds,
} from './index.ts';
import type { AppName, EndpointEntry, FixtureRef, SampleRequest } from './types.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Stand-in media of the right encoding, so the schemas can judge data URL vs raw base64. */
function placeholder(ref: FixtureRef): string {
  return ref.encoding === 'raw-base64' ? 'AAAA' : `data:${FIXTURES[ref.$fixture].mediaType};base64,AAAA`;
}

function requestOf(entry: EndpointEntry, edit: (r: Record<string, unknown>) => void = () => {}) {
  const request = substituteFixtures(entry.sample, placeholder);
  edit(request);
  return request;
}

/** Parse the sample with `fields` removed, so the schema fills in the code's defaults. */
function defaultsOf(id: string, ...fields: string[]): Record<string, unknown> {
  const entry = getEndpoint(id);
  return entry.request.parse(requestOf(entry, (r) => fields.forEach((f) => delete r[f])));
}

/** Every route of docs/fleet.md §3 (and the TS-only phantoms of §3.8), by app. */
const CONTRACT_ROUTES: Array<[AppName, 'GET' | 'POST', string]> = [
  // §3.1 ryla-flux
  ['ryla-flux', 'POST', '/flux'],
  ['ryla-flux', 'POST', '/flux-dev'],
  ['ryla-flux', 'POST', '/flux-dev-lora'],
  ['ryla-flux', 'POST', '/flux-dev-realism'],
  ['ryla-flux', 'GET', '/loras'],
  ['ryla-flux', 'GET', '/debug/test'],
  // §3.2 ryla-instantid
  ['ryla-instantid', 'POST', '/sdxl-instantid'],
  ['ryla-instantid', 'POST', '/flux-instantid'],
  ['ryla-instantid', 'POST', '/flux-pulid'],
  ['ryla-instantid', 'POST', '/flux-ipadapter-faceid'],
  ['ryla-instantid', 'POST', '/sdxl-turbo'],
  ['ryla-instantid', 'POST', '/sdxl-lightning'],
  // §3.3 ryla-qwen-image
  ['ryla-qwen-image', 'POST', '/qwen-image-2512'],
  ['ryla-qwen-image', 'POST', '/qwen-image-2512-fast'],
  ['ryla-qwen-image', 'POST', '/qwen-image-2512-lora'],
  ['ryla-qwen-image', 'POST', '/video-faceswap'],
  ['ryla-qwen-image', 'POST', '/image-faceswap'],
  ['ryla-qwen-image', 'POST', '/batch-video-faceswap'],
  ['ryla-qwen-image', 'POST', '/qwen-image-edit-2511'],
  ['ryla-qwen-image', 'POST', '/qwen-image-inpaint-2511'],
  // §3.4 ryla-z-image
  ['ryla-z-image', 'POST', '/z-image-simple'],
  ['ryla-z-image', 'POST', '/z-image-danrisi'],
  ['ryla-z-image', 'POST', '/z-image-lora'],
  ['ryla-z-image', 'POST', '/z-image-realism'],
  ['ryla-z-image', 'POST', '/z-image-nsfw'],
  ['ryla-z-image', 'POST', '/z-image-instantid'],
  ['ryla-z-image', 'POST', '/z-image-pulid'],
  ['ryla-z-image', 'POST', '/z-image-pulid-lora'],
  // §3.5 ryla-wan26
  ['ryla-wan26', 'POST', '/wan2.6'],
  ['ryla-wan26', 'POST', '/wan2.6-r2v'],
  ['ryla-wan26', 'POST', '/wan2.6-i2v'],
  ['ryla-wan26', 'POST', '/wan2.6-i2v-faceswap'],
  ['ryla-wan26', 'POST', '/wan2.6-lora'],
  // §3.6 ryla-wan22-i2v
  ['ryla-wan22-i2v', 'POST', '/wan22-i2v'],
  ['ryla-wan22-i2v', 'POST', '/wan22-i2v-faceswap'],
  // §3.7 ryla-seedvr2
  ['ryla-seedvr2', 'POST', '/seedvr2'],
  // §3.8 other routes
  ['ryla-lora', 'POST', '/flux-lora'],
  ['ryla-lora', 'GET', '/loras'],
  ['ryla-wan2', 'POST', '/wan2'],
  ['ryla-qwen-image', 'POST', '/qwen-faceswap'],
  ['ryla-qwen-image', 'POST', '/qwen-faceswap-fast'],
  ['ryla-qwen-image', 'POST', '/qwen-character-scene'],
];

describe('catalog inventory', () => {
  it('has unique ids and unique app+method+path', () => {
    const ids = CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const routes = CATALOG.map((e) => `${e.app} ${e.method} ${e.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('derives every id from its path, prefixed by the app where another app owns the plain id', () => {
    for (const e of CATALOG) {
      const plain = e.path.slice(1);
      const owner = CATALOG.find((o) => o.id === plain);
      expect(e.id, e.path).toBe(owner && owner !== e ? `${e.app}/${plain}` : plain);
    }
    expect(getEndpoint('ryla-lora/loras')).toMatchObject({ app: 'ryla-lora', path: '/loras' });
  });

  it.each(CONTRACT_ROUTES)('lists %s %s %s', (app, method, path) => {
    const found = CATALOG.filter((e) => e.app === app && e.method === method && e.path === path);
    expect(found).toHaveLength(1);
  });

  it('lists nothing beyond the contract routes', () => {
    const expected = new Set(CONTRACT_ROUTES.map(([app, method, path]) => `${app} ${method} ${path}`));
    const extra = CATALOG.map((e) => `${e.app} ${e.method} ${e.path}`).filter((r) => !expected.has(r));
    expect(extra).toEqual([]);
  });

  it('does not duplicate edit/inpaint under ryla-qwen-edit, and records that drift', () => {
    expect(endpointsByApp('ryla-qwen-edit')).toEqual([]);
    for (const id of ['qwen-image-edit-2511', 'qwen-image-inpaint-2511']) {
      const drift = getEndpoint(id).drift ?? [];
      expect(drift.some((d) => d.docs.includes('ryla-qwen-edit') && d.code.includes('ryla-qwen-image')), id).toBe(true);
    }
  });

  it('uses the GPU of its app, wan22 on A100-80GB', () => {
    for (const e of CATALOG) expect(e.gpu, e.id).toBe(APPS[e.app].gpu);
    expect(getEndpoint('wan22-i2v').gpu).toBe('A100-80GB');
    expect(getEndpoint('wan22-i2v-faceswap').gpu).toBe('A100-80GB');
  });

  it('points every entry at a source file in the ryla repo', () => {
    for (const e of CATALOG) expect(e.source, e.id).toMatch(/^(apps|libs)\/.+\.(py|ts)$/);
  });
});

describe('apps', () => {
  it('covers every app of §1 with the fleet-wide limits', () => {
    expect(Object.keys(APPS).sort()).toEqual(
      [
        'ryla-comfyui',
        'ryla-flux',
        'ryla-instantid',
        'ryla-lora',
        'ryla-qwen-edit',
        'ryla-qwen-image',
        'ryla-seedvr2',
        'ryla-wan2',
        'ryla-wan22-i2v',
        'ryla-wan26',
        'ryla-z-image',
      ].sort(),
    );
    for (const [name, app] of Object.entries(APPS)) {
      expect(app.name).toBe(name);
      expect(app.functionTimeoutSec).toBe(1800);
      expect(app.scaledownWindowSec).toBe(300);
      if (name !== 'ryla-comfyui' && name !== 'ryla-wan22-i2v') expect(app.health).toEqual({ status: 'healthy', app: name });
    }
  });

  it('records the odd ones out: wan22 (A100, 3 inputs, v2 health), comfyui (no health), wan2 removed', () => {
    expect(APPS['ryla-wan22-i2v']).toMatchObject({
      gpu: 'A100-80GB',
      maxInputs: 3,
      health: { status: 'healthy', app: 'ryla-wan22-i2v', version: 'v2' },
      coldStartSec: 150,
      deployed: 'yes',
    });
    expect(APPS['ryla-flux'].maxInputs).toBe(5);
    expect(APPS['ryla-comfyui'].health).toBeNull();
    expect(APPS['ryla-wan2'].deployed).toBe('removed');
    expect(APPS['ryla-lora'].deployed).toBe('unknown');
    expect(APPS['ryla-qwen-edit'].deployed).toBe('unknown');
  });

  it('uses the documented cold starts', () => {
    expect(APPS['ryla-flux'].coldStartSec).toBe(60);
    expect(APPS['ryla-qwen-image'].coldStartSec).toBe(60);
    expect(APPS['ryla-wan26'].coldStartSec).toBe(60);
    expect(APPS['ryla-instantid'].coldStartSec).toBe(120);
    expect(APPS['ryla-seedvr2'].coldStartSec).toBe(120);
  });
});

describe('sample requests', () => {
  it.each(CATALOG.map((e) => [e.id, e] as const))('%s: sample parses with its request schema', (_id, entry) => {
    const result = entry.request.safeParse(requestOf(entry));
    expect(result.success, result.success ? '' : JSON.stringify(result.error.issues)).toBe(true);
  });

  it('fixes the seed wherever the route takes one', () => {
    for (const e of CATALOG) {
      const shape = (e.request as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      if ('seed' in shape) expect(e.sample.seed, e.id).toBeTypeOf('number');
    }
  });

  it('keeps face-free image routes small (512²) and wan lengths at 17', () => {
    for (const id of ['flux', 'flux-dev', 'flux-dev-lora', 'flux-lora', 'z-image-simple', 'z-image-danrisi', 'z-image-lora']) {
      expect(getEndpoint(id).sample, id).toMatchObject({ width: 512, height: 512 });
    }
    for (const id of ['wan2.6', 'wan2.6-r2v', 'wan2.6-i2v', 'wan2.6-i2v-faceswap', 'wan2.6-lora']) {
      expect(getEndpoint(id).sample.length, id).toBe(17);
    }
    expect(getEndpoint('wan22-i2v').sample.num_frames).toBe(17);
    expect(getEndpoint('wan22-i2v-faceswap').sample.num_frames).toBe(17);
  });

  it('sends data URLs where instantid/pulid/ipadapter require them, and rejects raw base64 there', () => {
    for (const id of ['sdxl-instantid', 'flux-instantid', 'flux-pulid', 'flux-ipadapter-faceid']) {
      const entry = getEndpoint(id);
      const ref = entry.sample.reference_image;
      expect(isFixtureRef(ref) && (ref.encoding ?? 'data-url') === 'data-url', id).toBe(true);
      const raw = requestOf(entry, (r) => (r.reference_image = 'iVBORw0KGgo='));
      expect(entry.request.safeParse(raw).success, id).toBe(false);
    }
  });

  it('uses the baked LoRAs where they exist, and genprobe-probe (tag needs-lora) elsewhere', () => {
    expect(getEndpoint('flux-dev-lora').sample.lora_name).toBe('flux-realism-lora');
    expect(getEndpoint('z-image-lora').sample.lora_name).toBe('realistic-snapshot-zit');
    const needsLora = endpointsByTag('needs-lora').map((e) => e.id).sort();
    expect(needsLora).toEqual(['flux-lora', 'qwen-image-2512-lora', 'wan2.6-lora']);
    for (const id of needsLora) expect(getEndpoint(id).sample.lora_id).toBe('genprobe-probe');
  });

  it('resolves every fixture to a file in the repository', () => {
    for (const [name, fixture] of Object.entries(FIXTURES)) {
      expect(existsSync(`${REPO_ROOT}${fixture.path}`), `${name} → ${fixture.path}`).toBe(true);
    }
  });

  it('substitutes fixtures inside arrays and leaves other values alone', () => {
    const sample: SampleRequest = { a: { $fixture: 'video:portrait' }, b: [{ $fixture: 'face:astronaut', encoding: 'raw-base64' }], c: 3 };
    expect(substituteFixtures(sample, placeholder)).toEqual({ a: 'data:video/mp4;base64,AAAA', b: ['AAAA'], c: 3 });
  });
});

describe('request schemas follow the code', () => {
  it('fills in the code defaults', () => {
    expect(defaultsOf('sdxl-instantid')).toMatchObject({ cfg: 7.0, instantid_strength: 0.8, steps: 20, seed: 42, face_provider: 'CPU' });
    expect(defaultsOf('flux-instantid').cfg).toBe(1.0);
    expect(defaultsOf('flux-pulid', 'width', 'height')).toMatchObject({ pulid_weight: 0.9, start_at: 0, end_at: 1, guidance: 3.5, width: 1024, steps: 20 });
    expect(defaultsOf('flux-ipadapter-faceid')).toMatchObject({ ipadapter_strength: 0.8, guidance_scale: 3.5, timestep_to_start_cfg: 1 });
    expect(defaultsOf('flux', 'width', 'height', 'steps', 'seed')).toMatchObject({ width: 1024, height: 1024, steps: 4, cfg: 1.0, seed: 42 });
    expect(defaultsOf('flux-dev').steps).toBe(20);
    expect(defaultsOf('flux-dev-realism')).toMatchObject({ realism_strength: 0.85, nsfw: false });
    expect(defaultsOf('wan22-i2v', 'num_frames')).toMatchObject({ width: 512, height: 768, steps: 20, cfg: 3.5, num_frames: 33, fps: 16 });
    expect(defaultsOf('wan22-i2v-faceswap', 'num_frames')).toMatchObject({ width: 832, height: 480, steps: 30, cfg: 5.0, num_frames: 33, restore_face: true });
    expect(defaultsOf('wan2.6', 'length')).toMatchObject({ width: 832, height: 480, length: 33, steps: 30, cfg: 6.0, fps: 16 });
    expect(defaultsOf('video-faceswap').fps).toBe(30);
    expect(defaultsOf('batch-video-faceswap', 'fps').fps).toBe(24);
    expect(defaultsOf('seedvr2', 'resolution', 'seed')).toMatchObject({ resolution: 1080, seed: 4105349922, max_resolution: 4000 });
    expect(defaultsOf('qwen-image-2512', 'prompt')).toMatchObject({ steps: 50, cfg: 4.0, width: 1328, prompt: 'A beautiful woman' });
    expect(defaultsOf('qwen-image-2512-fast')).toMatchObject({ steps: 4, cfg: 1.0 });
    expect(defaultsOf('qwen-image-edit-2511')).toMatchObject({ steps: 50, cfg: 4.0, denoise: 0.8 });
    expect(defaultsOf('z-image-simple')).toMatchObject({ steps: 4, cfg: 0.0, negative_prompt: '' });
    expect(defaultsOf('z-image-danrisi').steps).toBe(8);
    expect(defaultsOf('z-image-lora', 'seed')).toMatchObject({ steps: 9, cfg: 1.0, nsfw: false });
    expect(defaultsOf('z-image-lora', 'seed').seed).toBeUndefined(); // random in the code
    expect(defaultsOf('z-image-realism').style).toBe('snapshot');
    // realism and nsfw run the simple pipeline (z_image.py:1206,1239), not /z-image-lora's
    for (const id of ['z-image-realism', 'z-image-nsfw']) expect(defaultsOf(id, 'seed'), id).toMatchObject({ steps: 4, cfg: 0.0, seed: 42 });
    expect(defaultsOf('seedvr2', 'max_resolution_2').max_resolution_2).toBe(4000);
    expect(defaultsOf('wan2', 'seed').seed).toBe(839327983272663);
    for (const id of ['flux-dev-lora', 'qwen-image-2512-lora', 'z-image-lora', 'wan2.6-lora', 'flux-lora']) {
      expect(defaultsOf(id).lora_strength, id).toBe(1.0);
    }
  });

  it('requires what the code requires', () => {
    const rejects = (id: string, edit: (r: Record<string, unknown>) => void) =>
      expect(getEndpoint(id).request.safeParse(requestOf(getEndpoint(id), edit)).success, id).toBe(false);
    const accepts = (id: string, edit: (r: Record<string, unknown>) => void) =>
      expect(getEndpoint(id).request.safeParse(requestOf(getEndpoint(id), edit)).success, id).toBe(true);

    rejects('flux', (r) => delete r.prompt);
    rejects('flux-dev-lora', (r) => delete r.lora_name);
    accepts('flux-dev-lora', (r) => {
      delete r.lora_name;
      r.lora_id = 'abc';
    });
    rejects('wan2.6-i2v-faceswap', (r) => delete r.face_image);
    accepts('wan2.6-i2v-faceswap', (r) => {
      r.reference_face = r.face_image;
      delete r.face_image;
    });
    accepts('wan22-i2v-faceswap', (r) => {
      r.reference_image = r.face_image;
      delete r.face_image;
    });
    rejects('wan2.6-r2v', (r) => (r.reference_videos = []));
    rejects('wan2.6-r2v', (r) => (r.reference_videos = ['a', 'b', 'c', 'd']));
    rejects('seedvr2', (r) => (r.image = ''));
    accepts('seedvr2', (r) => (r.resolution = '1440'));
    accepts('qwen-image-2512', (r) => delete r.prompt);
    accepts('z-image-realism', (r) => delete r.prompt); // item.get("prompt", "") (z_image.py:1197)
    rejects('z-image-nsfw', (r) => delete r.prompt); // item["prompt"] (z_image.py:93)
    accepts('flux-dev-realism', (r) => delete r.prompt); // item.get("prompt", "") (flux.py:533)
    // seedvr2 int()s strings and falls back to the default when that fails (seedvr2.py:194-224)
    accepts('seedvr2', (r) => Object.assign(r, { resolution: 'fixed', seed: 'abc', max_resolution: 'x', max_resolution_2: '4000' }));
    // handlers ignore unknown keys, so the schemas pass them through
    expect(defaultsOf('flux').controlnet_strength).toBeUndefined();
    expect(getEndpoint('sdxl-instantid').request.parse(requestOf(getEndpoint('sdxl-instantid'), (r) => (r.controlnet_strength = 0.8))).controlnet_strength).toBe(0.8);
  });

  it('rejects the request of every missing-field error case, and each omitted field is in the sample', () => {
    for (const e of CATALOG) {
      for (const c of e.errors.filter((c) => c.omit)) {
        for (const field of c.omit!) expect(field in e.sample, `${e.id} / ${c.name}: ${field}`).toBe(true);
        const request = requestOf(e, (r) => c.omit!.forEach((f) => delete r[f]));
        expect(e.request.safeParse(request).success, `${e.id} / ${c.name}`).toBe(false);
      }
    }
  });
});

describe('outputs', () => {
  it('declares image/jpeg over PNG bytes for ComfyUI still images, JPEG only for inpaint', () => {
    for (const e of CATALOG.filter((e) => e.output.kind === 'png' && e.id !== 'seedvr2')) {
      expect(e.output.declaredType, e.id).toBe('image/jpeg');
    }
    expect(CATALOG.filter((e) => e.output.kind === 'jpeg').map((e) => e.id)).toEqual(['qwen-image-inpaint-2511']);
    expect(getEndpoint('seedvr2').output).toMatchObject({ kind: 'png', declaredType: 'image/png', size: { kind: 'short-side', field: 'resolution', defaultValue: 1080 } });
  });

  it('returns animated WebP with 16 fps on the wan video routes', () => {
    const webp = CATALOG.filter((e) => e.output.kind === 'webp-animated').map((e) => e.id).sort();
    expect(webp).toEqual(['wan2', 'wan2.6', 'wan2.6-i2v', 'wan2.6-lora', 'wan2.6-r2v', 'wan22-i2v'].sort());
    for (const id of webp) {
      const out = getEndpoint(id).output;
      expect(out.declaredType).toBe('image/webp');
      expect(out.fps).toEqual({ field: 'fps', defaultValue: 16 });
    }
    expect(getEndpoint('wan22-i2v').output.frames).toEqual({ kind: 'request', field: 'num_frames', defaultValue: 33 });
  });

  it('returns H.264 MP4 on the faceswap video routes, with audio only on video-faceswap', () => {
    const mp4 = CATALOG.filter((e) => e.output.kind === 'mp4').map((e) => e.id).sort();
    expect(mp4).toEqual(['batch-video-faceswap', 'video-faceswap', 'wan2.6-i2v-faceswap', 'wan22-i2v-faceswap']);
    for (const id of mp4) {
      const out = getEndpoint(id).output;
      expect(out).toMatchObject({ declaredType: 'video/mp4', codec: 'avc1', audio: id === 'video-faceswap' ? 'passthrough' : 'none' });
    }
    expect(getEndpoint('video-faceswap').output.frames).toEqual({ kind: 'from-input-duration', inputField: 'source_video' });
    expect(getEndpoint('wan2.6-i2v-faceswap').output.frames).toEqual({ kind: 'request', field: 'length', defaultValue: 33 });
  });

  it('sizes qwen t2i by the aspect-ratio table', () => {
    const size = getEndpoint('qwen-image-2512').output.size;
    expect(size.kind).toBe('aspect-ratio');
    if (size.kind === 'aspect-ratio') {
      expect(size.table['1:1']).toEqual([1328, 1328]);
      expect(size.table['16:9']).toEqual([1664, 928]);
      expect(size.table['2:3']).toEqual([1056, 1584]);
    }
  });

  it('keeps size, frame and fps rules consistent with the request schema defaults', () => {
    for (const e of CATALOG) {
      const { size, frames, fps } = e.output;
      if (size.kind === 'request') {
        const parsed = defaultsOf(e.id, size.widthField, size.heightField);
        expect([parsed[size.widthField], parsed[size.heightField]], e.id).toEqual([size.defaultWidth, size.defaultHeight]);
      }
      if (size.kind === 'same-as-input' || size.kind === 'short-side') {
        expect(isFixtureRef(e.sample[size.inputField]), `${e.id}: ${size.inputField}`).toBe(true);
      }
      if (frames?.kind === 'request') expect(defaultsOf(e.id, frames.field)[frames.field], e.id).toBe(frames.defaultValue);
      if (fps) expect(defaultsOf(e.id, fps.field)[fps.field], e.id).toBe(fps.defaultValue);
      expect(e.output.minBytes, e.id).toBeGreaterThan(0);
    }
  });
});

describe('lifecycle, errors and headers', () => {
  it('marks removed and incompatible routes', () => {
    const by = (l: string) => CATALOG.filter((e) => e.lifecycle === l).map((e) => e.id).sort();
    expect(by('removed')).toEqual(['qwen-character-scene', 'qwen-faceswap', 'qwen-faceswap-fast', 'sdxl-lightning', 'sdxl-turbo', 'wan2']);
    expect(by('incompatible')).toEqual(['flux-instantid', 'z-image-instantid', 'z-image-pulid', 'z-image-pulid-lora']);
  });

  it('expects a 404 from every removed route, from FastAPI or from Modal (whichever layer is gone)', () => {
    for (const e of CATALOG.filter((e) => e.lifecycle === 'removed')) {
      const removed = e.errors.find((c) => c.name === 'route removed');
      expect(removed?.expect, e.id).toEqual({ status: [404], body: 'not-found' });
    }
  });

  it('judges registered-but-failing routes as routes that must work, recording their failure as built', () => {
    const failing = CATALOG.filter((e) => e.asBuiltFailure).map((e) => e.id).sort();
    expect(failing).toEqual(CATALOG.filter((e) => e.lifecycle === 'incompatible').map((e) => e.id).sort());
    expect(getEndpoint('flux-instantid').asBuiltFailure).toMatchObject({ status: [501], body: 'error-details-type' });
    expect(getEndpoint('z-image-pulid-lora').asBuiltFailure).toMatchObject({ status: [501], body: 'detail-object' });
    for (const id of ['z-image-instantid', 'z-image-pulid']) expect(getEndpoint(id).asBuiltFailure?.status, id).toEqual([500]);
    for (const id of failing) {
      expect(getEndpoint(id).asBuiltFailure?.source, id).toMatch(/^apps\/modal\/handlers\/.+\.py:\d/);
      // no error case expects the failure: the contract is the promise, not the defect
      expect(getEndpoint(id).errors.every((c) => c.expect.status.every((s) => s < 500)), id).toBe(true);
    }
  });

  it('promises every bad request a 4xx whose body names the field, and records what the fleet answers today', () => {
    for (const e of CATALOG.filter((x) => x.lifecycle !== 'removed')) {
      for (const c of e.errors) {
        expect(c.expect.status.every((s) => s >= 400 && s < 500), `${e.id} / ${c.name}`).toBe(true);
        expect(c.expect.body, `${e.id} / ${c.name}`).toBe('json-message');
        expect(c.expect.contains, `${e.id} / ${c.name}`).toBeTruthy();
        expect(c.asBuilt?.source, `${e.id} / ${c.name}`).toMatch(/^apps\/modal\/handlers\//);
      }
    }
  });

  it('lists where callers are still told about removed routes (doc-drift), and nothing for /wan2', () => {
    const listed = CATALOG.filter((e) => e.stillListedBy?.length).map((e) => e.id).sort();
    expect(listed).toEqual(['qwen-character-scene', 'qwen-faceswap', 'qwen-faceswap-fast', 'sdxl-lightning', 'sdxl-turbo']);
    for (const id of listed) expect(getEndpoint(id).lifecycle, id).toBe('removed');
    expect(getEndpoint('sdxl-turbo').stillListedBy?.join(' ')).toMatch(/modal-client\.ts:23-24/);
    expect(getEndpoint('wan2').stillListedBy).toBeUndefined();
  });

  it('carries the observed error bodies as built', () => {
    const find = (id: string, name: string) => getEndpoint(id).errors.find((c) => c.name === name)?.asBuilt;
    expect(find('flux', 'missing prompt')).toMatchObject({ status: [500], body: 'error-details-type', contains: 'prompt', source: 'apps/modal/handlers/flux.py:61' });
    expect(find('flux-dev-lora', 'missing lora')).toMatchObject({ status: [400], body: 'detail', contains: 'lora_id or lora_name is required' });
    expect(find('flux-dev-lora', 'unknown lora')).toMatchObject({ status: [404], contains: 'LoRA not found' });
    expect(find('flux-pulid', 'missing reference_image')).toMatchObject({ status: [400], body: 'detail', contains: 'reference_image is required for PuLID Flux' });
    // try/except routes keep an HTTPException's own status (instantid.py:683-684)
    expect(find('sdxl-instantid', 'missing reference_image')).toMatchObject({ status: [400], body: 'error-details-type', contains: 'reference_image is required' });
    expect(find('seedvr2', 'missing image')).toMatchObject({ status: [500], contains: "Missing 'image' field" });
    expect(find('wan2.6-i2v-faceswap', 'missing face_image')).toMatchObject({ status: [400], body: 'detail' });
    expect(find('image-faceswap', 'empty source_image')).toMatchObject({ status: [500], contains: 'cannot identify image file' });
    // key presence only (instantid.py:482, ipadapter_faceid.py:198, pulid_flux.py:213): "" fails in ComfyUI
    for (const id of ['sdxl-instantid', 'flux-ipadapter-faceid', 'flux-pulid']) {
      expect(find(id, 'empty reference_image'), id).toMatchObject({ status: [500], body: 'error-details-type' });
      expect(getEndpoint(id).errors.find((c) => c.name === 'empty reference_image')?.override, id).toEqual({ reference_image: '' });
    }
    expect(find('z-image-nsfw', 'missing prompt')).toMatchObject({ status: [500], source: 'apps/modal/handlers/z_image.py:93' });
    const promise = getEndpoint('flux').errors[0].expect;
    expect(promise).toEqual({ status: [400, 422], body: 'json-message', contains: 'prompt' });
  });

  it('lets cost headers through only on /flux-pulid', () => {
    expect(CATALOG.filter((e) => e.headers.cost === 'present').map((e) => e.id)).toEqual(['flux-pulid']);
    const costDrift = CATALOG.filter((e) => e.drift?.some((d) => d.topic === 'cost headers')).map((e) => e.id);
    expect(costDrift).not.toContain('flux-pulid');
    expect(costDrift.length).toBeGreaterThan(25);
  });

  it('keeps the headers set after the copy loop', () => {
    expect(getEndpoint('flux-dev-realism').headers.surviving).toEqual({ 'X-NSFW-Mode': 'false' });
    expect(getEndpoint('z-image-lora').headers.surviving).toEqual({ 'X-NSFW-Mode': 'false' });
    expect(getEndpoint('z-image-nsfw').headers.surviving).toEqual({ 'X-NSFW-Mode': 'true' });
    expect(getEndpoint('z-image-realism').headers.surviving).toEqual({ 'X-Style': 'snapshot' });
    expect(CATALOG.filter((e) => e.headers.surviving).length).toBe(4);
  });

  it('records the documented-vs-code parameter drift on the entries', () => {
    const topics = (id: string) => (getEndpoint(id).drift ?? []).map((d) => `${d.docs} → ${d.code}`).join('\n');
    expect(topics('sdxl-instantid')).toMatch(/cfg 5\.0 → cfg 7\.0/);
    expect(topics('video-faceswap')).toMatch(/24.* → 30/);
    expect(topics('seedvr2')).toMatch(/scale/);
    expect(topics('wan22-i2v')).toMatch(/832×480, steps 30, cfg 5\.0 → 512×768, steps 20, cfg 3\.5/);
    expect(topics('flux-ipadapter-faceid')).toMatch(/75–80/);
  });
});

describe('face and delegation', () => {
  it('holds face routes to their documented targets', () => {
    const face = (id: string) => getEndpoint(id).face;
    expect(face('sdxl-instantid')).toMatchObject({ target: [85, 90], mode: 'generation', referenceField: 'reference_image' });
    expect(face('flux-pulid')).toMatchObject({ target: [80, 85], mode: 'generation' });
    expect(face('flux-ipadapter-faceid')).toMatchObject({ target: [80, 85], mode: 'generation' });
    expect(face('flux-ipadapter-faceid')?.docNote).toMatch(/75–80/);
    const swaps = CATALOG.filter((e) => e.face?.mode === 'swap').map((e) => e.id).sort();
    expect(swaps).toEqual(['batch-video-faceswap', 'image-faceswap', 'video-faceswap', 'wan2.6-i2v-faceswap', 'wan22-i2v-faceswap']);
    for (const id of swaps) expect(face(id)).toMatchObject({ target: [85, 90], docNote: expect.stringMatching(/InstantID bar/) });
    expect(face('wan2.6-i2v-faceswap')?.referenceField).toBe('face_image');
    expect(face('wan22-i2v-faceswap')?.referenceField).toBe('face_image');
  });

  it('feeds every face check a reference fixture that differs from the media it edits', () => {
    for (const e of CATALOG.filter((e) => e.face)) {
      const ref = e.sample[e.face!.referenceField];
      expect(isFixtureRef(ref), e.id).toBe(true);
      expect((ref as FixtureRef).$fixture, e.id).toBe('face:astronaut');
    }
  });

  it('warms ryla-qwen-image for the wan faceswap routes', () => {
    const delegating = CATALOG.filter((e) => e.delegatesTo).map((e) => [e.id, e.delegatesTo]);
    expect(delegating).toEqual([
      ['wan2.6-i2v-faceswap', ['ryla-qwen-image']],
      ['wan22-i2v-faceswap', ['ryla-qwen-image']],
    ]);
  });
});

describe('lookups', () => {
  it('finds entries by id and names close ids for unknown ones', () => {
    expect(getEndpoint('flux-pulid').path).toBe('/flux-pulid');
    expect(() => getEndpoint('flux-pulld')).toThrow(/Unknown endpoint id "flux-pulld".*flux-pulid/);
    expect(() => getEndpoint('wan26')).toThrow(/wan2\.6/);
  });

  it('filters by tag and by lifecycle', () => {
    expect(endpointsByTag('cheap').map((e) => e.id)).toContain('flux');
    for (const e of endpointsByTag('cheap')) {
      expect(e.lifecycle, e.id).toBe('live');
      if (e.method === 'POST') expect(e.documentedCostUsd, e.id).toBeLessThanOrEqual(0.02);
    }
    expect(endpointsByTag('no-such-tag')).toEqual([]);
    const live = liveEndpoints();
    expect(live.every((e) => e.lifecycle === 'live')).toBe(true);
    expect(live.map((e) => e.id)).toContain('flux-lora');
    expect(liveEndpoints({ deployedOnly: true }).map((e) => e.id)).not.toContain('flux-lora');
  });

  it('records the fleet client deadlines of §7.1', () => {
    const t = (id: string) => getEndpoint(id).timing.fleetClientTimeoutMs;
    expect(t('flux')).toBe(180_000);
    expect(t('sdxl-instantid')).toBe(420_000);
    expect(t('wan2.6-i2v')).toBe(120_000);
    expect(t('wan22-i2v-faceswap')).toBe(900_000);
    expect(t('batch-video-faceswap')).toBe(300_000);
    expect(t('seedvr2')).toBe(600_000);
  });
});

describe('budgets and cost', () => {
  it('computes the warm budget from documented and warm-ish measured times', () => {
    // flux: documented 29; warm-ish bench 29, mono 18.8, set 68.5 (api is mixed) → median 29.
    expect(warmishSeconds(getEndpoint('flux').timing.measured)).toEqual([29, 18.8, 68.5]);
    expect(latencyBudgetSec(getEndpoint('flux'), 'warm')).toBe(43.5);
    expect(latencyBudgetSec(getEndpoint('flux'), 'cold')).toBe(103.5);
    // sdxl-instantid: median(29, 64.1, 44.7, 27.6) = 36.85 > 29 → 55.275
    expect(latencyBudgetSec(getEndpoint('sdxl-instantid'), 'warm')).toBe(55.3);
    // wan22-i2v: the 1200 s row is a timeout → only the documented 240 s counts.
    expect(latencyBudgetSec(getEndpoint('wan22-i2v'), 'warm')).toBe(360);
    expect(latencyBudgetSec(getEndpoint('wan22-i2v'), 'cold')).toBe(510);
    // never timed → Modal's synchronous window as base
    expect(latencyBudgetSec(getEndpoint('wan2.6-r2v'), 'warm')).toBe(MODAL_HTTP_LIMIT_SEC * 1.5);
  });

  it('gives every entry a cold budget above its warm one and below the function timeout', () => {
    for (const e of CATALOG) {
      const warm = latencyBudgetSec(e, 'warm');
      const cold = latencyBudgetSec(e, 'cold');
      expect(cold, e.id).toBeGreaterThan(warm);
      expect(warm, e.id).toBeGreaterThanOrEqual((e.timing.documentedSec ?? 0) * 1.5 - 0.05);
      expect(cold, e.id).toBeLessThan(hardLimitSec(e));
      expect(hardLimitSec(e)).toBe(1800);
    }
  });

  it('never lowers a budget when documented or measured times grow', () => {
    const base = getEndpoint('flux-pulid');
    let previous = 0;
    for (const documentedSec of [1, 10, 50, 83, 100, 300, 900]) {
      const entry = { ...base, timing: { ...base.timing, documentedSec } };
      const warm = latencyBudgetSec(entry, 'warm');
      expect(warm).toBeGreaterThanOrEqual(previous);
      previous = warm;
    }
    const slower = { ...base, timing: { ...base.timing, measured: base.timing.measured.map((m) => ({ ...m, seconds: m.seconds * 3 })) } };
    expect(latencyBudgetSec(slower, 'warm')).toBeGreaterThan(latencyBudgetSec(base, 'warm'));
  });

  it('prices GPU seconds with the cost tracker table', () => {
    expect(GPU_PRICE_USD_PER_SEC.L40S).toBe(0.000542);
    expect(GPU_PRICE_USD_PER_SEC['A100-80GB']).toBe(0.000694);
    // The one header cost ever seen: 0.006825 USD on /flux-pulid = 12.59 s of L40S.
    expect(costEstimateUsd(getEndpoint('flux-pulid'), 12.592)).toBeCloseTo(0.006825, 6);
    expect(costEstimateUsd(getEndpoint('wan22-i2v'), 100)).toBeCloseTo(0.0694, 9);
    expect(() => costEstimateUsd(getEndpoint('flux'), -1)).toThrow(/finite number/);
    expect(() => costEstimateUsd(getEndpoint('flux'), Number.NaN)).toThrow(/finite number/);
  });
});

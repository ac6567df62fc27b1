/** The emulator's /openapi.json (as FastAPI serves it) and its deploy-drift faults, from outside. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, parseDriftSpec } from '../../src/emulator/index.ts';

let url = '';
let close: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const server = await createEmulator({ timeScale: 0.001, coldStart: false, seed: 3 }).listen(0);
  url = server.url;
  close = server.close;
});
afterAll(() => close());

const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('emulator /openapi.json and deploy drift', () => {
  it('serves each deployed app\'s route list the way FastAPI does, and Modal\'s 404 for an undeployed app', async () => {
    const r = await fetch(`${url}/ryla-wan26/openapi.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { openapi: string; info: { title: string }; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('RYLA Wan2.6 API');
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/wan2.6', '/wan2.6-i2v', '/wan2.6-i2v-faceswap', '/wan2.6-lora', '/wan2.6-r2v']);
    expect(doc.paths['/wan2.6-r2v'].post.operationId).toBe('wan26_r2v_route_wan2_6_r2v_post');
    expect(doc.paths['/health'].get).toBeDefined();
    const lora = await fetch(`${url}/ryla-lora/openapi.json`);
    expect([lora.status, await lora.text()]).toEqual([404, 'modal-http: invalid function call']);
  });

  it('route-removed: FastAPI Not Found and gone from /openapi.json; app-undeployed: invalid function call; cleared by DELETE', async () => {
    expect((await post('/__emulator/drift', { fault: 'route-removed', app: 'ryla-flux', path: '/flux-dev' })).status).toBe(201);
    expect((await post('/__emulator/drift', { fault: 'app-undeployed', app: 'ryla-seedvr2' })).status).toBe(201);
    const removed = await post('/ryla-flux/flux-dev', { prompt: 'x' });
    expect([removed.status, await removed.json()]).toEqual([404, { detail: 'Not Found' }]);
    const doc = (await (await fetch(`${url}/ryla-flux/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(doc.paths['/flux-dev']).toBeUndefined();
    expect(doc.paths['/flux']).toBeDefined();
    const gone = await fetch(`${url}/ryla-seedvr2/health`);
    expect([gone.status, await gone.text()]).toEqual([404, 'modal-http: invalid function call']);
    expect((await fetch(`${url}/__emulator/drift`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${url}/ryla-seedvr2/health`)).status).toBe(200);
  });

  it('field-renamed: the old name is ignored and the error names the new one; the new name is read', async () => {
    await post('/__emulator/drift', { fault: 'field-renamed', app: 'ryla-wan22-i2v', path: '/wan22-i2v', from: 'source_image', to: 'source_images' });
    const old = await post('/ryla-wan22-i2v/wan22-i2v', { source_image: 'data:image/png;base64,AAAA' });
    expect(old.status).toBe(400);
    expect(JSON.stringify(await old.json())).toContain('source_images is required');
    // Under the new name the presence check passes; the bytes (not an image) fail later, as on the fleet.
    const renamed = await post('/ryla-wan22-i2v/wan22-i2v', { source_images: 'bm90IGFuIGltYWdl' });
    const text = JSON.stringify(await renamed.json());
    expect(renamed.status).toBe(500);
    expect(text).not.toContain('is required');
    await fetch(`${url}/__emulator/drift`, { method: 'DELETE' });
  });

  it('refuses malformed drift rules with the reason', async () => {
    const bad = await post('/__emulator/drift', { fault: 'field-renamed', app: 'ryla-wan26', path: '/wan2.6' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('from and to');
    expect(parseDriftSpec('field-renamed:ryla-wan26/wan2.6-r2v:reference_videos=reference_video')).toEqual({ fault: 'field-renamed', app: 'ryla-wan26', path: '/wan2.6-r2v', from: 'reference_videos', to: 'reference_video' });
    expect(parseDriftSpec('app-undeployed:ryla-seedvr2')).toEqual({ fault: 'app-undeployed', app: 'ryla-seedvr2' });
    expect(() => parseDriftSpec('route-removed:ryla-flux')).toThrow(/path must start with \//);
    expect(() => parseDriftSpec('route-gone:ryla-flux/flux')).toThrow(/unknown drift fault/);
  });
});

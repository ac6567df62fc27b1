/**
 * Live verification against the emulator: each deploy-drift fault (route removed, app undeployed,
 * field renamed) is found and named with the consumer's method, the route and the field; a
 * consistent consumer against a healthy fleet has no findings. No generation is paid for.
 */
import { describe, expect, it } from 'vitest';
import { ModalClient } from '../../src/client/index.ts';
import { parseConsumerFile } from '../../src/consumers/contract.ts';
import { compareInventory, inventoryApps, readInventory } from '../../src/consumers/inventory.ts';
import { generationCostUsd, LiveBudgetError, verifyLive } from '../../src/consumers/live.ts';
import { createEmulator, type DriftRule } from '../../src/emulator/index.ts';
import { fileURLToPath } from 'node:url';

const BASE_DIR = fileURLToPath(new URL('../../fixtures/consumers/', import.meta.url));
const IMG = { $file: '../faces/astronaut.png' };
const VIDEO = { $file: '../media/portrait.mp4' };
const reads = { body: 'binary', headers: ['content-type'] };
const str = (required = true, media = false) => ({ type: 'string', required, ...(media ? { media: true } : {}) });

const CONSUMER = parseConsumerFile(
  JSON.stringify({
    schemaVersion: 1,
    consumers: [
      {
        name: 'studio',
        calls: [
          { method: 'flux', app: 'ryla-flux', path: '/flux', httpMethod: 'POST', fields: { prompt: str() }, example: { prompt: 'a cat' }, reads, timeoutMs: 600_000 },
          { method: 'i2v', app: 'ryla-wan26', path: '/wan2.6-i2v', httpMethod: 'POST', fields: { prompt: str(), reference_image: str(true, true) }, example: { prompt: 'smile', reference_image: IMG }, reads, timeoutMs: 600_000 },
          { method: 'r2v', app: 'ryla-wan26', path: '/wan2.6-r2v', httpMethod: 'POST', fields: { prompt: str(), reference_videos: { type: 'array', items: 'string', required: true, media: true } }, example: { prompt: 'a boat', reference_videos: [VIDEO] }, reads, timeoutMs: 600_000 },
          { method: 'wan22', app: 'ryla-wan22-i2v', path: '/wan22-i2v', httpMethod: 'POST', fields: { source_image: str(true, true) }, example: { source_image: IMG }, reads, timeoutMs: 900_000 },
          { method: 'upscale', app: 'ryla-seedvr2', path: '/seedvr2', httpMethod: 'POST', fields: { image: str(true, true) }, example: { image: IMG }, reads, timeoutMs: 900_000 },
          { method: 'health', app: 'ryla-flux', path: '/health', httpMethod: 'GET', fields: {}, example: {}, reads: { body: 'json', headers: [] }, timeoutMs: 120_000 },
        ],
      },
    ],
  }),
);

async function against(drift: DriftRule[]) {
  const emu = createEmulator({ timeScale: 0.001, coldStart: false, seed: 1, drift });
  const server = await emu.listen(0);
  try {
    const client = new ModalClient({ targetTemplate: `${server.url}/{app}` });
    const result = await verifyLive(CONSUMER, { client, baseDir: BASE_DIR, timeScale: 0.001, overheadMs: 10_000 });
    return { ...result, calls: emu.state.snapshot().calls };
  } finally {
    await server.close();
  }
}

const findingsOf = async (drift: DriftRule[]) => (await against(drift)).verdicts.flatMap((v) => v.findings);

describe('consumers verify --live against the emulator', () => {
  it('a consistent consumer against a healthy fleet: no findings, every call shown registered', async () => {
    const { verdicts, calls } = await against([]);
    expect(verdicts.flatMap((v) => v.findings)).toEqual([]);
    // Cheap: every POST the emulator saw was rejected before any generation.
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(5);
    expect(posts.filter((c) => (c.status ?? 0) < 400)).toEqual([]);
    for (const v of verdicts) expect(v.passed.map((p) => p.code)).toContain('route-unregistered');
  });

  it('route removed: route-unregistered naming the method and route (FastAPI Not Found, absent from /openapi.json)', async () => {
    const f = await findingsOf([{ fault: 'route-removed', app: 'ryla-wan26', path: '/wan2.6-i2v' }]);
    expect(f.map((x) => [x.code, x.method, x.path])).toEqual([['route-unregistered', 'i2v', '/wan2.6-i2v']]);
    expect(f[0].message).toContain('ryla-wan26');
  });

  it('app undeployed: app-not-deployed (Modal invalid function call) on every call to the app, nothing else', async () => {
    const f = await findingsOf([{ fault: 'app-undeployed', app: 'ryla-wan22-i2v' }]);
    expect(f.map((x) => [x.code, x.method, x.path])).toEqual([['app-not-deployed', 'wan22', '/wan22-i2v']]);
    expect(f[0].message).toContain('invalid function call');
  });

  it('field renamed (reference_image → reference_images): field-missing naming the new field and the one the consumer sends', async () => {
    const f = await findingsOf([{ fault: 'field-renamed', app: 'ryla-wan26', path: '/wan2.6-i2v', from: 'reference_image', to: 'reference_images' }]);
    expect(f.map((x) => [x.code, x.method, x.path, x.field])).toEqual([['field-missing', 'i2v', '/wan2.6-i2v', 'reference_images']]);
    expect(f[0].message).toContain('"reference_image"');
  });

  it('field renamed on a list field (reference_videos → reference_video) and on the first field checked (source_image → source_images)', async () => {
    const f = await findingsOf([
      { fault: 'field-renamed', app: 'ryla-wan26', path: '/wan2.6-r2v', from: 'reference_videos', to: 'reference_video' },
      { fault: 'field-renamed', app: 'ryla-wan22-i2v', path: '/wan22-i2v', from: 'source_image', to: 'source_images' },
    ]);
    expect(f.map((x) => [x.code, x.method, x.path, x.field]).sort()).toEqual([
      ['field-missing', 'r2v', '/wan2.6-r2v', 'reference_video'],
      ['field-missing', 'wan22', '/wan22-i2v', 'source_images'],
    ]);
  });

  it('inventory: a removed route is a catalogued route not registered; a consumer call to the wrong app names the app that has it', async () => {
    const emu = createEmulator({ timeScale: 0.001, coldStart: false, drift: [{ fault: 'route-removed', app: 'ryla-flux', path: '/flux-dev' }] });
    const server = await emu.listen(0);
    try {
      const client = new ModalClient({ targetTemplate: `${server.url}/{app}` });
      const misrouted = parseConsumerFile(JSON.stringify({ schemaVersion: 1, consumers: [{ name: 'studio', calls: [{ method: 'faceswap', app: 'ryla-z-image', path: '/image-faceswap', httpMethod: 'POST', reads, timeoutMs: 600_000 }] }] }));
      const inv = await readInventory(client, inventoryApps([misrouted]), { timeScale: 0.001, overheadMs: 10_000 });
      expect(inv.get('ryla-flux')?.paths.has('/flux')).toBe(true);
      expect(inv.get('ryla-lora')?.state).toBe('not-deployed');
      const findings = compareInventory(inv, [misrouted]);
      expect(findings.filter((x) => x.severity === 'fail').map((x) => [x.code, x.app, x.path, x.call])).toEqual([
        ['route-unregistered', 'ryla-flux', '/flux-dev', undefined],
        ['wrong-app', 'ryla-z-image', '/image-faceswap', 'studio.faceswap'],
      ]);
      expect(findings.find((x) => x.code === 'wrong-app')?.message).toContain('ryla-qwen-image');
    } finally {
      await server.close();
    }
  });

  it('--generate sends the real example: what the consumer reads is checked, a field the route requires is named, the budget is enforced', async () => {
    const gen = parseConsumerFile(
      JSON.stringify({
        schemaVersion: 1,
        consumers: [
          {
            name: 'studio',
            calls: [
              { method: 'flux', app: 'ryla-flux', path: '/flux', httpMethod: 'POST', fields: { prompt: str() }, example: { prompt: 'a cat', width: 256, height: 256 }, reads: { body: 'binary', headers: ['content-type', 'x-cost-usd'] }, timeoutMs: 600_000 },
              { method: 'generateWan26R2V', app: 'ryla-wan26', path: '/wan2.6-r2v', httpMethod: 'POST', fields: { prompt: str(), reference_video: str(true, true) }, example: { prompt: 'a boat', reference_video: VIDEO }, reads, timeoutMs: 600_000 },
            ],
          },
        ],
      }),
    );
    const emu = createEmulator({ timeScale: 0.001, coldStart: false, seed: 2 });
    const server = await emu.listen(0);
    try {
      const client = new ModalClient({ targetTemplate: `${server.url}/{app}` });
      const opts = { client, baseDir: BASE_DIR, timeScale: 0.001, overheadMs: 30_000, generate: true };
      await expect(verifyLive(gen, { ...opts, maxUsd: 0 })).rejects.toBeInstanceOf(LiveBudgetError);
      expect(generationCostUsd(gen)).toBeGreaterThan(0);
      const { verdicts } = await verifyLive(gen, { ...opts, maxUsd: 1 });
      const f = verdicts.flatMap((v) => v.findings).map((x) => [x.code, x.method, x.path, x.field]);
      expect(f).toEqual([
        ['header-never-sent', 'flux', '/flux', 'header:x-cost-usd'],
        ['field-missing', 'generateWan26R2V', '/wan2.6-r2v', 'reference_videos'],
        ['generation-failed', 'generateWan26R2V', '/wan2.6-r2v', undefined],
      ]);
      expect(verdicts[0].passed.map((p) => p.code)).toContain('generation-failed');
    } finally {
      await server.close();
    }
  });

  it('a payload that lacks a field the route checks early is itself a cheap probe: the studio r2v drift is found without --generate', async () => {
    const drifted = parseConsumerFile(JSON.stringify({ schemaVersion: 1, consumers: [{ name: 'studio-api', calls: [{ method: 'generateWan26R2V', app: 'ryla-wan26', path: '/wan2.6-r2v', httpMethod: 'POST', fields: { prompt: str(), reference_video: str(true, true) }, example: { prompt: 'a boat', reference_video: VIDEO }, reads, timeoutMs: 600_000 }] }] }));
    const emu = createEmulator({ timeScale: 0.001, coldStart: false });
    const server = await emu.listen(0);
    try {
      const client = new ModalClient({ targetTemplate: `${server.url}/{app}` });
      const { verdicts } = await verifyLive(drifted, { client, baseDir: BASE_DIR, timeScale: 0.001, overheadMs: 10_000 });
      const f = verdicts[0].findings;
      expect(f.map((x) => [x.code, x.method, x.path, x.field])).toEqual([['field-missing', 'generateWan26R2V', '/wan2.6-r2v', 'reference_videos']]);
      expect(f[0].message).toContain('as sent, without "reference_videos"');
      expect(f[0].message).toContain('it sends "reference_video"');
      // Nothing was generated: every call the emulator saw was rejected.
      const calls = emu.state.snapshot().calls.filter((c) => c.path === '/wan2.6-r2v');
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((c) => (c.status ?? 0) >= 400)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointReport, GateReport } from '../../report/types.ts';
import { loadWaivers } from '../../waivers/index.ts';
import { listen } from '../app.ts';
import { registerReview } from './routes.ts';
import { ReviewStore } from './store.ts';

let dir: string;
let url: string;
let close: () => Promise<void>;
let run: string;
let waivers: string;
let golden: string;

function report(id: string, fail: boolean): EndpointReport {
  const checks = [{ case: 'happy path', check: fail ? ('image-size' as const) : ('status' as const), verdict: fail ? ('fail' as const) : ('pass' as const), message: fail ? 'width 256, expected 512' : '200', ...(fail ? { finding: { code: 'size-mismatch' } } : {}) }];
  return { id, app: 'ryla-flux', path: `/${id}`, gpu: 'L40S', lifecycle: 'live', verdict: fail ? 'fail' : 'pass', latencyMs: 1200, redirects: 0, hops: [], costUsd: 0, checks, cases: [{ name: 'happy path', kind: 'happy', verdict: fail ? 'fail' : 'pass', status: 200, latencyMs: 1200, hops: [], attempts: 1, checks }] };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'genprobe-review-routes-'));
  waivers = path.join(dir, 'waivers.yaml');
  writeFileSync(waivers, 'waivers: []\n');
  golden = path.join(dir, 'golden');
  const store = new ReviewStore(path.join(dir, 'review'));
  const png = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#a33' } }).png().toBuffer();
  const reports = [report('flux', false), report('flux-dev', true)];
  run = await store.save('before', { target: { url: 'http://127.0.0.1:1/{app}' }, endpoints: reports } as unknown as GateReport, reports.map((r) => ({ report: r, output: { body: png, sniffedType: 'png' } })));
  const app = express();
  registerReview(app, { store, waiversFile: waivers, goldenDir: golden });
  ({ url, close } = await listen(app, '127.0.0.1', 0));
});
afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

const post = (p: string, body: unknown, type = 'application/json') => fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const matrix = async () => (await (await fetch(`${url}/api/review/matrix`)).json()) as { columns: { run: string }[]; rows: { endpoint: string; cells: { verdict: string; thumbs: number; failing: unknown[] }[] }[] };

describe('review routes', () => {
  it('serve the matrix, thumbnails from disk and outputs; names outside the store are 404', async () => {
    const m = await matrix();
    expect(m.columns.map((c) => c.run)).toEqual([run]);
    expect(m.rows.map((r) => [r.endpoint, r.cells[0].verdict, r.cells[0].thumbs])).toEqual([['flux', 'pass', 1], ['flux-dev', 'fail', 1]]);
    const thumb = await fetch(`${url}/review/thumb/${run}/flux/0.webp`);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(160);
    expect((await fetch(`${url}/review/output/${run}/flux`)).headers.get('content-type')).toBe('image/png');
    for (const p of [`/review/thumb/${run}/flux/5.webp`, `/review/thumb/..%2F..%2Fetc/flux/0.webp`, `/review/output/${run}/..%2Freport.json`, `/review/output/nope/flux`]) expect((await fetch(`${url}${p}`)).status, p).toBe(404);
  });

  it('accept waives the failing cell in the waivers file, and the matrix shows it waived', async () => {
    expect((await post('/api/review/accept', { run, endpoint: 'flux-dev', reason: 'short' })).status).toBe(400);
    expect((await post('/api/review/accept', { run, endpoint: 'flux', reason: 'nothing fails here to accept' })).status).toBe(409);
    expect((await post('/api/review/accept', 'run=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    // The same body rules as the maintenance API (one jsonBodyParser): malformed 400, oversized 413.
    const malformed = await post('/api/review/accept', '{"run":');
    expect([malformed.status, await malformed.json()]).toEqual([400, { error: 'body is not valid JSON' }]);
    const oversized = await post('/api/review/accept', { run, endpoint: 'flux-dev', reason: 'x'.repeat(5000) });
    expect([oversized.status, await oversized.json()]).toEqual([413, { error: 'body too large' }]);
    expect((await post('/api/review/accept', '{bad')).status).toBe(400);
    const ok = await post('/api/review/accept', { run, endpoint: 'flux-dev', reason: 'half-size output accepted for now', expires: '2099-02-01' });
    expect(ok.status).toBe(201);
    expect(loadWaivers(waivers)).toEqual([{ endpoint: 'flux-dev', check: 'image-size', finding: { code: 'size-mismatch' }, reason: 'half-size output accepted for now', expires: '2099-02-01' }]);
    const row = (await matrix()).rows.find((r) => r.endpoint === 'flux-dev')!;
    expect(row.cells[0]).toMatchObject({ verdict: 'waived', failing: [] });
  });

  it('make golden stores a passing image only', async () => {
    expect((await post('/api/review/golden', { run, endpoint: 'flux' })).status).toBe(201);
    expect(readFileSync(path.join(golden, 'flux.png')).equals(readFileSync(path.join(dir, 'review', run, 'outputs', 'flux.png')))).toBe(true);
    rmSync(waivers);
    writeFileSync(waivers, 'waivers: []\n');
    expect((await post('/api/review/golden', { run, endpoint: 'flux-dev' })).status).toBe(409);
    expect(existsSync(path.join(golden, 'flux-dev.png'))).toBe(false);
  });
});

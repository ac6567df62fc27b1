/**
 * The review matrix in Chromium, end to end: two gates against the bundled emulator saved with
 * `--review` (the second with a fault on /flux), `genprobe serve` serving /review. The matrix shows
 * an animated-WebP and an MP4 cell (first/middle/last frames) and previews on click; "accept" on the
 * failing cell writes a waiver the next gate honours; "make golden" on a passing image makes the
 * drift check compare against that output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator } from '@playwright/test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/genprobe.mjs');

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, CI: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out = (out + c).slice(-200_000)));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-8_000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(args);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

async function waitForMatch(p: Proc, what: string, re: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = p.stdout().match(re);
    if (m) return m[1];
    if (p.child.exitCode !== null) throw new Error(`${what}: exited ${p.child.exitCode}: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let dir: string;
let config: string;
let emulator: Proc;
let serve: Proc;
let emulatorUrl: string;
let base: string;
let waivers: string;
let golden: string;
let reviewDir: string;

test.describe.configure({ mode: 'serial' });

const gate = (args: string[]) => run(['gate', '--config', config, '--no-face', ...args]);
const fluxFault = async () => {
  const res = await fetch(`${emulatorUrl}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: { app: 'ryla-flux', path: '/flux' }, fault: 'wrong-dims', times: 1 }) });
  expect(res.status).toBe(201);
};

test.beforeAll(async () => {
  test.setTimeout(300_000);
  dir = mkdtempSync(path.join(tmpdir(), 'genprobe-review-'));
  waivers = path.join(dir, 'waivers.yaml');
  copyFileSync(path.join(ROOT, 'waivers.yaml'), waivers);
  golden = path.join(dir, 'golden');
  reviewDir = path.join(dir, 'state', 'review');
  emulator = start(['emulate', '--port', '0', '--time-scale', '0.01']);
  emulatorUrl = await waitForMatch(emulator, 'the emulator', /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  config = path.join(dir, 'genprobe.config.mjs');
  const cfg = {
    target: { url: `${emulatorUrl}/{app}`, timeScale: 0.01, overheadMs: 45_000 },
    gate: { waivers, goldenDir: golden, stateDir: path.join(dir, 'state') },
    server: { host: '127.0.0.1', port: 0 },
  };
  writeFileSync(config, `export default ${JSON.stringify(cfg, null, 2)};\n`);
  const before = await gate(['--only', 'flux,wan2.6,video-faceswap', '--review', 'before']);
  expect(before.code, before.stdout + before.stderr).toBe(0);
  await fluxFault();
  const after = await gate(['--only', 'flux,wan2.6,video-faceswap', '--review', 'after']);
  expect(after.code, after.stdout).toBe(1);
  serve = start(['serve', '--config', config, '--port', '0']);
  base = await waitForMatch(serve, 'genprobe serve', /"event":"listening","url":"(http:\/\/127\.0\.0\.1:\d+)"/);
});

test.afterAll(async () => {
  for (const p of [serve, emulator]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
  await Promise.all([serve?.exited, emulator?.exited]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cellOf = (page: import('@playwright/test').Page, endpoint: string, label: string): Promise<Locator> =>
  page.locator(`th[data-run]`, { hasText: label }).getAttribute('data-run').then((run) => page.locator(`td.cell[data-endpoint="${endpoint}"][data-run="${run}"]`));

async function rendered(img: Locator): Promise<void> {
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : 0))).toBeGreaterThan(0);
}

test('renders an animated-WebP and an MP4 cell with first/middle/last frames, and previews on click', async ({ page }) => {
  const response = await page.goto(`${base}/review`);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.locator('body')).toHaveAttribute('data-loaded', 'true');
  await expect(page.locator('thead th[data-run]')).toHaveText(['before', 'after']);
  for (const [endpoint, kind] of [['wan2.6', 'webp-animated'], ['video-faceswap', 'mp4']]) {
    const c = await cellOf(page, endpoint, 'before');
    await expect(c).toHaveAttribute('data-kind', kind);
    await expect(c.locator('img')).toHaveCount(3);
    expect(await c.locator('img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('data-frame')))).toEqual(['first', 'middle', 'last']);
    for (const img of await c.locator('img').all()) await rendered(img);
  }
  // Thumbnails are small files made once on disk, not the outputs.
  const run = readdirSync(reviewDir).find((r) => r.endsWith('-before'))!;
  expect(readdirSync(path.join(reviewDir, run, 'thumbs'))).toEqual(expect.arrayContaining(['video-faceswap-0.webp', 'video-faceswap-2.webp', 'wan2.6-1.webp', 'flux-0.webp']));
  await (await cellOf(page, 'video-faceswap', 'before')).locator('img').first().click();
  const video = page.locator('dialog#preview video[data-preview="video"]');
  await expect(video).toBeVisible();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(2);
  await page.locator('dialog#preview button').click();
  await expect(await cellOf(page, 'flux', 'after')).toHaveAttribute('data-verdict', 'fail');
  await expect((await cellOf(page, 'flux', 'after')).locator('.failing')).toContainText('image-size');
});

test('"accept" on the failing cell writes a waiver that the next gate honours', async ({ page }) => {
  await page.goto(`${base}/review`);
  const c = await cellOf(page, 'flux', 'after');
  await expect(c).toHaveAttribute('data-verdict', 'fail');
  await c.locator('input[name="reason"]').fill('wrong size accepted while the resize fix ships');
  await c.locator('input[name="expires"]').fill('2099-01-31');
  await c.locator('button.accept').click();
  await expect(page.locator('#notice')).toContainText('waived in');
  await expect(await cellOf(page, 'flux', 'after')).toHaveAttribute('data-verdict', 'waived');
  const text = readFileSync(waivers, 'utf8');
  expect(text).toMatch(/endpoint: flux\n\s+check: image-size/);
  expect(text).toContain('wrong size accepted while the resize fix ships');
  // The same fault again: the gate now waives it and passes.
  await fluxFault();
  const next = await gate(['--only', 'flux']);
  expect(next.code, next.stdout + next.stderr).toBe(0);
  expect(next.stdout).toMatch(/~ flux/);
});

test('"make golden" makes a passing output the drift check\'s reference', async ({ page }) => {
  const json = path.join(dir, 'golden-before.json');
  const first = await gate(['--only', 'flux', '--report', `json=${json}`]);
  expect(first.code).toBe(0);
  const checks = (file: string) => (JSON.parse(readFileSync(file, 'utf8')).endpoints[0].checks as { check: string; verdict: string }[]).filter((c) => c.check === 'golden-drift');
  expect(checks(json)).toEqual([]);
  expect(existsSync(path.join(golden, 'flux.png'))).toBe(false);

  await page.goto(`${base}/review`);
  const c = await cellOf(page, 'flux', 'before');
  await c.locator('button.golden').click();
  await expect(page.locator('#notice')).toContainText('golden image for flux');
  const run = readdirSync(reviewDir).find((r) => r.endsWith('-before'))!;
  expect(readFileSync(path.join(golden, 'flux.png')).equals(readFileSync(path.join(reviewDir, run, 'outputs', 'flux.png')))).toBe(true);

  const json2 = path.join(dir, 'golden-after.json');
  const second = await gate(['--only', 'flux', '--report', `json=${json2}`]);
  expect(second.code, second.stdout).toBe(0);
  expect(checks(json2)).toEqual([expect.objectContaining({ check: 'golden-drift', verdict: 'pass' })]);
  // Only still images can be golden (the drift check compares stills).
  const refused = await page.evaluate(async (run) => (await fetch('/api/review/golden', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run, endpoint: 'wan2.6' }) })).status, run);
  expect(refused).toBe(409);
});

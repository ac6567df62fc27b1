/**
 * The status page in a real browser (Debian Chromium), against the real thing end to end: the
 * bundled fleet emulator (`genprobe emulate`, time-scaled) probed by `genprobe serve` on a fast
 * schedule, with a throwaway PostgreSQL behind the usage collector. A fault rule then makes one
 * endpoint answer a 500 whose error body is HTML + script; the page must show it failing, as text,
 * without running anything. Run through vitest (test/browser.test.ts) or `npx playwright test`.
 *
 * GENPROBE_UPDATE_SCREENSHOT=1 also writes docs/status-page.png (the README's screenshot).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { stopChild } from '../support/child-process.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { REALISTIC_MIX, insertJobs, loadSchema } from '../usage/helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/genprobe.mjs');
const HOSTILE = '<img src=x onerror=alert(1)><script>window.__pwned=1</script>';
const DB_ENV = 'GENPROBE_BROWSER_TEST_DB';

/** Endpoints probed: a still image, a face generation, an animated WebP, an MP4 face swap, a health-only one. */
const SCHEDULES = [
  { match: 'flux', cron: '*/3 * * * * *', kind: 'smoke' },
  { match: 'sdxl-instantid', cron: '*/4 * * * * *', kind: 'smoke' },
  { match: 'wan2.6', cron: '*/5 * * * * *', kind: 'smoke' },
  { match: 'video-faceswap', cron: '*/6 * * * * *', kind: 'smoke' },
  { match: 'z-image-danrisi', cron: '*/4 * * * * *', kind: 'health' },
];

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<void>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out = (out + c).slice(-200_000)));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-8_000)));
  return { child, stdout: () => out, stderr: () => err, stop: () => stopChild(child) };
}

async function waitForMatch(proc: Proc, what: string, re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = proc.stdout().match(re);
    if (m) return m;
    if (proc.child.exitCode !== null) throw new Error(`${what}: process exited ${proc.child.exitCode}: ${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; stderr: ${proc.stderr()}`);
}

let dir: string;
let pg: TestPostgres;
let emulator: Proc;
let serve: Proc;
let emulatorUrl: string;
let base: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  dir = await mkdtemp(path.join(tmpdir(), 'genprobe-browser-'));
  pg = await startTestPostgres();
  await loadSchema(pg.connectionString);
  await insertJobs(pg.connectionString, REALISTIC_MIX);

  emulator = start(['emulate', '--port', '0', '--time-scale', '0.01']);
  emulatorUrl = (await waitForMatch(emulator, 'the emulator to listen', /listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];

  const configFile = path.join(dir, 'genprobe.config.mjs');
  const config = {
    target: { url: `${emulatorUrl}/{app}`, timeScale: 0.01, overheadMs: 45_000 },
    probes: { schedules: SCHEDULES, budget: { dailyUsd: 1000, monthlyUsd: 10_000 } },
    server: { host: '127.0.0.1', port: 0 },
    usage: { databaseUrlEnv: DB_ENV, intervalSec: 5 },
    // The emulator reproduces the fleet's known defects; the project's waivers accept them.
    gate: { waivers: path.join(ROOT, 'waivers.yaml') },
  };
  await writeFile(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  serve = start(['serve', '--config', configFile, '--port', '0'], { [DB_ENV]: pg.connectionString });
  base = (await waitForMatch(serve, 'genprobe serve to listen', /"event":"listening","url":"(http:\/\/127\.0\.0\.1:\d+)"/))[1];
});

test.afterAll(async () => {
  await serve?.stop();
  await emulator?.stop();
  await pg?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function injectFault(rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emulatorUrl}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  expect(res.status, await res.text()).toBe(201);
}

/** Fails the test if any dialog opens (an injected alert() would). */
function watchDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return dialogs;
}

function card(page: Page, id: string): Locator {
  return page.locator(`article.card[data-endpoint="${id}"]`);
}

async function expectImageRendered(img: Locator): Promise<void> {
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : 0)), { timeout: 60_000 }).toBeGreaterThan(0);
}

test('the grid shows verdicts, latency against budget, thumbnails, face crops, charts, usage and budget', async ({ page }) => {
  const dialogs = watchDialogs(page);
  const response = await page.goto(`${base}/?refresh=2`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.locator('h1')).toContainText('genprobe');
  await expect(page.locator('#refresh-every')).toHaveText('2');
  // Every live endpoint has a card, probed or not yet.
  await expect.poll(() => page.locator('article.card').count()).toBeGreaterThan(20);

  for (const id of ['flux', 'sdxl-instantid', 'wan2.6', 'video-faceswap']) {
    const c = card(page, id);
    await expect(c, `${id} passes`).toHaveAttribute('data-verdict', 'pass', { timeout: 120_000 });
    await expect(c.locator('.badge')).toHaveText('pass');
    await expect(c.locator('.state')).toHaveText(/^(up|degraded)$/);
    await expect(c.locator('.latency-label')).toContainText(/\d+(\.\d+)? m?s/);
    await expect(c.locator('.latency .start')).toHaveText(/^(cold|warm|unknown)$/);
    await expect(c.locator('.latency .fill')).toHaveCount(1);
    await expectImageRendered(c.locator('img.thumb'));
    // The latency chart: a path through the history and one dot per sample.
    await expect(c.locator('svg.spark path.spark-line')).toHaveAttribute('d', /^M[\d.]+,[\d.]+/);
    expect(await c.locator('svg.spark circle.spark-dot').count()).toBeGreaterThan(0);
  }
  await expect(card(page, 'z-image-danrisi')).toHaveAttribute('data-verdict', 'pass');
  await expect(card(page, 'z-image-danrisi').locator('.thumb')).toHaveText('no output yet');

  // Face routes: reference and output crops side by side, with the match %.
  for (const id of ['sdxl-instantid', 'video-faceswap']) {
    const c = card(page, id);
    await expectImageRendered(c.locator('img.face').first());
    await expectImageRendered(c.locator('img.face').nth(1));
    await expect(c.locator('figcaption.match')).toHaveText(/face match \d+\.\d % \(pass ≥ \d+ %\)/);
  }
  expect(await page.locator('article.card[data-endpoint="flux"] img.face').count()).toBe(0);

  // Modal/ComfyUI split from the jobs database, and the budget state.
  await expect(page.locator('#usage [data-usage="up"]')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('#usage .seg.prov-modal').first()).toBeVisible();
  await expect(page.locator('#usage .seg.prov-comfyui').first()).toBeVisible();
  await expect(page.locator('#usage .legend').first()).toContainText(/modal \d+\.\d %/);
  await expect(page.locator('#budget .budget-row[data-period="daily"]')).toContainText(/of \$1000\.00 spent/);
  await expect(page.locator('#budget .budget-row[data-period="monthly"]')).toBeVisible();
  expect(dialogs).toEqual([]);
});

test('a fault turns the endpoint red without a reload, and its hostile error body stays text', async ({ page }) => {
  const dialogs = watchDialogs(page);
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(`${base}/?refresh=1`);
  const flux = card(page, 'flux');
  await expect(flux).toHaveAttribute('data-verdict', 'pass', { timeout: 60_000 });
  // The page must update in place: a marker on window survives only if it never reloads.
  await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
  const refreshesBefore = Number(await page.locator('body').getAttribute('data-refreshes'));

  await injectFault({ match: { app: 'ryla-flux', path: '/flux' }, fault: 'app-5xx', message: HOSTILE });

  await expect(flux).toHaveAttribute('data-verdict', 'fail', { timeout: 60_000 });
  await expect(flux.locator('.badge')).toHaveText('fail');
  await expect(flux.locator('pre.error')).toContainText(HOSTILE);
  await expect(flux.locator('pre.error')).toBeVisible();
  expect(Number(await page.locator('body').getAttribute('data-refreshes'))).toBeGreaterThan(refreshesBefore);
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);

  // Nothing from the body became markup or ran.
  expect(await page.locator('#grid script').count()).toBe(0);
  expect(await page.locator('#grid img[src="x"]').count()).toBe(0);
  expect(await flux.locator('pre.error').evaluate((e) => e.children.length)).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(cspViolations).toEqual([]);

  // The summary counts the failure; "failing only" shows just the failing endpoints.
  await expect(page.locator('#summary .badge-fail')).toContainText(/^\d+ fail$/);
  await page.locator('#failing-only').check();
  await expect.poll(async () => page.locator('article.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-verdict')))).toEqual(
    expect.arrayContaining(['fail']),
  );
  const verdicts = await page.locator('article.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-verdict')));
  expect(new Set(verdicts)).toEqual(new Set(['fail']));
  await page.locator('#failing-only').uncheck();
  await expect.poll(() => page.locator('article.card').count()).toBeGreaterThan(20);
});

/** Run a genprobe command to its end. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(args);
  return new Promise((resolve) => p.child.once('exit', (code) => resolve({ code, stdout: p.stdout(), stderr: p.stderr() })));
}

test('failures in a row turn the state down, and a maintenance window opened by the CLI shows with its reason', async ({ page }) => {
  await page.goto(`${base}/?refresh=1`);
  const flux = card(page, 'flux');
  // The previous test's fault rule has no limit: flux keeps failing, and three failures in a row are down.
  await expect(flux.locator('.state')).toHaveText('down', { timeout: 60_000 });
  await expect(flux.locator('.state')).toHaveClass(/state-down/);
  await expect(page.locator('#summary [data-state-count="down"]')).toHaveText(/^\d+ down$/);
  await expect(page.locator('#maintenance')).toBeHidden();

  const opened = await run(['maintenance', 'start', '--app', 'ryla-flux', '--for', '20m', '--reason', 'deploy 1.2.3', '--server', base]);
  expect(opened.code, opened.stderr).toBe(0);
  expect(opened.stdout).toMatch(/maintenance started: \S+ {2}api {2}ryla-flux {2}until \S+ {2}deploy 1\.2\.3/);
  await expect(page.locator('#maintenance')).toContainText('maintenance ryla-flux until');
  await expect(page.locator('#maintenance')).toContainText('deploy 1.2.3');
  // The next probe of flux runs inside the window: its state is maintenance, with the reason.
  await expect(flux.locator('.state')).toHaveText('maintenance', { timeout: 30_000 });
  await expect(flux.locator('.maintenance')).toContainText('maintenance: ryla-flux: deploy 1.2.3');

  const ended = await run(['maintenance', 'end', '--app', 'ryla-flux', '--server', base]);
  expect(ended.code, ended.stderr).toBe(0);
  await expect(page.locator('#maintenance')).toBeHidden();
  // Still failing after the window: pending again (failures inside the window did not count).
  await expect(flux.locator('.state')).toHaveText(/^(pending|down)$/, { timeout: 30_000 });
  await expect(flux.locator('.maintenance')).toHaveCount(0);
});

test('keeps refreshing by itself and a screenshot is kept', async ({ page }, testInfo) => {
  await page.goto(`${base}/?refresh=1`);
  await expect(card(page, 'flux')).toHaveAttribute('data-verdict', /pass|fail/, { timeout: 60_000 });
  const first = await page.locator('#updated').getAttribute('datetime');
  await expect.poll(() => page.locator('#updated').getAttribute('datetime'), { timeout: 30_000 }).not.toBe(first);
  await expect.poll(async () => Number(await page.locator('body').getAttribute('data-refreshes')), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);

  // Let images settle before the picture.
  for (const img of await page.locator('img').all()) await expectImageRendered(img);
  const full = testInfo.outputPath('status-page-full.png');
  await page.screenshot({ path: full, fullPage: true });
  await testInfo.attach('status-page', { path: full, contentType: 'image/png' });
  await page.screenshot({ path: path.join(ROOT, 'test-results', 'status-page.png') });
  if (process.env.GENPROBE_UPDATE_SCREENSHOT === '1') await page.screenshot({ path: path.join(ROOT, 'docs', 'status-page.png') });
});

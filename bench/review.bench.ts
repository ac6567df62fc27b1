/**
 * The review matrix with 500 cells (25 endpoints × 20 saved runs, images, animated WebP and MP4
 * outputs as the catalog's output kinds say) loaded in Debian's Chromium: time from navigation to
 * the matrix rendered with the visible thumbnails loaded (network idle), the bytes the page
 * transferred, and the JS heap — against the bytes of the outputs themselves, which a viewer that
 * embeds outputs (promptfoo #1419/#2507) would have to move.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { chromium } from '@playwright/test';
import sharp from 'sharp';
import { liveEndpoints } from '../src/catalog/index.ts';
import type { EndpointEntry } from '../src/catalog/types.ts';
import { runFfmpeg } from '../src/media/frames.ts';
import type { EndpointReport, GateReport } from '../src/report/types.ts';
import { listen } from '../src/server/app.ts';
import { registerReview } from '../src/server/review/routes.ts';
import { ReviewStore } from '../src/server/review/store.ts';
import { CHROMIUM } from '../playwright.config.ts';
import { median, round, summarize, type Benchmark, type BenchResult } from './lib.ts';

const ROWS = 25;
const RUNS = 20;
/** Budget for the 500-cell page: rendered with its visible thumbnails within this, median of the loads. */
const LOAD_BUDGET_MS = 3000;

async function outputs(dir: string): Promise<Record<string, { body: Buffer; sniffedType: string }>> {
  const noise = (w: number, h: number, seed: number) => Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => ((i * 2654435761 + seed * 97) >>> 13) & 255));
  const png = await sharp(noise(1024, 1024, 1), { raw: { width: 1024, height: 1024, channels: 3 } }).png().toBuffer();
  const frames = await Promise.all(Array.from({ length: 33 }, (_, i) => sharp(noise(480, 832, i), { raw: { width: 480, height: 832, channels: 3 } }).png().toBuffer()));
  const webp = await sharp(frames, { join: { animated: true } }).webp({ quality: 70, delay: Array(33).fill(62) }).toBuffer();
  const mp4File = path.join(dir, 'clip.mp4');
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'testsrc2=size=480x832:rate=16:duration=2', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-movflags', '+faststart', mp4File]);
  const mp4 = readFileSync(mp4File);
  return { png: { body: png, sniffedType: 'png' }, jpeg: { body: png, sniffedType: 'png' }, 'webp-animated': { body: webp, sniffedType: 'webp-animated' }, mp4: { body: mp4, sniffedType: 'mp4' } };
}

function report(entry: EndpointEntry, run: number): EndpointReport {
  const fail = (run + entry.id.length) % 7 === 0;
  const checks = [{ case: 'happy path', check: fail ? ('image-size' as const) : ('status' as const), verdict: fail ? ('fail' as const) : ('pass' as const), message: fail ? 'width 512 != 1024' : '200' }];
  return {
    id: entry.id, app: entry.app, path: entry.path, gpu: entry.gpu, lifecycle: entry.lifecycle, verdict: fail ? 'fail' : 'pass', latencyMs: 4000 + run, redirects: 0, hops: [], costUsd: 0.01, checks,
    cases: [{ name: 'happy path', kind: 'happy', verdict: fail ? 'fail' : 'pass', status: 200, latencyMs: 4000, hops: [], attempts: 1, checks }],
  };
}

function gateOf(endpoints: EndpointReport[]): GateReport {
  return { target: { url: 'http://127.0.0.1:1/{app}' }, endpoints } as unknown as GateReport;
}

function dirBytes(dir: string, filter: (n: string) => boolean = () => true): number {
  let total = 0;
  for (const run of readdirSync(dir)) for (const sub of ['outputs', 'thumbs']) for (const f of readdirSync(path.join(dir, run, sub)).filter((n) => filter(`${sub}/${n}`))) total += statSync(path.join(dir, run, sub, f)).size;
  return total;
}

export const reviewBench: Benchmark = {
  name: 'review',
  title: 'Review matrix: 500 cells in Chromium',
  async run(ctx): Promise<BenchResult> {
    const dir = mkdtempSync(path.join(tmpdir(), 'genprobe-review-bench-'));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const store = new ReviewStore(path.join(dir, 'review'));
      const media = await outputs(dir);
      const entries = liveEndpoints().slice(0, ROWS);
      // One run saved for real (its thumbnails made from the outputs, timed), then copied as the
      // other runs with their own reports: the page load, not thumbnail making, is what is measured.
      const t0 = performance.now();
      const first = await store.save('run00', gateOf(entries.map((e) => report(e, 0))), entries.map((e) => ({ report: report(e, 0), output: media[e.output.kind] })), new Date(Date.UTC(2026, 0, 1)));
      const saveSec = (performance.now() - t0) / 1000;
      for (let r = 1; r < RUNS; r++) {
        const run = `2026-01-01T00-${String(r).padStart(2, '0')}-00-000Z-run${String(r).padStart(2, '0')}`;
        cpSync(store.runDir(first), store.runDir(run), { recursive: true });
        const index = JSON.parse(readFileSync(path.join(store.runDir(run), 'index.json'), 'utf8'));
        writeFileSync(path.join(store.runDir(run), 'index.json'), JSON.stringify({ ...index, run, label: `run${String(r).padStart(2, '0')}` }));
        writeFileSync(path.join(store.runDir(run), 'report.json'), JSON.stringify(gateOf(entries.map((e) => report(e, r)))));
      }
      ctx.log(`saved 1 run × ${entries.length} endpoints with thumbnails in ${saveSec.toFixed(1)} s, copied to ${RUNS} runs`);
      const apiMs: number[] = [];

      const app = express();
      registerReview(app, { store, waiversFile: path.join(dir, 'waivers.yaml'), goldenDir: path.join(dir, 'golden') });
      const server = await listen(app, '127.0.0.1', 0);
      // The same page with no saved run: what a fresh Chromium context costs before any cell.
      const emptyApp = express();
      registerReview(emptyApp, { store: new ReviewStore(path.join(dir, 'none')), waiversFile: path.join(dir, 'waivers.yaml'), goldenDir: path.join(dir, 'golden') });
      const empty = await listen(emptyApp, '127.0.0.1', 0);
      const emptyMs: number[] = [];
      const loads: { ms: number; renderedMs: number; bytes: number; heapMB: number; images: number }[] = [];
      try {
        for (let i = 0; i < (ctx.quick ? 2 : 5); i++) {
          const blank = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
          const b0 = performance.now();
          await blank.goto(`${empty.url}/review`, { waitUntil: 'commit' });
          await blank.waitForSelector('body[data-loaded="true"]');
          emptyMs.push(performance.now() - b0);
          await blank.context().close();
          const a0 = performance.now();
          await (await fetch(`${server.url}/api/review/matrix`)).json();
          apiMs.push(performance.now() - a0);
          const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
          const start = performance.now();
          await page.goto(`${server.url}/review`, { waitUntil: 'commit' });
          await page.waitForSelector('body[data-loaded="true"]');
          const renderedMs = performance.now() - start;
          // Loaded: every thumbnail in the viewport decoded (off-screen ones are lazy and load on scroll).
          await page.waitForFunction(() => [...document.images].filter((i) => { const r = i.getBoundingClientRect(); return r.top < innerHeight && r.left < innerWidth; }).every((i) => i.complete && i.naturalWidth > 0), undefined, { polling: 50, timeout: 60_000 });
          const ms = performance.now() - start;
          await page.waitForLoadState('networkidle');
          const m = await page.evaluate(() => {
            const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
            const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
            return { bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0), heap: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0, images: res.filter((r) => r.initiatorType === 'img').length, cells: Number(document.body.dataset.cells) };
          });
          if (m.cells !== ROWS * RUNS) throw new Error(`the page rendered ${m.cells} cells, expected ${ROWS * RUNS}`);
          loads.push({ ms, renderedMs, bytes: m.bytes, heapMB: m.heap / 2 ** 20, images: m.images });
          await page.context().close();
        }
      } finally {
        await server.close();
        await empty.close();
      }
      const reviewDir = path.join(dir, 'review');
      const outputBytes = dirBytes(reviewDir, (n) => n.startsWith('outputs/'));
      const thumbBytes = dirBytes(reviewDir, (n) => n.startsWith('thumbs/'));
      const med = median(loads.map((l) => l.ms));
      const bytes = median(loads.map((l) => l.bytes));
      return {
        measures: 'Navigation to /review until the 500-cell matrix is rendered and every thumbnail in the viewport is decoded (matrixRenderedMs: the table alone), in a fresh Chromium context each load; bytes transferred by the page once the network is idle.',
        unit: 'ms, bytes',
        values: {
          loadMs: summarize(loads.map((l) => l.ms), 0),
          matrixRenderedMs: summarize(loads.map((l) => l.renderedMs), 0),
          matrixApiMs: summarize(apiMs, 0),
          emptyPageMs: summarize(emptyMs, 0),
          transferredBytes: Math.round(bytes),
          transferredKB: round(bytes / 1024, 1),
          thumbnailsFetched: median(loads.map((l) => l.images)),
          jsHeapMB: round(median(loads.map((l) => l.heapMB)), 1),
          allThumbnailsOnDiskMB: round(thumbBytes / 2 ** 20, 2),
          outputsOnDiskMB: round(outputBytes / 2 ** 20, 1),
          thumbnailsPerCellMs: round((saveSec * 1000) / ROWS, 0),
        },
        comparedTo: `the same page with no run (emptyPageMs: a fresh Chromium context, the shell and its script) and the outputs themselves: ${round(outputBytes / 2 ** 20, 1)} MB for the same 500 cells (what a viewer embedding outputs moves); budget ${LOAD_BUDGET_MS} ms`,
        goal: `median load ≤ ${LOAD_BUDGET_MS} ms and transferred bytes ≤ 1 % of the outputs' bytes`,
        met: med <= LOAD_BUDGET_MS && bytes <= outputBytes * 0.01,
        setup: { rows: ROWS, runs: RUNS, cells: ROWS * RUNS, viewport: '1400×1000', loads: loads.length, thumbnail: '≤160 px WebP q60, first/middle/last frame for videos, loading=lazy' },
        notes: [
          'Thumbnails are made when a run is saved (thumbnailsPerCellMs: the saved run\'s 25 cells, a third of them MP4 or animated WebP with three frames each) and served from disk with an immutable cache header; off-screen ones load when scrolled to (loading=lazy).',
          'The other 19 runs are copies of the first with their own reports: the page cannot tell, and the load is what is measured.',
        ],
      };
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

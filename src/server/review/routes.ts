/**
 * The review matrix's HTTP side, mounted by `genprobe serve` behind its auth:
 *   GET  /review                              the page (static shell + script, strict CSP)
 *   GET  /api/review/matrix                   rows × runs, judged with today's waivers
 *   GET  /review/thumb/<run>/<id>/<n>.webp    a thumbnail, from disk (made once: when the run was saved, or on first request)
 *   GET  /review/output/<run>/<id>            the output itself, for the preview on click
 *   POST /api/review/accept {run, endpoint, reason, expires?}   waive the cell's failing checks (src/waivers/write.ts, as `genprobe waive`)
 *   POST /api/review/golden {run, endpoint}   make a passing image output the golden of the drift check
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import type { Waiver } from '../../report/types.ts';
import { loadWaivers } from '../../waivers/index.ts';
import { appendWaivers, expiryInDays } from '../../waivers/write.ts';
import { jsonBodyParser, parseJsonBody } from '../json-body.ts';
import { pageCsp, pageHtml } from '../page-shell.ts';
import { buildMatrix, rejudge } from './matrix.ts';
import { isSafeName, MEDIA_TYPE, ReviewStore } from './store.ts';
import { makeThumbs } from './thumbs.ts';

export interface ReviewOptions {
  store: ReviewStore;
  waiversFile: string;
  goldenDir: string;
  log?: (line: Record<string, unknown>) => void;
}

const PAGE_CSP = pageCsp({ media: true });
const ASSETS = new URL('./page/', import.meta.url);
const asset = (name: string) => readFileSync(fileURLToPath(new URL(name, ASSETS)));

const cellSchema = z.object({ run: z.string().refine(isSafeName), endpoint: z.string().refine(isSafeName) });
const acceptSchema = cellSchema.extend({ reason: z.string().trim().min(10, 'say why the defect is accepted (10+ characters)').max(500), expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }).strict();
const goldenSchema = cellSchema.strict();

export function registerReview(app: Express, opts: ReviewOptions): void {
  const { store } = opts;
  const page = { html: pageHtml({ title: 'genprobe review', stylesheet: '/review/review.css', script: '/review/review.js', body: new URL('review.body.html', ASSETS) }), js: asset('review.js'), css: asset('review.css') };
  const json = jsonBodyParser();
  const waivers = (): Waiver[] => loadWaivers(opts.waiversFile);
  const sendAsset = (type: string, body: Buffer) => (_req: Request, res: Response) => {
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(body);
  };
  app.get('/review', sendAsset('text/html; charset=utf-8', page.html));
  app.get('/review/review.js', sendAsset('text/javascript; charset=utf-8', page.js));
  app.get('/review/review.css', sendAsset('text/css; charset=utf-8', page.css));

  app.get('/api/review/matrix', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(buildMatrix(store, waivers()));
  });

  app.get('/review/thumb/:run/:id/:n.webp', async (req, res, next) => {
    try {
      const { run, id } = req.params;
      const n = Number(req.params.n);
      if (!isSafeName(run) || !isSafeName(id) || !Number.isInteger(n) || n < 0 || n > 2) return void res.status(404).end();
      const file = store.thumbPath(run, id, n);
      if (!existsSync(file)) {
        // Made once: a run saved without thumbnails gets them on first request, kept on disk.
        const out = existsSync(store.runDir(run)) ? store.endpoint(run, id).output : undefined;
        if (!out) return void res.status(404).end();
        const thumbs = await makeThumbs(readFileSync(store.outputPath(run, out)), out.sniffedType);
        thumbs.forEach((t, i) => writeFileSync(store.thumbPath(run, id, i), t));
        if (!thumbs[n]) return void res.status(404).end();
      }
      res.setHeader('Content-Type', 'image/webp');
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.send(readFileSync(file));
    } catch (err) {
      next(err);
    }
  });

  app.get('/review/output/:run/:id', (req, res) => {
    const { run, id } = req.params;
    if (!isSafeName(run) || !isSafeName(id) || !existsSync(store.runDir(run))) return void res.status(404).end();
    const out = store.endpoint(run, id).output;
    if (!out) return void res.status(404).end();
    res.setHeader('Content-Type', MEDIA_TYPE[out.file.split('.').pop()!] ?? 'application/octet-stream');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.sendFile(store.outputPath(run, out));
  });

  app.post('/api/review/accept', json, (req, res) => accept(opts, waivers, req, res));
  app.post('/api/review/golden', json, (req, res) => makeGolden(opts, waivers, req, res));
}

/** Accept a failing cell: one waiver per unwaived failing check, written as `genprobe waive` writes them. */
function accept(opts: ReviewOptions, waivers: () => Waiver[], req: Request, res: Response): void {
  const { store } = opts;
  const body = parseJsonBody(acceptSchema, req, res);
  if (!body) return;
  const found = existsSync(store.runDir(body.run)) ? store.endpoint(body.run, body.endpoint) : undefined;
  if (!found?.report) return void res.status(404).json({ error: 'no such cell' });
  const judged = rejudge(found.report, waivers(), found.index.target);
  const failing = judged.cases.flatMap((c) => c.checks).filter((c) => c.verdict === 'fail' && !c.waived);
  if (!failing.length) return void res.status(409).json({ error: 'the cell has no unwaived failure to accept' });
  const expires = body.expires ?? expiryInDays(30);
  const add: Waiver[] = failing.map((c) => ({ endpoint: body.endpoint, check: c.check, ...(c.finding ? { finding: { code: c.finding.code, ...(c.finding.params ? { params: c.finding.params } : {}) } } : {}), reason: body.reason, expires }));
  try {
    const added = appendWaivers(opts.waiversFile, add);
    opts.log?.({ event: 'review-accept', run: body.run, endpoint: body.endpoint, waivers: added.length });
    res.status(201).json({ added, file: opts.waiversFile });
  } catch (err) {
    res.status(400).json({ error: (err as Error).message.slice(0, 500) });
  }
}

/** Make a passing still image the golden of the drift check. */
function makeGolden(opts: ReviewOptions, waivers: () => Waiver[], req: Request, res: Response): void {
  const { store } = opts;
  const body = parseJsonBody(goldenSchema, req, res);
  if (!body) return;
  const found = existsSync(store.runDir(body.run)) ? store.endpoint(body.run, body.endpoint) : undefined;
  if (!found?.report || !found.output) return void res.status(404).json({ error: 'no such cell or no output' });
  if (!['png', 'jpeg'].includes(found.output.sniffedType)) return void res.status(409).json({ error: 'the drift check compares still images (PNG/JPEG) only' });
  if (rejudge(found.report, waivers(), found.index.target).verdict === 'fail') return void res.status(409).json({ error: 'only a passing output can become the golden' });
  mkdirSync(opts.goldenDir, { recursive: true });
  // The layout `gate --update-golden` writes: <goldenDir>/<id>.png holding the output's bytes.
  const file = path.join(opts.goldenDir, `${body.endpoint}.png`);
  writeFileSync(file, readFileSync(store.outputPath(body.run, found.output)));
  opts.log?.({ event: 'review-golden', run: body.run, endpoint: body.endpoint });
  res.status(201).json({ golden: file });
}

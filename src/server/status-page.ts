/**
 * The status page at `GET /` of `genprobe serve`: a grid of endpoint cards (verdict, latency against
 * budget with cold/warm, last output thumbnail, face crops with the match %, a latency sparkline),
 * the Modal/ComfyUI usage split and the budget state.
 *
 * Security model: everything an endpoint sends back (error bodies, messages) is untrusted. The HTML
 * shell (./page-shell.ts, shared with the review matrix) is static and carries no data; the served
 * script (/status/app.js) fetches /api/status and builds the DOM with textContent/setAttribute only,
 * under the shell's strict Content-Security-Policy. No CDN: every asset is served from here. The routes sit behind the server's auth like /api/status.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Express, Request, Response } from 'express';
import sharp from 'sharp';
import { CATALOG, latencyBudget } from '../catalog/index.ts';
import type { EndpointEntry } from '../catalog/types.ts';
import { healthLatencyBudget } from '../probes/probe-runner.ts';
import type { EndpointStatus, StatusSource } from '../probes/status.ts';
import { pageCsp, pageHtml } from './page-shell.ts';

/** Longest side of a thumbnail, px. */
export const THUMB_PX = 320;
/** Side of a face crop, px. */
export const FACE_CROP_PX = 160;
/** Output bigger than this is not decoded for a thumbnail (decompression-bomb guard). */
const MAX_THUMB_INPUT_PIXELS = 40_000_000;

export const CONTENT_SECURITY_POLICY = pageCsp();

const ASSET_DIR = new URL('./status-page/', import.meta.url);

interface Asset {
  type: string;
  body: Buffer;
}

function loadAsset(name: string, type: string): Asset {
  return { type, body: readFileSync(fileURLToPath(new URL(name, ASSET_DIR))) };
}

/** Static facts the page needs per endpoint that /api/status does not carry (budgets, face routes). */
export function endpointMeta(entries: readonly EndpointEntry[] = CATALOG) {
  return entries.map((e) => {
    const contract = latencyBudget(e);
    const health = healthLatencyBudget(e.app);
    return {
      id: e.id,
      title: e.title,
      method: e.method,
      path: e.path,
      output: e.output.kind,
      face: e.face ? { mode: e.face.mode, passPct: e.face.target[0] } : null,
      budgetSec: {
        health: { warm: health.warmSec, cold: health.coldSec },
        contract: { warm: contract.warmSec, cold: contract.coldSec },
      },
    };
  });
}

/** First frame of the last output as PNG/JPEG bytes sharp can read, or undefined for non-visual output. */
export async function firstFrame(body: Buffer, sniffedType: string): Promise<Buffer | undefined> {
  switch (sniffedType) {
    case 'png':
    case 'jpeg':
    case 'webp':
    case 'gif':
      return body;
    case 'webp-animated': {
      // sharp reads page 0 of an animation by default.
      return sharp(body, { page: 0, limitInputPixels: MAX_THUMB_INPUT_PIXELS }).png().toBuffer();
    }
    case 'mp4': {
      const { extractFrames } = await import('../media/frames.ts');
      const [frame] = await extractFrames(body, 'mp4', { max: 1, timeoutMs: 20_000, maxPixels: MAX_THUMB_INPUT_PIXELS });
      return frame;
    }
    default:
      return undefined;
  }
}

export async function thumbnail(frame: Buffer): Promise<Buffer> {
  return sharp(frame, { limitInputPixels: MAX_THUMB_INPUT_PIXELS })
    .rotate()
    .resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer();
}

export interface CropBox {
  left: number;
  top: number;
  side: number;
}

/** The largest centred square of a width×height image (used when no face box is available). */
export function centreSquare(width: number, height: number): CropBox {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side };
}

/** A square around a face box, grown by `margin` of its size on each side, clamped to the image. */
export function squareAroundBox(box: { x: number; y: number; width: number; height: number }, width: number, height: number, margin = 0.35): CropBox {
  const side0 = Math.max(box.width, box.height) * (1 + 2 * margin);
  const side = Math.max(1, Math.min(Math.round(side0), width, height));
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const left = Math.round(Math.min(Math.max(cx - side / 2, 0), width - side));
  const top = Math.round(Math.min(Math.max(cy - side / 2, 0), height - side));
  return { left, top, side };
}

/**
 * A square face crop: around the largest face Human detects (the one the identity check compares),
 * or the centred square when detection finds nothing or cannot run.
 */
export async function faceCrop(frame: Buffer): Promise<{ jpeg: Buffer; detected: boolean }> {
  // Upright (EXIF applied) PNG, so the detector's coordinates and the crop's agree.
  const { data: upright, info } = await sharp(frame, { limitInputPixels: MAX_THUMB_INPUT_PIXELS }).rotate().png().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  let crop = centreSquare(width, height);
  let detected = false;
  try {
    const { decodeRgb, detectFaces } = await import('../face/detect.ts');
    const faces = await detectFaces(await decodeRgb(upright), false);
    if (faces[0]) {
      crop = squareAroundBox(faces[0].box, width, height);
      detected = true;
    }
  } catch {
    // No detector (or it failed on this frame): the centred square is the documented fallback.
  }
  const jpeg = await sharp(upright)
    .extract({ left: crop.left, top: crop.top, width: crop.side, height: crop.side })
    .resize(FACE_CROP_PX, FACE_CROP_PX)
    .jpeg({ quality: 85 })
    .toBuffer();
  return { jpeg, detected };
}

type ImageKind = 'thumb' | 'face-output' | 'face-reference';

interface Cached {
  /** Version of the source bytes (output time; reference length for references). */
  version: string;
  jpeg: Promise<Buffer | undefined>;
}

/** Renders images once per source version; a new probe output replaces the cached entry. */
class ImageCache {
  readonly #entries = new Map<string, Cached>();

  get(key: string, version: string, render: () => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
    const hit = this.#entries.get(key);
    if (hit && hit.version === version) return hit.jpeg;
    const jpeg = render();
    this.#entries.set(key, { version, jpeg });
    // A failed render is not cached: the next request tries again.
    jpeg.catch(() => {
      if (this.#entries.get(key)?.jpeg === jpeg) this.#entries.delete(key);
    });
    return jpeg;
  }
}

/** Serialises face detection: one wasm model instance, and the box has two cores. */
let faceQueue: Promise<unknown> = Promise.resolve();
function queued<T>(fn: () => Promise<T>): Promise<T> {
  const run = faceQueue.then(fn, fn);
  faceQueue = run.catch(() => undefined);
  return run;
}

function imageFor(kind: ImageKind, s: EndpointStatus, cache: ImageCache): Promise<Buffer | undefined> | undefined {
  if (kind === 'face-reference') {
    const ref = s.reference;
    if (!ref) return undefined;
    return cache.get(`${kind}:${s.endpoint}`, String(ref.length), () => queued(async () => (await faceCrop(ref)).jpeg));
  }
  const out = s.lastOutput;
  if (!out) return undefined;
  return cache.get(`${kind}:${s.endpoint}`, String(out.at), async () => {
    const frame = await firstFrame(out.body, out.sniffedType);
    if (!frame) return undefined;
    return kind === 'thumb' ? thumbnail(frame) : queued(async () => (await faceCrop(frame)).jpeg);
  });
}

function sendAsset(res: Response, asset: Asset): void {
  res.setHeader('Content-Type', asset.type);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.send(asset.body);
}

export function registerStatusPage(app: Express, statusSource: StatusSource): void {
  const html: Asset = { type: 'text/html; charset=utf-8', body: pageHtml({ title: 'genprobe status', stylesheet: '/status/app.css', script: '/status/app.js', body: new URL('index.body.html', ASSET_DIR) }) };
  const js = loadAsset('app.js', 'text/javascript; charset=utf-8');
  const css = loadAsset('app.css', 'text/css; charset=utf-8');
  const meta = JSON.stringify({ endpoints: endpointMeta() });
  const cache = new ImageCache();

  const securityHeaders = (res: Response) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
  };

  app.get('/', (_req, res) => {
    securityHeaders(res);
    sendAsset(res, html);
  });
  app.get('/status/app.js', (_req, res) => sendAsset(res, js));
  app.get('/status/app.css', (_req, res) => sendAsset(res, css));
  app.get('/status/meta.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(meta);
  });

  const image = (kind: ImageKind) => async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const s = statusSource.endpoint(id);
    if (!s) return void res.status(404).json({ error: 'unknown endpoint' });
    let jpeg: Buffer | undefined;
    try {
      jpeg = await imageFor(kind, s, cache);
    } catch (err) {
      // The message comes from decoders, not from the endpoint's body; still keep it short.
      return void res.status(422).json({ error: 'could not render image', message: String((err as Error)?.message ?? err).slice(0, 200) });
    }
    if (!jpeg) return void res.status(404).json({ error: 'no image for this endpoint yet' });
    res.setHeader('Content-Type', 'image/jpeg');
    res.setHeader('Cache-Control', 'private, max-age=60');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(jpeg);
  };
  app.get('/status/thumb/:id', image('thumb'));
  app.get('/status/face/:id/output', image('face-output'));
  app.get('/status/face/:id/reference', image('face-reference'));
}

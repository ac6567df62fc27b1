/**
 * Warm-up before an expensive probe: GET /health on the endpoint's app and on every app it delegates
 * to (the wan faceswap routes call ryla-qwen-image's /batch-video-faceswap, contracts.md §2.2).
 * /health is static JSON, but on a cold app it blocks through @modal.enter (§2.7), so it both starts
 * the container and measures how long that took. The warmer also remembers when genprobe last used
 * each app, which the cold/warm classifier compares with the scaledown window.
 */
import { APPS } from '../catalog/apps.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import type { ModalClient } from '../client/index.ts';
import type { CallResult } from '../client/types.ts';
import type { Semaphore } from '../runner/semaphore.ts';
import { appsToWarmFor, warmUpDeadlineMs } from '../runner/warm-up.ts';
import { classifyWarmUp, type ClassifiedStart } from './cold-start.ts';


export interface WarmUpResult {
  app: AppName;
  /** 200 and a body naming the app. */
  ok: boolean;
  status: number | null;
  durationMs: number;
  start: ClassifiedStart;
  reason: string;
  /** What went wrong when not ok (status, Modal's edge message, timeout) — no URLs with secrets. */
  error?: string;
  /** Unix ms when the warm-up was sent. */
  startedAt: number;
  call: CallResult;
}

export interface WarmerOptions {
  client: ModalClient;
  timeScale: number;
  overheadMs: number;
  /** Per-app input limit (max_inputs): a warm-up occupies an input slot like any request. */
  appLimit?: (app: string) => Semaphore;
  now?: () => number;
}

function healthBodyError(app: AppName, call: CallResult): string | undefined {
  if (call.status !== 200) return call.failure ? `${call.failure.class}: ${call.failure.message}` : `GET /health answered ${call.status ?? 'nothing'}`;
  const expected = APPS[app].health ?? {};
  let body: unknown;
  try {
    body = JSON.parse(call.body.toString('utf8'));
  } catch {
    return 'GET /health body is not JSON';
  }
  for (const [k, v] of Object.entries(expected)) {
    if ((body as Record<string, unknown>)?.[k] !== v) return `GET /health body ${k} is not ${JSON.stringify(v)}`;
  }
  return undefined;
}

export class Warmer {
  readonly #client: ModalClient;
  readonly #timeScale: number;
  readonly #overheadMs: number;
  readonly #appLimit?: (app: string) => Semaphore;
  readonly #now: () => number;
  readonly #lastUsed = new Map<string, number>();
  /** Concurrent probes of one app share its warm-up instead of sending two. */
  readonly #inFlight = new Map<string, Promise<WarmUpResult>>();

  constructor(opts: WarmerOptions) {
    this.#client = opts.client;
    this.#timeScale = opts.timeScale;
    this.#overheadMs = opts.overheadMs;
    this.#appLimit = opts.appLimit;
    this.#now = opts.now ?? Date.now;
  }

  /** Unix ms genprobe last sent anything to the app, or undefined. */
  lastUsed(app: string): number | undefined {
    return this.#lastUsed.get(app);
  }

  /** ms since genprobe last used the app, or null when it never has. */
  idleMs(app: string): number | null {
    const t = this.#lastUsed.get(app);
    return t === undefined ? null : Math.max(0, this.#now() - t);
  }

  markUsed(app: string, at = this.#now()): void {
    this.#lastUsed.set(app, Math.max(at, this.#lastUsed.get(app) ?? 0));
  }

  /** The app's scaledown window and documented container start at the target's time scale, ms. */
  scaled(app: AppName): { scaledownWindowMs: number; coldStartMs: number } {
    return { scaledownWindowMs: APPS[app].scaledownWindowSec * 1000 * this.#timeScale, coldStartMs: APPS[app].coldStartSec * 1000 * this.#timeScale };
  }

  /** Warm every app concurrently; one result per app. Never rejects for a failing app. */
  warm(apps: readonly AppName[]): Promise<WarmUpResult[]> {
    return Promise.all(apps.map((app) => this.#warmShared(app)));
  }

  #warmShared(app: AppName): Promise<WarmUpResult> {
    const running = this.#inFlight.get(app);
    if (running) return running;
    const p = this.#warmOne(app).finally(() => this.#inFlight.delete(app));
    this.#inFlight.set(app, p);
    return p;
  }

  async #warmOne(app: AppName): Promise<WarmUpResult> {
    const idleMs = this.idleMs(app);
    const startedAt = this.#now();
    const send = () => this.#client.health(app, warmUpDeadlineMs(app, this.#timeScale, this.#overheadMs));
    const call = this.#appLimit ? await this.#appLimit(app).run(send) : await send();
    this.markUsed(app);
    const error = healthBodyError(app, call);
    const { start, reason } = classifyWarmUp({ durationMs: call.totalMs, idleMs, ...this.scaled(app) });
    return { app, ok: !error, status: call.status, durationMs: call.totalMs, start, reason, error: error && this.#client.redact(error), startedAt, call };
  }
}

/**
 * Warm-up before an expensive probe: GET /health on the endpoint's app and on every app it delegates
 * to (the wan faceswap routes call ryla-qwen-image's /batch-video-faceswap, docs/fleet.md §2.2).
 * /health is static JSON, but on a cold app it blocks through @modal.enter (§2.7), so it both starts
 * the container and measures how long that took. The warmer also remembers when genprobe last used
 * each app, which the cold/warm classifier compares with the scaledown window.
 */
import { APPS } from '../catalog/apps.ts';
import type { AppName } from '../catalog/types.ts';
import type { ModalClient } from '../client/index.ts';
import type { CallResult } from '../client/types.ts';
import type { Semaphore } from '../runner/semaphore.ts';
import { warmUpDeadlineMs, warmUpProblem } from '../runner/warm-up.ts';
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
  /** ms it waited for the app's lane first (genprobe's own calls to the app), not in durationMs. */
  queueMs: number;
  /** The caller's patience ran out before the lane was free: nothing was sent. */
  notSent?: boolean;
  call: CallResult;
}

export interface WarmerOptions {
  client: ModalClient;
  timeScale: number;
  overheadMs: number;
  /**
   * genprobe's lane per app: a warm-up is a request like any other and, on a fleet container that
   * runs one job at a time, would queue behind genprobe's own call there.
   */
  appLimit?: (app: string) => Semaphore;
  /** Every wait for a lane (metrics). */
  onSlotWait?: (app: string, waitedMs: number, timedOut: boolean) => void;
  now?: () => number;
}

export class Warmer {
  readonly #client: ModalClient;
  readonly #timeScale: number;
  readonly #overheadMs: number;
  readonly #appLimit?: (app: string) => Semaphore;
  readonly #onSlotWait?: (app: string, waitedMs: number, timedOut: boolean) => void;
  readonly #now: () => number;
  readonly #lastUsed = new Map<string, number>();
  /** Concurrent probes of one app share its warm-up instead of sending two. */
  readonly #inFlight = new Map<string, Promise<WarmUpResult>>();

  constructor(opts: WarmerOptions) {
    this.#client = opts.client;
    this.#timeScale = opts.timeScale;
    this.#overheadMs = opts.overheadMs;
    this.#appLimit = opts.appLimit;
    this.#onSlotWait = opts.onSlotWait;
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

  /**
   * Warm every app concurrently; one result per app. Never rejects for a failing app. A warm-up
   * waits for its app's lane at most `patienceMs` (default: its own deadline), then is not sent.
   */
  warm(apps: readonly AppName[], opts: { patienceMs?: number } = {}): Promise<WarmUpResult[]> {
    return Promise.all(apps.map((app) => this.#warmShared(app, opts.patienceMs)));
  }

  #warmShared(app: AppName, patienceMs: number | undefined): Promise<WarmUpResult> {
    const running = this.#inFlight.get(app);
    if (running) return running;
    const p = this.#warmOne(app, patienceMs).finally(() => this.#inFlight.delete(app));
    this.#inFlight.set(app, p);
    return p;
  }

  async #warmOne(app: AppName, patienceMs: number | undefined): Promise<WarmUpResult> {
    const idleMs = this.idleMs(app);
    const deadline = warmUpDeadlineMs(app, this.#timeScale, this.#overheadMs);
    const t0 = performance.now();
    const release = this.#appLimit ? await this.#appLimit(app).acquireWithin({ timeoutMs: patienceMs ?? deadline }) : () => undefined;
    const queueMs = performance.now() - t0;
    if (this.#appLimit) this.#onSlotWait?.(app, queueMs, !release);
    const startedAt = this.#now();
    if (!release) return this.#notSent(app, queueMs, startedAt);
    let call: CallResult;
    try {
      call = await this.#client.health(app, deadline);
    } finally {
      release();
    }
    this.markUsed(app);
    const error = warmUpProblem(app, call);
    const { start, reason } = classifyWarmUp({ durationMs: call.totalMs, idleMs, ...this.scaled(app) });
    return { app, ok: !error, status: call.status, durationMs: call.totalMs, start, reason, error: error && this.#client.redact(error), startedAt, queueMs, call };
  }

  #notSent(app: AppName, queueMs: number, startedAt: number): WarmUpResult {
    const error = `not sent: no free slot on ${app} within ${(queueMs / 1000).toFixed(1)} s (genprobe's own calls to it hold its lane)`;
    const call: CallResult = { status: null, headers: {}, body: Buffer.alloc(0), declaredType: null, sniffedType: 'empty', hops: [], totalMs: 0, ttfbMs: null, failure: { class: 'timeout', message: error } };
    // start is moot: a probe whose warm-up was not sent is skipped, nothing about the app is recorded.
    return { app, ok: false, status: null, durationMs: 0, start: 'cold', reason: 'not sent', error, startedAt, queueMs, notSent: true, call };
  }
}

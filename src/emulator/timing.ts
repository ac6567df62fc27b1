/**
 * Time on the emulated fleet. Every duration is given in fleet seconds (contracts.md §4 doc
 * times, §2.7 cold starts, Modal's 150 s HTTP limit) and multiplied by `timeScale` for the wall
 * clock, so 0.01 turns a 425 s call into 4.25 s.
 *
 * One container per app (what the fleet's traffic needs): it starts cold, pays `coldStartSec`
 * on the first request (every request that arrives meanwhile waits for the same start, even
 * /health and validation errors, contracts.md §0.10), serves `maxInputs` requests at once
 * (excess requests queue) and scales to zero after `scaledownWindowSec` without requests.
 */
import { performance } from 'node:perf_hooks';
import type { AppSpec } from './fleet.ts';

export interface TimingOptions {
  timeScale: number;
  /** Idle seconds (fleet time) before the container stops; the fleet uses 300. */
  scaledownWindowSec: number;
  /** false: containers are always warm. */
  coldStart: boolean;
}

export const nowMs = (): number => performance.now();

/**
 * At least `ms` of wall time. setTimeout can fire up to a millisecond early against
 * performance.now() (libuv rounds its clock), and a modelled 1800 s timeout must not end at 1799.
 */
export async function sleepMs(ms: number): Promise<void> {
  const end = nowMs() + ms;
  for (let left = ms; left > 0; left = end - nowMs()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}

/** Wall-clock ms for `sec` fleet seconds. */
export function scaledMs(sec: number, timeScale: number): number {
  return sec * timeScale * 1000;
}

export type ContainerState = 'cold' | 'starting' | 'warm';

export interface AppRuntimeSnapshot {
  app: string;
  deployed: boolean;
  container: ContainerState;
  /** Requests inside the container (queued, cold-starting or running). */
  inFlight: number;
  running: number;
  queued: number;
  maxInputs: number;
  coldStarts: number;
  /** Fleet seconds since the container last became idle (null while busy or never used). */
  idleSec: number | null;
}

export class AppRuntime {
  private state: ContainerState = 'cold';
  private starting: Promise<void> | null = null;
  private inFlight = 0;
  private running = 0;
  private readonly waiters: (() => void)[] = [];
  private idleSince: number | null = null;
  private coldStarts = 0;
  private generation = 0;

  constructor(
    readonly spec: AppSpec,
    private readonly opts: TimingOptions,
  ) {
    if (!opts.coldStart) this.state = 'warm';
  }

  private windowMs(): number {
    return scaledMs(this.opts.scaledownWindowSec, this.opts.timeScale);
  }

  /** Applies scale-to-zero lazily: a warm, idle container past the window is gone. */
  private refresh(now = nowMs()): void {
    if (!this.opts.coldStart) return;
    if (this.state === 'warm' && this.inFlight === 0 && this.idleSince !== null && now - this.idleSince >= this.windowMs()) {
      this.state = 'cold';
    }
  }

  /** Marks a request entering the container; pair with `leave()`. */
  enter(): void {
    this.refresh();
    this.inFlight++;
    this.idleSince = null;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) this.idleSince = nowMs();
  }

  /** Waits for a warm container; returns the wall ms spent waiting for the cold start. */
  async ensureWarm(): Promise<{ waitedMs: number; coldStart: boolean }> {
    if (this.state === 'warm') return { waitedMs: 0, coldStart: false };
    const t0 = nowMs();
    if (this.state === 'cold') {
      this.state = 'starting';
      this.coldStarts++;
      const gen = ++this.generation;
      this.starting = sleepMs(scaledMs(this.spec.coldStartSec, this.opts.timeScale)).then(() => {
        if (this.generation === gen && this.state === 'starting') this.state = 'warm';
      });
    }
    await this.starting;
    return { waitedMs: nowMs() - t0, coldStart: true };
  }

  /** Takes one of `maxInputs` slots; returns wall ms spent queueing. */
  async acquire(): Promise<number> {
    const t0 = nowMs();
    while (this.running >= this.spec.maxInputs) await new Promise<void>((r) => this.waiters.push(r));
    this.running++;
    return nowMs() - t0;
  }

  release(): void {
    this.running = Math.max(0, this.running - 1);
    this.waiters.shift()?.();
  }

  /** Forces the next request to pay a cold start (control API, tests). */
  scaleDown(): void {
    if (!this.opts.coldStart) return;
    this.generation++;
    this.state = 'cold';
    this.starting = null;
  }

  reset(): void {
    this.scaleDown();
    if (!this.opts.coldStart) this.state = 'warm';
    this.coldStarts = 0;
    this.idleSince = null;
  }

  snapshot(): AppRuntimeSnapshot {
    const now = nowMs();
    this.refresh(now);
    return {
      app: this.spec.name,
      deployed: this.spec.deployed,
      container: this.state,
      inFlight: this.inFlight,
      running: this.running,
      queued: this.waiters.length,
      maxInputs: this.spec.maxInputs,
      coldStarts: this.coldStarts,
      idleSec: this.idleSince === null ? null : (now - this.idleSince) / 1000 / this.opts.timeScale,
    };
  }
}

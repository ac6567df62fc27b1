/**
 * Time on the emulated fleet. Every duration is given in fleet seconds (docs/fleet.md §4 doc
 * times, §2.7 cold starts, Modal's 150 s HTTP limit) and multiplied by `timeScale` for the wall
 * clock, so 0.01 turns a 425 s call into 4.25 s.
 *
 * Each app is a pool of containers, as Modal runs a function:
 * - a container holds at most `maxInputs` requests (`@modal.concurrent(max_inputs=5)`, 3 on
 *   ryla-wan22-i2v: jatidevelopments/ryla@57209b5:apps/modal/apps/flux/app.py:54,
 *   apps/modal/apps/wan22-i2v/app.py:61); a request goes to the least-loaded container that has
 *   room, and Modal starts another container only when every container holds `maxInputs`
 *   ("the autoscaler will spin up new containers when there is no capacity available for new
 *   inputs", Modal's scaling guide);
 * - a new container pays `coldStartSec` first; every request assigned to it waits for that start,
 *   /health and validation errors included (docs/fleet.md §0.10);
 * - serial (the default, and the fleet as built): a container executes ONE request at a time and
 *   the others it holds wait in FIFO order. The handlers are `async def` but call blocking code on
 *   the event loop — `requests` + `time.sleep` polling ComfyUI
 *   (jatidevelopments/ryla@57209b5:apps/modal/handlers/flux.py:455-457 calling
 *   apps/modal/utils/comfyui.py:255-545) — so while one job polls, /health and fast 4xx answers
 *   queue behind it. `serial: false` runs `maxInputs` requests at once (truly async handlers);
 * - an idle container stops after `scaledownWindowSec` without requests.
 */
import { performance } from 'node:perf_hooks';
import type { AppSpec } from './fleet/index.ts';

export interface TimingOptions {
  timeScale: number;
  /** Idle seconds (fleet time) before a container stops; the fleet uses 300. */
  scaledownWindowSec: number;
  /** false: containers start warm, instantly. */
  coldStart: boolean;
  /** true (default, the fleet as built): one request executes at a time per container. */
  serial?: boolean;
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

export interface ContainerSnapshot {
  id: number;
  state: 'starting' | 'warm';
  /** Requests assigned to it (waiting for its start, queued or running). */
  held: number;
  running: number;
  queued: number;
}

export interface AppRuntimeSnapshot {
  app: string;
  deployed: boolean;
  /** warm if any container is warm, starting if one is starting, cold when there is none. */
  container: ContainerState;
  containers: ContainerSnapshot[];
  serial: boolean;
  /** Requests inside the app's containers (cold-starting, queued or running). */
  inFlight: number;
  running: number;
  queued: number;
  maxInputs: number;
  /** Container starts so far (the first one and every scale-out). */
  coldStarts: number;
  /** Fleet seconds since the app last became idle (null while busy or never used). */
  idleSec: number | null;
}

class Container {
  state: 'starting' | 'warm' = 'starting';
  starting: Promise<void> = Promise.resolve();
  held = 0;
  running = 0;
  readonly waiters: (() => void)[] = [];
  idleSince: number | null = null;
  constructor(readonly id: number) {}
}

/** One request inside one container: wait for its start, then for its turn, then leave. */
export interface Admission {
  container: number;
  /** Waits for the container to be warm; the wall ms waited and whether a start was paid. */
  ready(): Promise<{ waitedMs: number; coldStart: boolean }>;
  /** Waits for an executor (serial: the container's only one); returns the wall ms queued. */
  run(): Promise<number>;
  /** The request's execution is over: the next queued one may run. */
  done(): void;
  /** The request left the container (frees its input slot). */
  leave(): void;
}

export class AppRuntime {
  private containers: Container[] = [];
  private nextId = 1;
  private coldStarts = 0;
  private idleSince: number | null = null;
  private readonly serial: boolean;

  constructor(
    readonly spec: AppSpec,
    private readonly opts: TimingOptions,
  ) {
    this.serial = opts.serial ?? true;
  }

  private windowMs(): number {
    return scaledMs(this.opts.scaledownWindowSec, this.opts.timeScale);
  }

  /** Applies scale-to-zero lazily: an idle container past the window is gone. */
  private refresh(now = nowMs()): void {
    if (!this.opts.coldStart) return;
    this.containers = this.containers.filter((c) => !(c.state === 'warm' && c.held === 0 && c.idleSince !== null && now - c.idleSince >= this.windowMs()));
  }

  private startContainer(): Container {
    const c = new Container(this.nextId++);
    this.containers.push(c);
    if (!this.opts.coldStart) {
      c.state = 'warm';
      return c;
    }
    this.coldStarts++;
    c.starting = sleepMs(scaledMs(this.spec.coldStartSec, this.opts.timeScale)).then(() => {
      c.state = 'warm';
    });
    return c;
  }

  /** The least-loaded container with room (warm before starting), or a new one. */
  private pick(): Container {
    const open = this.containers.filter((c) => c.held < this.spec.maxInputs);
    open.sort((a, b) => a.held - b.held || (a.state === b.state ? a.id - b.id : a.state === 'warm' ? -1 : 1));
    return open[0] ?? this.startContainer();
  }

  /** A request arrives: Modal assigns it to a container (starting one if all are full). */
  admit(): Admission {
    this.refresh();
    const c = this.pick();
    c.held++;
    c.idleSince = null;
    this.idleSince = null;
    const limit = this.serial ? 1 : this.spec.maxInputs;
    let running = false;
    let left = false;
    return {
      container: c.id,
      ready: async () => {
        if (c.state === 'warm') return { waitedMs: 0, coldStart: false };
        const t0 = nowMs();
        await c.starting;
        return { waitedMs: nowMs() - t0, coldStart: true };
      },
      run: async () => {
        const t0 = nowMs();
        while (c.running >= limit) await new Promise<void>((r) => c.waiters.push(r));
        c.running++;
        running = true;
        return nowMs() - t0;
      },
      done: () => {
        if (!running) return;
        running = false;
        c.running--;
        c.waiters.shift()?.();
      },
      leave: () => {
        if (left) return;
        left = true;
        c.held--;
        if (c.held === 0) c.idleSince = nowMs();
        if (this.containers.every((x) => x.held === 0)) this.idleSince = nowMs();
      },
    };
  }

  /** Stops every container: the next request pays a cold start (control API, tests). Running requests finish. */
  scaleDown(): void {
    if (!this.opts.coldStart) return;
    this.containers = [];
  }

  reset(): void {
    this.containers = [];
    this.coldStarts = 0;
    this.idleSince = null;
  }

  snapshot(): AppRuntimeSnapshot {
    const now = nowMs();
    this.refresh(now);
    const containers = this.containers.map((c) => ({ id: c.id, state: c.state, held: c.held, running: c.running, queued: c.waiters.length }));
    const sum = (f: (c: ContainerSnapshot) => number) => containers.reduce((s, c) => s + f(c), 0);
    return {
      app: this.spec.name,
      deployed: this.spec.deployed,
      container: containers.some((c) => c.state === 'warm') ? 'warm' : containers.length ? 'starting' : 'cold',
      containers,
      serial: this.serial,
      inFlight: sum((c) => c.held),
      running: sum((c) => c.running),
      queued: sum((c) => c.queued),
      maxInputs: this.spec.maxInputs,
      coldStarts: this.coldStarts,
      idleSec: this.idleSince === null ? null : (now - this.idleSince) / 1000 / this.opts.timeScale,
    };
  }
}

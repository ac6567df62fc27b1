/**
 * Cron schedules from config (probes.schedules): each entry matches endpoints by id, by tag
 * (`tag:cheap`) or all live endpoints (`*`), and runs a probe kind on a node-cron expression
 * (5 fields, or 6 with seconds) in the configured timezone. The probe runner enforces the rest
 * (busy endpoints, per-app limits, budget, maintenance), so a tick only fans out.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { CATALOG } from '../catalog/index.ts';
import type { EndpointEntry } from '../catalog/types.ts';
import { ConfigError, type ProbeKind, type ScheduleConfig } from '../config/index.ts';
import type { ProbeOutcome } from './status.ts';

/**
 * Endpoints a schedule's `match` selects: an id exactly, `tag:<t>` every entry with that tag,
 * `*` every live entry (removed and incompatible routes are probed only when named, so a blanket
 * schedule never spends on routes known to be gone). An empty match is a config error.
 */
export function matchEndpoints(match: string, catalog: readonly EndpointEntry[] = CATALOG): EndpointEntry[] {
  if (match === '*') return catalog.filter((e) => e.lifecycle === 'live');
  if (match.startsWith('tag:')) {
    const tag = match.slice(4);
    const found = catalog.filter((e) => e.tags.includes(tag));
    if (!found.length) throw new Error(`no endpoint has tag "${tag}"`);
    return found;
  }
  const entry = catalog.find((e) => e.id === match);
  if (!entry) throw new Error(`no endpoint has id "${match}"`);
  return [entry];
}

export interface ResolvedSchedule {
  index: number;
  cron: string;
  kind: ProbeKind;
  match: string;
  endpoints: EndpointEntry[];
}

/** Resolve every schedule up front so a typo fails at start, naming the schedule's field. */
export function resolveSchedules(schedules: readonly ScheduleConfig[], catalog: readonly EndpointEntry[] = CATALOG): ResolvedSchedule[] {
  return schedules.map((s, index) => {
    if (!cron.validate(s.cron)) throw new ConfigError(`probes.schedules.${index}.cron: "${s.cron}" is not a valid cron expression`);
    try {
      return { index, cron: s.cron, kind: s.kind, match: s.match, endpoints: matchEndpoints(s.match, catalog) };
    } catch (err) {
      throw new ConfigError(`probes.schedules.${index}.match: ${(err as Error).message}`);
    }
  });
}

/** The kinds scheduled per endpoint id (for pre-initialised metrics). */
export function kindsByEndpoint(resolved: readonly ResolvedSchedule[]): Map<string, Set<ProbeKind>> {
  const map = new Map<string, Set<ProbeKind>>();
  for (const s of resolved) for (const e of s.endpoints) (map.get(e.id) ?? map.set(e.id, new Set()).get(e.id)!).add(s.kind);
  return map;
}

export interface SchedulerOptions {
  schedules: readonly ScheduleConfig[];
  timezone: string;
  /**
   * `patienceMs`: how long the probe may wait for its app's slot — until the schedule fires again.
   * `slot`: the schedule firing it belongs to, the same on every runner (coordination's single flight).
   */
  probe: (entry: EndpointEntry, kind: ProbeKind, opts?: { patienceMs?: number; slot?: string }) => Promise<ProbeOutcome>;
  catalog?: readonly EndpointEntry[];
  /** Called after every tick's probes settle (tests wait on it). */
  onTick?: (schedule: ResolvedSchedule, outcomes: ProbeOutcome[]) => void;
  onError?: (err: unknown, schedule: ResolvedSchedule) => void;
}

/**
 * A firing's slot: schedule index and the fire time to the nearest second, the same on every
 * runner whose clock is within half a second (cron fires on whole seconds).
 */
export function slotKey(s: Pick<ResolvedSchedule, 'index' | 'kind'>, firedAtMs: number): string {
  return `${s.index}:${s.kind}@${new Date(Math.round(firedAtMs / 1000) * 1000).toISOString()}`;
}

export class Scheduler {
  readonly schedules: ResolvedSchedule[];
  readonly #opts: SchedulerOptions;
  #tasks: ScheduledTask[] = [];
  readonly #running = new Set<Promise<unknown>>();

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.schedules = resolveSchedules(opts.schedules, opts.catalog);
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: opts.timezone });
    } catch {
      throw new ConfigError(`probes.timezone: "${opts.timezone}" is not a known IANA time zone`);
    }
  }

  get started(): boolean {
    return this.#tasks.length > 0;
  }

  start(): void {
    if (this.started) return;
    this.#tasks = this.schedules.map((s) => {
      const task: ScheduledTask = cron.createTask(s.cron, () => void this.#tick(s, task.msToNext() ?? undefined, slotKey(s, Date.now())), { timezone: this.#opts.timezone, name: `genprobe-${s.index}-${s.kind}` });
      task.start();
      return task;
    });
  }

  /** Fire one schedule now (tests, `genprobe probe --once` reuse the same fan-out). */
  runNow(index: number, opts: { slot?: string; patienceMs?: number } = {}): Promise<ProbeOutcome[]> {
    const s = this.schedules[index];
    if (!s) throw new RangeError(`no schedule ${index}`);
    return this.#tick(s, opts.patienceMs, opts.slot);
  }

  #tick(s: ResolvedSchedule, patienceMs?: number, slot?: string): Promise<ProbeOutcome[]> {
    // Not awaited by node-cron's overlap logic on purpose: per-endpoint "busy" skips are counted
    // by the runner, which is where overlap belongs. A probe still waiting for its app's slot when
    // the schedule fires again gives up (the next tick's probe takes its place).
    const p = Promise.all(s.endpoints.map((e) => this.#opts.probe(e, s.kind, patienceMs === undefined && slot === undefined ? undefined : { patienceMs, slot }))).then(
      (outcomes) => {
        this.#opts.onTick?.(s, outcomes);
        return outcomes;
      },
      (err: unknown) => {
        this.#opts.onError?.(err, s);
        return [] as ProbeOutcome[];
      },
    );
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p));
    return p;
  }

  /** Destroy every cron task; with `drain`, also wait for probes already running. */
  async stop(drain = false): Promise<void> {
    const tasks = this.#tasks;
    this.#tasks = [];
    await Promise.all(tasks.map((t) => t.destroy()));
    if (drain) await Promise.allSettled([...this.#running]);
  }
}

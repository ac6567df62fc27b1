/**
 * The maintenance windows the prober honours right now: the config's (one-off and recurring) and
 * the ones opened at run time over the service's HTTP API (`genprobe maintenance start`), e.g. by a
 * deploy pipeline. Run-time windows live in memory: a restarted service forgets them, and they end
 * on their own at their deadline, so a pipeline that dies mid-deploy cannot silence alerts forever.
 */
import { randomUUID } from 'node:crypto';
import { parseDurationMs } from '../config/duration.ts';
import { windowEnd, type MaintenanceWindow } from '../config/maintenance.ts';

export interface ActiveWindow {
  /** `config:<index>` for configured windows, a random id for run-time ones. */
  id: string;
  source: 'config' | 'api';
  apps: string[] | null;
  reason: string;
  /** Unix ms. */
  start: number | null;
  until: number;
}

export interface OpenWindowRequest {
  apps: string[] | null;
  durationMs: number;
  reason: string;
}

/** Longest window the API opens (a forgotten `maintenance end` must not silence a day of alerts). */
export const MAX_API_WINDOW_MS = 12 * 3_600_000;

export class MaintenanceCalendar {
  readonly #config: readonly MaintenanceWindow[];
  readonly #api = new Map<string, ActiveWindow>();
  readonly #now: () => number;

  constructor(config: readonly MaintenanceWindow[], now: () => number = Date.now) {
    this.#config = config;
    this.#now = now;
  }

  open(req: OpenWindowRequest): ActiveWindow {
    if (!(req.durationMs > 0) || req.durationMs > MAX_API_WINDOW_MS) throw new RangeError(`duration must be between 1 ms and ${MAX_API_WINDOW_MS / 3_600_000} h`);
    if (!req.reason.trim()) throw new RangeError('a maintenance window needs a reason');
    const start = this.#now();
    const w: ActiveWindow = { id: randomUUID(), source: 'api', apps: req.apps && req.apps.length ? [...req.apps] : null, reason: req.reason.trim(), start, until: start + req.durationMs };
    this.#api.set(w.id, w);
    return w;
  }

  /**
   * End run-time windows: the one with this id, or every one covering one of these apps (all of
   * them when apps is null). Configured windows cannot be ended from outside; they end on schedule.
   */
  end(sel: { id?: string; apps?: string[] | null }): ActiveWindow[] {
    this.#expire();
    const ended = [...this.#api.values()].filter((w) => (sel.id ? w.id === sel.id : !sel.apps?.length || w.apps === null || w.apps.some((a) => sel.apps!.includes(a))));
    for (const w of ended) this.#api.delete(w.id);
    return ended;
  }

  /** Every window open now. */
  active(now = this.#now()): ActiveWindow[] {
    this.#expire(now);
    const fromConfig = this.#config.flatMap((w, i): ActiveWindow[] => {
      const until = windowEnd(w, now);
      if (until === undefined) return [];
      const start = 'cron' in w ? until - (parseDurationMs(w.duration) ?? 0) : Date.parse(w.start);
      return [{ id: `config:${i}`, source: 'config', apps: w.apps ?? null, reason: w.reason, start, until }];
    });
    return [...fromConfig, ...this.#api.values()];
  }

  /** The window covering an app now (the one that lasts longest when several do). */
  for(app: string, now = this.#now()): ActiveWindow | undefined {
    return this.active(now)
      .filter((w) => w.apps === null || w.apps.includes(app))
      .sort((a, b) => b.until - a.until)[0];
  }

  #expire(now = this.#now()): void {
    for (const [id, w] of this.#api) if (w.until <= now) this.#api.delete(id);
  }
}

/**
 * The prober's heartbeat: genprobe_last_cycle_timestamp_seconds per schedule, set when a cycle's
 * probes have settled (skips included: a cycle that ran is a heartbeat, whatever it found), and
 * genprobe_cycle_interval_seconds, the longest gap between two starts of the schedule's cron, so
 * the heartbeat alert (dashboards/src/rules.ts) needs no per-deployment threshold. One-shot runs
 * (`genprobe probe --once`) beat as schedule="once" and push it with the rest.
 */
import cron from 'node-cron';
import type { Gauge, Registry } from 'prom-client';
import { METRICS } from '../metrics/names.ts';
import { gaugeFor } from '../metrics/prom.ts';

/** Cron starts sampled to find the longest gap (a weekday-only schedule's weekend gap included). */
const SAMPLED_RUNS = 64;

/** Longest gap between consecutive starts of a cron expression, seconds. */
export function cronIntervalSec(expression: string, timezone: string): number {
  const task = cron.createTask(expression, () => undefined, { timezone });
  try {
    const runs = task.getNextRuns(SAMPLED_RUNS).map((d) => d.getTime());
    let gap = 0;
    for (let i = 1; i < runs.length; i++) gap = Math.max(gap, runs[i] - runs[i - 1]);
    return gap / 1000;
  } finally {
    void task.destroy();
  }
}

export class Heartbeat {
  readonly #last: Gauge<'schedule' | 'kind'>;
  readonly #interval: Gauge<'schedule' | 'kind'>;
  readonly #now: () => number;

  constructor(registry: Registry, now: () => number = Date.now) {
    this.#now = now;
    this.#last = gaugeFor(METRICS.lastCycle, registry);
    this.#interval = gaugeFor(METRICS.cycleInterval, registry);
  }

  /**
   * Declare a schedule: its interval, and now as its last cycle, so a service that never finishes
   * its first cycle fires the heartbeat alert like one whose cycles stopped later.
   */
  declare(schedule: string, kind: string, intervalSec: number | null): void {
    this.#last.set({ schedule, kind }, this.#now() / 1000);
    if (intervalSec !== null) this.#interval.set({ schedule, kind }, intervalSec);
  }

  beat(schedule: string, kind: string, at = this.#now()): void {
    this.#last.set({ schedule, kind }, at / 1000);
  }
}

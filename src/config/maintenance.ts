import { z } from 'zod';
import cron, { type ScheduledTask } from 'node-cron';
import { parseDurationMs } from './duration.ts';

/**
 * Maintenance (deploy) windows, as in Gatus and Uptime Kuma: probes inside one still run and are
 * recorded, but count as maintenance, never as failures. Either one-off (start/end) or recurring:
 * a 5-field cron expression for each start, a duration, and the time zone the cron is read in.
 */
const oneOffSchema = z
  .object({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    apps: z.array(z.string()).optional(),
    reason: z.string().min(1),
  })
  .strict()
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'end must be after start' });

/** Longest recurring window: a window is found by looking back this far for its start. */
export const MAX_RECURRING_MS = 86_400_000;

const recurringSchema = z
  .object({
    cron: z.string().refine((c) => c.trim().split(/\s+/).length === 5 && cron.validate(c), { message: 'must be a valid 5-field cron expression (minute hour day month weekday)' }),
    duration: z.string().refine((d) => (parseDurationMs(d) ?? 0) >= 60_000 && (parseDurationMs(d) ?? Infinity) <= MAX_RECURRING_MS, { message: 'must be a duration from 1m to 24h, e.g. "30m" or "1h30m"' }),
    timezone: z.string().default('UTC').refine(isTimeZone, { message: 'is not a known IANA time zone' }),
    apps: z.array(z.string()).optional(),
    reason: z.string().min(1),
  })
  .strict();

export const maintenanceSchema = z.array(z.union([oneOffSchema, recurringSchema])).default([]);

export type MaintenanceWindow = z.infer<typeof maintenanceSchema>[number];
export type RecurringWindow = z.infer<typeof recurringSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Never-started node-cron tasks used only as matchers (no timer runs), one per cron and zone. */
const matchers = new Map<string, ScheduledTask>();
function matcher(expr: string, timezone: string): ScheduledTask {
  const key = `${expr}\u0000${timezone}`;
  let m = matchers.get(key);
  if (!m) matchers.set(key, (m = cron.createTask(expr, () => undefined, { timezone, name: `genprobe-maintenance-${matchers.size}` })));
  return m;
}

/** The start (unix ms) of the occurrence of a recurring window that contains `now`, if any. */
export function recurringStart(w: RecurringWindow, now: number): number | undefined {
  const duration = parseDurationMs(w.duration) ?? 0;
  const m = matcher(w.cron, w.timezone);
  const minute = Math.floor(now / 60_000) * 60_000;
  // Walk back minute by minute (cron's resolution) for a start no older than the duration.
  for (let t = minute; t > now - duration; t -= 60_000) if (m.match(new Date(t))) return t;
  return undefined;
}

/** When the window containing `now` ends (unix ms), or undefined when `now` is outside it. */
export function windowEnd(w: MaintenanceWindow, now: number): number | undefined {
  if ('cron' in w) {
    const start = recurringStart(w, now);
    return start === undefined ? undefined : start + (parseDurationMs(w.duration) ?? 0);
  }
  return Date.parse(w.start) <= now && now < Date.parse(w.end) ? Date.parse(w.end) : undefined;
}

export function inMaintenance(windows: MaintenanceWindow[], app: string, now = Date.now()): MaintenanceWindow | undefined {
  return windows.find((w) => (!w.apps || w.apps.includes(app)) && windowEnd(w, now) !== undefined);
}

/**
 * The shape of what the usage collector read, and the pure fold from grouped database rows to it.
 * Kept apart from collector.ts so the table formatter and /api/status can use the types without
 * pulling in pg.
 */
import {
  JOB_STATUSES,
  JOB_TYPES,
  PROVIDERS,
  STORED_LABELS,
  isMislabelled,
  type Provider,
  type StoredLabel,
} from './classify.ts';

export type ReadErrorReason = 'connect' | 'timeout' | 'schema' | 'query';
export const READ_ERROR_REASONS: readonly ReadErrorReason[] = ['connect', 'timeout', 'schema', 'query'];

/** One GROUP BY row of the usage query: provider × type × status × stored label. */
export interface UsageGroupRow {
  provider: Provider;
  type: string;
  status: string;
  stored: StoredLabel;
  jobs: number;
  /** Jobs with a measurable duration (see jobDurationSec). */
  timedJobs: number;
  durationSumSec: number;
}

export interface ProviderUsage {
  provider: Provider;
  jobs: number;
  failed: number;
  cancelled: number;
  /** Fraction 0–1 of all jobs in the window; 0 when the window is empty. */
  share: number;
  timedJobs: number;
  durationSumSec: number;
  meanDurationSec: number | null;
  /** Jobs classified as this provider whose stored label says otherwise. */
  mislabelled: number;
}

export interface UsageWindowSnapshot {
  windowSec: number;
  /** Prometheus-style duration used as the `window` label: 1d, 1h, 30m… */
  window: string;
  totals: { jobs: number; failed: number; cancelled: number; mislabelled: number; timedJobs: number; durationSumSec: number };
  /** Every provider, in PROVIDERS order, zeros included. */
  providers: ProviderUsage[];
  /** Non-zero cells only. */
  jobs: Array<{ provider: Provider; type: string; status: string; jobs: number }>;
  durations: Array<{ provider: Provider; type: string; timedJobs: number; durationSumSec: number }>;
  mislabelled: Array<{ stored: StoredLabel; classified: Provider; jobs: number }>;
}

export interface UsageSnapshot {
  /** True when the last read succeeded. */
  up: boolean;
  /** Values from the last successful read (stale when up is false); primary window first. */
  windows: UsageWindowSnapshot[];
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  /** Seconds the last read took, successful or not. */
  lastReadDurationSec: number | null;
  /** Redacted: never contains the connection string or its password. */
  lastError: { reason: ReadErrorReason; message: string; at: string } | null;
  readErrors: Record<ReadErrorReason, number>;
  reads: number;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(JOB_TYPES);
const KNOWN_STATUSES: ReadonlySet<string> = new Set(JOB_STATUSES);

/** Enum values added by a later migration become 'other' so labels stay bounded. */
export function boundedType(type: string): string {
  return KNOWN_TYPES.has(type) ? type : 'other';
}
export function boundedStatus(status: string): string {
  return KNOWN_STATUSES.has(status) ? status : 'other';
}

/** 86400 → '1d', 3600 → '1h', 90 → '90s': the largest unit that divides the window evenly. */
export function formatWindowLabel(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`usage window must be a positive whole number of seconds, got ${seconds}`);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** Folds grouped rows of one window into totals per provider, per cell and per mislabel. */
export function summariseWindow(windowSec: number, rows: readonly UsageGroupRow[]): UsageWindowSnapshot {
  const cells = new Map<string, { provider: Provider; type: string; status: string; jobs: number }>();
  const durations = new Map<string, { provider: Provider; type: string; timedJobs: number; durationSumSec: number }>();
  const mislabels = new Map<string, { stored: StoredLabel; classified: Provider; jobs: number }>();
  const perProvider = new Map<Provider, ProviderUsage>(
    PROVIDERS.map((p) => [p, { provider: p, jobs: 0, failed: 0, cancelled: 0, share: 0, timedJobs: 0, durationSumSec: 0, meanDurationSec: null, mislabelled: 0 }]),
  );
  for (const row of rows) {
    const type = boundedType(row.type);
    const status = boundedStatus(row.status);
    const cellKey = `${row.provider}|${type}|${status}`;
    const cell = cells.get(cellKey) ?? { provider: row.provider, type, status, jobs: 0 };
    cell.jobs += row.jobs;
    cells.set(cellKey, cell);
    if (row.timedJobs > 0) {
      const dKey = `${row.provider}|${type}`;
      const d = durations.get(dKey) ?? { provider: row.provider, type, timedJobs: 0, durationSumSec: 0 };
      d.timedJobs += row.timedJobs;
      d.durationSumSec += row.durationSumSec;
      durations.set(dKey, d);
    }
    const p = perProvider.get(row.provider)!;
    p.jobs += row.jobs;
    if (status === 'failed') p.failed += row.jobs;
    if (status === 'cancelled') p.cancelled += row.jobs;
    p.timedJobs += row.timedJobs;
    p.durationSumSec += row.durationSumSec;
    if (isMislabelled(row.stored, row.provider)) {
      p.mislabelled += row.jobs;
      const mKey = `${row.stored}|${row.provider}`;
      const m = mislabels.get(mKey) ?? { stored: row.stored, classified: row.provider, jobs: 0 };
      m.jobs += row.jobs;
      mislabels.set(mKey, m);
    }
  }
  const providers = [...perProvider.values()];
  const totals = { jobs: 0, failed: 0, cancelled: 0, mislabelled: 0, timedJobs: 0, durationSumSec: 0 };
  for (const p of providers) {
    totals.jobs += p.jobs;
    totals.failed += p.failed;
    totals.cancelled += p.cancelled;
    totals.mislabelled += p.mislabelled;
    totals.timedJobs += p.timedJobs;
    totals.durationSumSec += p.durationSumSec;
  }
  for (const p of providers) {
    p.share = totals.jobs === 0 ? 0 : p.jobs / totals.jobs;
    p.meanDurationSec = p.timedJobs === 0 ? null : p.durationSumSec / p.timedJobs;
  }
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return {
    windowSec,
    window: formatWindowLabel(windowSec),
    totals,
    providers,
    jobs: byKey(cells),
    durations: byKey(durations),
    mislabelled: byKey(mislabels),
  };
}

/** Every (stored, classified) pair that can count as mislabelled — exported at 0 up front. */
export function mislabelPairs(): Array<{ stored: StoredLabel; classified: Provider }> {
  const pairs: Array<{ stored: StoredLabel; classified: Provider }> = [];
  for (const classified of PROVIDERS) {
    for (const stored of STORED_LABELS) {
      if (isMislabelled(stored, classified)) pairs.push({ stored, classified });
    }
  }
  return pairs;
}

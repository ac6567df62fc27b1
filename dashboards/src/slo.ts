/**
 * Every number the alert rules and dashboards share, in one place: SLO objectives, burn-rate tiers,
 * the probe interval behind the stale-probe alert, budget and usage thresholds. Change them here and
 * run `npm run dashboards`.
 */
import { LATENCY_BUCKETS } from '../../src/metrics/names.ts';
import { latencyBudgetSec, type FleetEntry as EndpointEntry } from './fleet.ts';

/** SLO objectives (fraction of good events). One value per SLI for the whole fleet. */
export const SLO_OBJECTIVES = {
  /** Probes that pass their contract. */
  availability: 0.99,
  /** Warm generation calls that finish within the endpoint's latency threshold. */
  latency: 0.95,
} as const;
export type SloName = keyof typeof SLO_OBJECTIVES;

/** Windows the SLI recording rules are computed over (every window a burn-rate tier uses). */
export const SLI_WINDOWS = ['5m', '30m', '1h', '6h', '3d'] as const;
export type SliWindow = (typeof SLI_WINDOWS)[number];

export interface BurnRateTier {
  /** Suffix of the alert name. */
  name: 'Fast' | 'Medium' | 'Slow';
  longWindow: SliWindow;
  shortWindow: SliWindow;
  /** Multiple of the error budget rate; error ratio threshold = factor × (1 − objective). */
  factor: number;
  severity: 'page' | 'ticket';
  /** Share of the 30-day error budget consumed when the tier first fires (for the description). */
  budgetConsumed: string;
}

/** SRE Workbook ch. 5 multiwindow, multi-burn-rate tiers (anchors.md §4); short = 1/12 of long. */
export const BURN_RATE_TIERS: readonly BurnRateTier[] = [
  { name: 'Fast', longWindow: '1h', shortWindow: '5m', factor: 14.4, severity: 'page', budgetConsumed: '2%' },
  { name: 'Medium', longWindow: '6h', shortWindow: '30m', factor: 6, severity: 'page', budgetConsumed: '5%' },
  { name: 'Slow', longWindow: '3d', shortWindow: '6h', factor: 1, severity: 'ticket', budgetConsumed: '10%' },
];

/**
 * Regex over the `result` label of genprobe_probes_total (pass|warn|fail) matching good events: a
 * warning is a finding worth reading, not a broken contract.
 */
export const PROBE_GOOD_RESULTS = 'pass|warn';

/** The `result` label of genprobe_probes_total for probes inside a maintenance window (neither good nor bad). */
export const MAINTENANCE_RESULT = 'maintenance';

/** The endpoint-state, prober and heartbeat alerts (issue 15). */
export const STATE_ALERT = {
  /** Failed probes in the long window an availability burn-rate alert needs (one never fires). */
  minFailures: 2,
  /** A degraded endpoint tickets after this long. */
  degradedFor: '30m',
  /** No canary answering pages after this long. */
  proberOfflineFor: '10m',
  /** The heartbeat alert fires after this many intervals without a finished cycle. */
  missedCycles: 2,
} as const;

export interface StaleProbeOptions {
  /** How often each endpoint is probed, in seconds (the scheduler's cron interval). */
  probeIntervalSec: number;
  /** Alert after this many intervals without a passing probe. */
  intervals: number;
}
export const DEFAULT_STALE: StaleProbeOptions = { probeIntervalSec: 15 * 60, intervals: 3 };

export const BUDGET_ALERT = {
  /** Ticket when less than this fraction of the period's GPU budget is left. */
  lowFraction: 0.1,
  /** Window over which skipped probes must rise for the exhausted alert. */
  skippedWindow: '30m',
  /** The genprobe_probes_skipped_total reason written when the budget would be exceeded. */
  skippedReason: 'budget',
} as const;

/**
 * The `window` label values the usage collector exports (issue 5), and the Modal-share drop test:
 * alert when Modal's share of jobs over the short window is below `shareDropFactor` times its share
 * over the long window, with at least `minJobs` jobs in the short window (quiet hours stay quiet).
 */
export const USAGE_ALERT = {
  shortWindow: '1h',
  longWindow: '1d',
  shareDropFactor: 0.5,
  minJobs: 5,
  modalProvider: 'modal',
  forDuration: '15m',
  collectorDownFor: '10m',
} as const;

/** Endpoints whose SLOs are alerted on: removed or incompatible routes have no latency to keep. */
export function sloEndpoints<T extends Pick<EndpointEntry, 'lifecycle'>>(fleet: readonly T[]): T[] {
  return fleet.filter((e) => e.lifecycle === 'live');
}

/**
 * The `le` bucket the latency SLO of an endpoint counts as good: the smallest histogram bucket at or
 * above the catalog's warm latency budget, as Prometheus renders it (prom-client writes integer bounds
 * without a decimal point). A budget above the largest finite bucket gets the largest one, the
 * closest threshold the histogram can express.
 */
export function latencyThresholdLe(entry: EndpointEntry): string {
  const budget = latencyBudgetSec(entry, 'warm');
  const bucket = LATENCY_BUCKETS.find((b) => b >= budget) ?? LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1];
  return String(bucket);
}

/** Error-ratio threshold of a tier for an SLO, rounded so the YAML shows a readable number. */
export function burnThreshold(slo: SloName, tier: BurnRateTier): number {
  return Number((tier.factor * (1 - SLO_OBJECTIVES[slo])).toFixed(6));
}

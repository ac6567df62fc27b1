/**
 * The probe service's Prometheus metrics (names, labels and buckets from src/metrics/names.ts).
 *
 * Two registries: the project's own (every genprobe_* metric; this is what `promtool check metrics`
 * is run on and what a Pushgateway receives) and one for prom-client's default Node process metrics,
 * merged only when /metrics is rendered.
 *
 * Series are pre-initialised for every live endpoint so that "never happened" reads as 0, not as a
 * missing series (anchors.md §4): counters at 0, timestamps at 0 (= never), verdict gauges at 0 for
 * every verdict (= no verdict yet), budgets at their catalog values. Deliberately NOT pre-set:
 * genprobe_probe_success and genprobe_last_face_match_percent, where a 0 would read as "failed" /
 * "no match" for an endpoint nobody probed yet — their absence means "not probed".
 */
import { collectDefaultMetrics, Registry, type Gauge } from 'prom-client';
import { APPS, latencyBudgetSec } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import type { CheckName } from '../checks/types.ts';
import type { ProbeKind } from '../config/index.ts';
import { METRICS } from '../metrics/names.ts';
import { counterFor, gaugeFor, histogramFor } from '../metrics/prom.ts';
import { BUDGET_PERIODS, type Budget } from './budget.ts';
import { appsToWarmFor } from '../runner/warm-up.ts';
import { caseCheckNames, planContract } from '../runner/plan.ts';

export const PROBE_KINDS: readonly ProbeKind[] = ['health', 'smoke', 'full'];
export const PROBE_RESULTS = ['pass', 'warn', 'fail'] as const;
export type ProbeResult = (typeof PROBE_RESULTS)[number];
export const SKIP_REASONS = ['budget', 'busy', 'maintenance', 'disabled', 'unsupported', 'prober-offline', 'queue-timeout', 'slot-taken'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
export const LATENCY_VERDICTS = ['ok', 'degraded', 'failed'] as const;

/**
 * The checks a probe of this entry can report, for pre-initialised failure counters: derived from
 * the contract plan and the check registry (runner/plan.ts caseCheckNames), plus the health probe's.
 */
export function checksFor(entry: EndpointEntry): CheckName[] {
  return [...new Set<CheckName>([...planContract(entry).flatMap((c) => caseCheckNames(entry, c)), 'health'])];
}

export interface ProbeMetricsOptions {
  /** Endpoints whose series are pre-initialised (usually the live catalog). */
  entries: readonly EndpointEntry[];
  version: string;
  /** Effective budgets are exported at the target's scale, like the durations they are compared with. */
  timeScale: number;
  overheadMs: number;
  /** Kinds that will be run per endpoint (pre-initialised probe counters); default all three. */
  kindsFor?: (entry: EndpointEntry) => readonly ProbeKind[];
  /** Exports remaining/limit per period at every scrape. */
  budget?: Budget;
  /** Collect prom-client's default Node metrics in the separate defaults registry. Default true. */
  defaultMetrics?: boolean;
  /** Runner identity labels (`runner`, `region`) on every series: config.runner, issue 17. */
  identity?: Record<string, string>;
}

/** Every genprobe_* series, registered in `registry`; the budget gauges read `budget` at each scrape. */
function createSeries(registry: Registry, budget: Budget | undefined) {
  return {
    probeSuccess: gaugeFor(METRICS.probeSuccess, registry),
    probeVerdict: gaugeFor(METRICS.probeVerdict, registry),
    probesTotal: counterFor(METRICS.probesTotal, registry),
    requestDuration: histogramFor(METRICS.requestDuration, registry),
    latencyBudget: gaugeFor(METRICS.latencyBudget, registry),
    lastDuration: gaugeFor(METRICS.lastDuration, registry),
    warmupDuration: histogramFor(METRICS.warmupDuration, registry),
    redirects: gaugeFor(METRICS.redirects, registry),
    redirectsTotal: counterFor(METRICS.redirectsTotal, registry),
    checkFailures: counterFor(METRICS.checkFailures, registry),
    faceMatch: histogramFor(METRICS.faceMatch, registry),
    lastFaceMatch: gaugeFor(METRICS.lastFaceMatch, registry),
    gpuCost: counterFor(METRICS.gpuCost, registry),
    budgetRemaining: gaugeFor(METRICS.budgetRemaining, registry, function (this: Gauge<'period'>) {
      if (budget) for (const p of BUDGET_PERIODS) this.set({ period: p }, budget.remaining(p));
    }),
    budgetLimit: gaugeFor(METRICS.budgetLimit, registry, function (this: Gauge<'period'>) {
      if (budget) for (const p of BUDGET_PERIODS) this.set({ period: p }, budget.limits[p]);
    }),
    probesSkipped: counterFor(METRICS.probesSkipped, registry),
    slotWait: histogramFor(METRICS.slotWait, registry),
    lastSuccess: gaugeFor(METRICS.lastSuccess, registry),
    lastProbe: gaugeFor(METRICS.lastProbe, registry),
    buildInfo: gaugeFor(METRICS.buildInfo, registry),
  };
}

type Series = ReturnType<typeof createSeries>;

/** One endpoint's series at "never happened"; returns the apps its probes warm up. */
function preinitialiseEndpoint(m: Series, entry: EndpointEntry, opts: ProbeMetricsOptions): AppName[] {
  const e = { endpoint: entry.id, app: entry.app };
  for (const kind of opts.kindsFor?.(entry) ?? PROBE_KINDS) for (const result of PROBE_RESULTS) m.probesTotal.inc({ ...e, kind, result }, 0);
  for (const reason of SKIP_REASONS) m.probesSkipped.inc({ ...e, reason }, 0);
  for (const verdict of LATENCY_VERDICTS) m.probeVerdict.set({ ...e, verdict }, 0);
  for (const check of checksFor(entry)) m.checkFailures.inc({ ...e, check }, 0);
  m.redirectsTotal.inc(e, 0);
  m.redirects.set(e, 0);
  m.lastSuccess.set(e, 0);
  m.lastProbe.set(e, 0);
  for (const start of ['warm', 'cold'] as const) {
    m.latencyBudget.set({ ...e, start }, (latencyBudgetSec(entry, start) * 1000 * opts.timeScale + opts.overheadMs) / 1000);
    m.requestDuration.zero({ ...e, gpu: entry.gpu, start });
  }
  const warmed = appsToWarmFor(entry);
  // Warm-ups of delegated apps are charged to the endpoint whose probe needed them.
  for (const app of warmed) m.gpuCost.inc({ ...e, app, gpu: app === entry.app ? entry.gpu : APPS[app].gpu }, 0);
  m.gpuCost.inc({ ...e, gpu: entry.gpu }, 0);
  if (entry.face) m.faceMatch.zero(e);
  return warmed;
}

/** Every series that can be pre-set (see the file's header for the ones deliberately not). */
function preinitialise(m: Series, opts: ProbeMetricsOptions): void {
  m.buildInfo.set({ version: opts.version, node_version: process.version }, 1);
  const warmedApps = new Set<AppName>(opts.entries.flatMap((entry) => preinitialiseEndpoint(m, entry, opts)));
  for (const app of warmedApps) for (const start of ['warm', 'cold'] as const) m.warmupDuration.zero({ app, start });
  for (const app of new Set([...warmedApps, ...opts.entries.map((e) => e.app)])) m.slotWait.zero({ app });
  if (opts.budget) for (const p of BUDGET_PERIODS) m.budgetLimit.set({ period: p }, opts.budget.limits[p]);
}

export function createProbeMetrics(opts: ProbeMetricsOptions) {
  const registry = new Registry();
  const defaults = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: defaults });
  // Default labels: every series of either registry (and of a push) carries the runner's identity.
  const identity = { ...(opts.identity ?? {}) };
  registry.setDefaultLabels(identity);
  defaults.setDefaultLabels(identity);
  const m = createSeries(registry, opts.budget);
  preinitialise(m, opts);

  return {
    ...m,
    /** genprobe_* only: promtool-clean, and what gets pushed to a Pushgateway. */
    registry,
    /** prom-client's default process/Node metrics. */
    defaults,
    contentType: registry.contentType,
    /** The runner's identity labels; a merged registry loses default labels, so mergers set these again. */
    identity,
    /** Text for /metrics: the project's registry merged with the default metrics. */
    async exposition(extra: Registry[] = []): Promise<string> {
      const merged = Registry.merge([registry, defaults, ...extra]);
      merged.setDefaultLabels(identity);
      return merged.metrics();
    },
  };
}

export type ProbeMetrics = ReturnType<typeof createProbeMetrics>;

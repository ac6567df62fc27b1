/**
 * Prometheus recording and alerting rules for genprobe, generated from the catalog so that every live
 * endpoint gets a latency SLO at its own threshold. Written to dashboards/rules/genprobe.rules.yml by
 * dashboards/generate.ts; unit-tested with `promtool test rules` (rules-tests.ts).
 */
import { stringify } from 'yaml';
import { METRICS } from '../../src/metrics/names.ts';
import type { FleetEntry } from './fleet.ts';
import {
  BUDGET_ALERT,
  BURN_RATE_TIERS,
  DEFAULT_STALE,
  MAINTENANCE_RESULT,
  PROBE_GOOD_RESULTS,
  STATE_ALERT,
  SLI_WINDOWS,
  SLO_OBJECTIVES,
  USAGE_ALERT,
  burnThreshold,
  latencyThresholdLe,
  sloEndpoints,
  type SliWindow,
  type SloName,
  type StaleProbeOptions,
} from './slo.ts';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
}
export type Rule = RecordingRule | AlertingRule;
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}
export interface RuleFile {
  groups: RuleGroup[];
}

export type { FleetEntry };

export interface RuleOptions {
  stale?: StaleProbeOptions;
}

const M = METRICS;
/** Labels every per-endpoint SLI keeps. */
const BY_ENDPOINT = 'endpoint, app';

/** Recorded series names, exported so dashboards and tests refer to the same strings. */
export const RECORDED = {
  availability: (w: SliWindow) => `endpoint:${M.probesTotal.name.replace(/_total$/, '')}:availability_rate${w}`,
  latencyGood: (w: SliWindow) => `endpoint:${M.requestDuration.name}:good_ratio_rate${w}`,
  usageShare: (window: string) => `provider:${M.usageJobs.name}:share_${window}`,
} as const;

export const SLI_OF: Record<SloName, (w: SliWindow) => string> = {
  availability: RECORDED.availability,
  latency: RECORDED.latencyGood,
};

/** Label on latency SLI series naming the `le` bucket that counts as good. */
export const THRESHOLD_LABEL = 'latency_threshold_seconds';

function availabilityRules(): RecordingRule[] {
  // Probes inside a maintenance window (result="maintenance") are neither good nor bad events.
  const total = `${M.probesTotal.name}{result!="${MAINTENANCE_RESULT}"}`;
  return SLI_WINDOWS.map((w) => ({
    record: RECORDED.availability(w),
    // `or … * 0`: an endpoint that never passed has no result="pass" series; count it as 0 good.
    expr: [
      `(`,
      `  sum by (${BY_ENDPOINT}) (rate(${M.probesTotal.name}{result=~"${PROBE_GOOD_RESULTS}"}[${w}]))`,
      `  or`,
      `  sum by (${BY_ENDPOINT}) (rate(${total}[${w}])) * 0`,
      `)`,
      `/`,
      `sum by (${BY_ENDPOINT}) (rate(${total}[${w}]))`,
    ].join('\n'),
  }));
}

/** A PromQL regex matching exactly these strings (metacharacters escaped for the PromQL string literal). */
export function exactAlternation(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`)).join('|');
}

/**
 * One rule per threshold bucket and window: endpoints sharing an `le` share a rule (one rule per
 * endpoint would record the same series name and labels many times, which promtool rejects).
 */
function latencyRules(fleet: readonly FleetEntry[]): RecordingRule[] {
  const byLe = new Map<string, string[]>();
  for (const entry of sloEndpoints(fleet)) {
    const le = latencyThresholdLe(entry);
    byLe.set(le, [...(byLe.get(le) ?? []), entry.id]);
  }
  const thresholds = [...byLe.keys()].sort((a, b) => Number(a) - Number(b));
  const rules: RecordingRule[] = [];
  for (const le of thresholds) {
    const sel = `endpoint=~"${exactAlternation(byLe.get(le) ?? [])}",start="warm"`;
    for (const w of SLI_WINDOWS) {
      rules.push({
        record: RECORDED.latencyGood(w),
        expr: [
          // `(\.0)?`: Prometheus 3 stores classic bucket bounds as floats (le="45.0"), 2.x as written.
          `sum by (${BY_ENDPOINT}) (rate(${M.requestDuration.name}_bucket{${sel},le=~"${le}(\\\\.0)?"}[${w}]))`,
          `/`,
          `sum by (${BY_ENDPOINT}) (rate(${M.requestDuration.name}_count{${sel}}[${w}]))`,
        ].join('\n'),
        labels: { [THRESHOLD_LABEL]: le },
      });
    }
  }
  return rules;
}

const SLO_TEXT: Record<SloName, { title: string; events: string; allowed: string }> = {
  availability: {
    title: 'Availability',
    events: 'probes failed their contract',
    allowed: `${pct(1 - SLO_OBJECTIVES.availability)} failed probes`,
  },
  latency: {
    title: 'Latency',
    events: 'warm calls took longer than {{ $labels.latency_threshold_seconds }} s',
    allowed: `${pct(1 - SLO_OBJECTIVES.latency)} slow warm calls`,
  },
};

function pct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))}%`;
}

function burnRateAlerts(slo: SloName): AlertingRule[] {
  const text = SLO_TEXT[slo];
  return BURN_RATE_TIERS.map((tier) => {
    const threshold = burnThreshold(slo, tier);
    return {
      alert: `Genprobe${text.title}BurnRate${tier.name}`,
      expr: [
        `(1 - ${SLI_OF[slo](tier.longWindow)}) > ${threshold}`,
        `and`,
        `(1 - ${SLI_OF[slo](tier.shortWindow)}) > ${threshold}`,
        ...(slo === 'availability' ? minFailures(tier.longWindow) : []),
        ...unlessInMaintenance(),
      ].join('\n'),
      labels: {
        severity: tier.severity,
        slo: slo,
        long_window: tier.longWindow,
        short_window: tier.shortWindow,
      },
      annotations: {
        summary: `{{ $labels.endpoint }}: ${slo} error budget burning ${tier.factor}x too fast`,
        description:
          `Over the last ${tier.longWindow}, {{ $value | humanizePercentage }} of ${text.events} on {{ $labels.endpoint }} ` +
          `({{ $labels.app }}), and the last ${tier.shortWindow} agrees. The ${pct(SLO_OBJECTIVES[slo])} SLO allows ` +
          `${text.allowed}; at this rate ${tier.budgetConsumed} of a 30-day error budget is gone within ${tier.longWindow}.`,
      },
    };
  });
}

/** Endpoints whose state is maintenance now: every per-endpoint alert stays silent for them. */
function unlessInMaintenance(): string[] {
  return [`unless on (${BY_ENDPOINT})`, `max by (${BY_ENDPOINT}) (${M.endpointState.name}{state="maintenance"}) == 1`];
}

/**
 * Probes are sparse (one every few minutes), so one failed probe is a large error ratio over any
 * window: the availability burn-rate alerts also need STATE_ALERT.minFailures failed probes in the
 * long window (the low-traffic guard of the SRE Workbook ch. 5). 1.5: increase() extrapolates.
 */
function minFailures(window: string): string[] {
  return [`and on (${BY_ENDPOINT})`, `sum by (${BY_ENDPOINT}) (increase(${M.probesTotal.name}{result="fail"}[${window}])) > ${STATE_ALERT.minFailures - 0.5}`];
}

/** One of genprobe's own 0/1 self-check gauges (prober online, usage collector up) reading 0 for `forDuration`. */
function selfCheckDownAlert(alert: string, gauge: string, forDuration: string, severity: 'page' | 'ticket', annotations: AlertingRule['annotations']): AlertingRule {
  return { alert, expr: `${gauge} == 0`, for: forDuration, labels: { severity }, annotations };
}

function stateAlerts(): AlertingRule[] {
  const state = (s: string) => `max by (${BY_ENDPOINT}) (${M.endpointState.name}{state="${s}"}) == 1`;
  return [
    {
      alert: 'GenprobeEndpointDown',
      // The state machine already waited for failuresToDown failures in a row: no `for` needed.
      expr: state('down'),
      labels: { severity: 'page' },
      annotations: {
        summary: '{{ $labels.endpoint }} is down',
        description:
          '{{ $labels.endpoint }} ({{ $labels.app }}) failed its contract on enough probes in a row to be down (probes.state.failuresToDown, ' +
          'default 3); a single failed probe, a cold start or one 408 only makes it pending. It is up again after passesToUp passes in a row.',
      },
    },
    {
      alert: 'GenprobeEndpointDegraded',
      expr: state('degraded'),
      for: STATE_ALERT.degradedFor,
      labels: { severity: 'ticket' },
      annotations: {
        summary: '{{ $labels.endpoint }} works but is degraded',
        description:
          `{{ $labels.endpoint }} ({{ $labels.app }}) has held its contract but been slower than its catalog latency budget, or had a check warn, ` +
          `for ${STATE_ALERT.degradedFor}. See the status page for the latency against budget and the warnings.`,
      },
    },
    selfCheckDownAlert('GenprobeProberOffline', M.proberOnline.name, STATE_ALERT.proberOfflineFor, 'page', {
      summary: 'genprobe cannot reach any of its canaries',
      description:
        `The prober on {{ $labels.instance }} has reached none of its canaries (probes.canaries) for ${STATE_ALERT.proberOfflineFor}. ` +
        'Its probes are recorded as prober-offline, not as endpoint failures, so no endpoint alert fires: either the prober lost its network or every canary is down.',
    }),
  ];
}

function heartbeatAlert(): AlertingRule {
  const last = M.lastCycle.name;
  const interval = M.cycleInterval.name;
  return {
    alert: 'GenprobeHeartbeatMissing',
    // Same labels on both sides (one target, one schedule): one-to-one matching.
    expr: `time() - ${last} > ${STATE_ALERT.missedCycles} * ${interval}`,
    labels: { severity: 'page' },
    annotations: {
      summary: 'genprobe schedule {{ $labels.schedule }} ({{ $labels.kind }}) has not finished a cycle for {{ $value | humanizeDuration }}',
      description:
        `Schedule {{ $labels.schedule }} ({{ $labels.kind }}) of {{ $labels.job }} last finished a probe cycle {{ $value | humanizeDuration }} ago, ` +
        `more than ${STATE_ALERT.missedCycles} of its intervals: the prober is stuck or the cron stopped, and the fleet is unwatched.`,
    },
  };
}

function budgetAlerts(): AlertingRule[] {
  const remaining = M.budgetRemaining.name;
  const limit = M.budgetLimit.name;
  return [
    {
      alert: 'GenprobeBudgetLow',
      expr: `${remaining} / ${limit} < ${BUDGET_ALERT.lowFraction}\nand\n${limit} > 0`,
      labels: { severity: 'ticket' },
      annotations: {
        summary: `GPU budget of the {{ $labels.period }} period below ${pct(BUDGET_ALERT.lowFraction)}`,
        description:
          'Only {{ $value | humanizePercentage }} of the {{ $labels.period }} GPU budget is left; once it is spent genprobe skips probes ' +
          'and the fleet goes unwatched. Raise the budget in the config or reduce probe schedules.',
      },
    },
    {
      alert: 'GenprobeBudgetExhausted',
      expr: [
        `${remaining} <= 0`,
        `and on ()`,
        `sum(increase(${M.probesSkipped.name}{reason="${BUDGET_ALERT.skippedReason}"}[${BUDGET_ALERT.skippedWindow}])) > 0`,
      ].join('\n'),
      labels: { severity: 'page' },
      annotations: {
        summary: 'GPU budget of the {{ $labels.period }} period is spent; probes are being skipped',
        description:
          `The {{ $labels.period }} GPU budget is exhausted and probes were skipped for budget in the last ${BUDGET_ALERT.skippedWindow}, ` +
          'so endpoints are no longer being checked. Raise the budget or wait for the next period.',
      },
    },
  ];
}

function staleAlert(stale: StaleProbeOptions): AlertingRule {
  if (!Number.isInteger(stale.intervals) || stale.intervals < 1) throw new Error(`stale.intervals must be a positive integer, got ${stale.intervals}`);
  if (!(stale.probeIntervalSec > 0)) throw new Error(`stale.probeIntervalSec must be positive, got ${stale.probeIntervalSec}`);
  const maxAge = stale.intervals * stale.probeIntervalSec;
  const last = `max by (${BY_ENDPOINT}) (${M.lastSuccess.name})`;
  return {
    alert: 'GenprobeProbeStale',
    // `> 0`: an endpoint that never passed since genprobe started is the burn-rate alerts' business.
    expr: [`time() - ${last} > ${maxAge}`, 'and', `${last} > 0`, ...unlessInMaintenance()].join('\n'),
    labels: { severity: 'page' },
    annotations: {
      summary: '{{ $labels.endpoint }}: no passing probe for {{ $value | humanizeDuration }}',
      description:
        `{{ $labels.endpoint }} ({{ $labels.app }}) has not passed a probe for {{ $value | humanizeDuration }}, more than ` +
        `${stale.intervals} probe intervals of ${stale.probeIntervalSec} s. Either the endpoint keeps failing or genprobe stopped probing it.`,
    },
  };
}

function usageJobs(window: string, provider?: string): string {
  const providerSel = provider === undefined ? '' : `provider="${provider}",`;
  return `sum(${M.usageJobs.name}{${providerSel}window="${window}"})`;
}

function modalShare(window: string): string {
  // `or vector(0)`: when Modal got no job at all in the window its series is absent, which is the
  // very case to alert on.
  return `(${usageJobs(window, USAGE_ALERT.modalProvider)} or vector(0)) / ${usageJobs(window)}`;
}

function usageRules(): RecordingRule[] {
  return [USAGE_ALERT.shortWindow, USAGE_ALERT.longWindow].map((window) => ({
    record: RECORDED.usageShare(window),
    expr: `sum by (provider) (${M.usageJobs.name}{window="${window}"})\n/ ignoring (provider) group_left\n${usageJobs(window)}`,
  }));
}

function usageAlerts(): AlertingRule[] {
  const { shortWindow, longWindow, shareDropFactor, minJobs } = USAGE_ALERT;
  return [
    {
      alert: 'GenprobeModalShareDropped',
      expr: [
        `${modalShare(shortWindow)}`,
        `< ${shareDropFactor} * (${modalShare(longWindow)})`,
        `and`,
        `${usageJobs(shortWindow)} >= ${minJobs}`,
      ].join('\n'),
      for: USAGE_ALERT.forDuration,
      labels: { severity: 'page' },
      annotations: {
        summary: `Modal's share of generation jobs fell to {{ $value | humanizePercentage }} over the last ${shortWindow}`,
        description:
          `Modal took {{ $value | humanizePercentage }} of jobs in the last ${shortWindow}, less than ${shareDropFactor}x its ${longWindow} share, ` +
          'while other providers kept receiving jobs. The API marks Modal unavailable for the whole process when ryla-flux /health ' +
          'does not answer within 10 s at boot (docs/fleet.md §0.11), sending traffic to the fallback until the API restarts.',
      },
    },
    selfCheckDownAlert('GenprobeUsageCollectorDown', M.usageUp.name, USAGE_ALERT.collectorDownFor, 'ticket', {
      summary: 'genprobe cannot read the jobs database',
      description:
        `The usage collector on {{ $labels.instance }} has failed to read generation_jobs for ${USAGE_ALERT.collectorDownFor}; ` +
        `the usage dashboard and the Modal-share alert are blind. See ${M.usageReadErrors.name} for the reason.`,
    }),
  ];
}

/** The whole rule file as an object (what the YAML serialises). */
export function buildRules(fleet: readonly FleetEntry[], options: RuleOptions = {}): RuleFile {
  const stale = options.stale ?? DEFAULT_STALE;
  return {
    groups: [
      { name: 'genprobe-sli-availability', rules: availabilityRules() },
      { name: 'genprobe-sli-latency', rules: latencyRules(fleet) },
      { name: 'genprobe-usage-share', rules: usageRules() },
      { name: 'genprobe-slo-alerts', rules: [...burnRateAlerts('availability'), ...burnRateAlerts('latency')] },
      { name: 'genprobe-budget-alerts', rules: budgetAlerts() },
      { name: 'genprobe-probe-alerts', rules: [staleAlert(stale)] },
      { name: 'genprobe-state-alerts', rules: [...stateAlerts(), heartbeatAlert()] },
      { name: 'genprobe-usage-alerts', rules: usageAlerts() },
    ],
  };
}

export const RULES_HEADER = '# Generated by dashboards/src/rules.ts — do not edit; run `npm run dashboards`.\n';

/** YAML text of a rule or test file: no line folding, so PromQL stays as written. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indent: 2 });
}

export function rulesYaml(fleet: readonly FleetEntry[], options: RuleOptions = {}): string {
  return RULES_HEADER + toYaml(buildRules(fleet, options));
}

/** Names of every alert in a rule file, for coverage checks. */
export function alertNames(file: RuleFile): string[] {
  return file.groups.flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r.alert] : [])));
}

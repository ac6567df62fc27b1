/**
 * `promtool test rules` unit tests for the generated rules. The scenarios use real endpoint ids from
 * the catalog (so the per-endpoint latency rules are exercised), and spell out by hand what must fire
 * and what must stay quiet, with the expected annotation values written as Prometheus renders them.
 */
import { METRICS } from '../../src/metrics/names.ts';
import { LATENCY_BUCKETS } from '../../src/metrics/names.ts';
import {
  RECORDED,
  THRESHOLD_LABEL,
  alertNames,
  buildRules,
  toYaml,
  type AlertingRule,
  type FleetEntry,
  type RuleFile,
  type RuleOptions,
} from './rules.ts';
import { BUDGET_ALERT, DEFAULT_STALE, USAGE_ALERT, latencyThresholdLe, sloEndpoints } from './slo.ts';

export const RULES_FILE = 'genprobe.rules.yml';
export const RULES_TEST_FILE = 'genprobe.rules.test.yml';

interface InputSeries {
  series: string;
  values: string;
}
interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: { labels: string; value: number }[];
}
interface TestGroup {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test?: AlertTest[];
  promql_expr_test?: ExprTest[];
}

const M = METRICS;

function series(name: string, labels: Record<string, string>, values: string): InputSeries {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return { series: `${name}{${body}}`, values };
}

/** Fills the rule's annotation templates with the labels and the humanised value the test expects. */
function expected(rule: AlertingRule, labels: Record<string, string>, valueText: string): ExpAlert {
  const fill = (template: string) =>
    template
      .replace(/\{\{ \$value \| humanize\w+ \}\}/g, valueText)
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => {
        const v = labels[name];
        if (v === undefined) throw new Error(`alert ${rule.alert}: annotation uses label ${name} the test does not set`);
        return v;
      });
  return {
    exp_labels: { ...labels, ...rule.labels },
    exp_annotations: { summary: fill(rule.annotations.summary), description: fill(rule.annotations.description) },
  };
}

function findAlert(file: RuleFile, name: string): AlertingRule {
  for (const g of file.groups) for (const r of g.rules) if ('alert' in r && r.alert === name) return r;
  throw new Error(`no alert named ${name} in the generated rules`);
}

/** Three endpoints with a latency SLO, from the catalog. */
function pickEndpoints(fleet: readonly FleetEntry[]): [FleetEntry, FleetEntry, FleetEntry] {
  const withSlo = sloEndpoints(fleet);
  if (withSlo.length < 3) throw new Error(`rule tests need 3 live endpoints, the catalog has ${withSlo.length}`);
  return [withSlo[0], withSlo[1], withSlo[2]];
}

function availabilityGroups(file: RuleFile, fleet: readonly FleetEntry[]): TestGroup[] {
  const [down, lossy, flaky] = pickEndpoints(fleet);
  const probes = (e: FleetEntry, result: string, values: string) =>
    series(M.probesTotal.name, { endpoint: e.id, app: e.app, kind: 'smoke', result }, values);
  const ids = (e: FleetEntry) => ({ endpoint: e.id, app: e.app });
  const fast = findAlert(file, 'GenprobeAvailabilityBurnRateFast');
  const medium = findAlert(file, 'GenprobeAvailabilityBurnRateMedium');
  const slow = findAlert(file, 'GenprobeAvailabilityBurnRateSlow');
  return [
    {
      // down: every probe fails (and no pass series exists at all); lossy: 1 in 20 fails (5 %);
      // flaky: 1 in 10 fails (10 %). 5 % is below the 6x (6 %) and 14.4x (14.4 %) thresholds but
      // above 1x (1 %); 10 % crosses 6x but not 14.4x.
      name: 'availability burn rates: total outage pages, 5 % error tickets, 10 % error pages at 6x only',
      interval: '1m',
      input_series: [
        probes(down, 'fail', '0+1x40'),
        // A warning is a good event: lossy's 5 % comes from its failures only.
        probes(lossy, 'pass', '0+18x40'),
        probes(lossy, 'warn', '0+1x40'),
        probes(lossy, 'fail', '0+1x40'),
        probes(flaky, 'pass', '0+9x40'),
        probes(flaky, 'fail', '0+1x40'),
      ],
      alert_rule_test: [
        { eval_time: '30m', alertname: fast.alert, exp_alerts: [expected(fast, ids(down), '100%')] },
        {
          eval_time: '30m',
          alertname: medium.alert,
          exp_alerts: [expected(medium, ids(down), '100%'), expected(medium, ids(flaky), '10%')],
        },
        {
          eval_time: '30m',
          alertname: slow.alert,
          exp_alerts: [expected(slow, ids(down), '100%'), expected(slow, ids(lossy), '5%'), expected(slow, ids(flaky), '10%')],
        },
      ],
      promql_expr_test: [
        {
          expr: RECORDED.availability('1h'),
          eval_time: '30m',
          exp_samples: [
            { labels: `${RECORDED.availability('1h')}{app="${down.app}",endpoint="${down.id}"}`, value: 0 },
            { labels: `${RECORDED.availability('1h')}{app="${lossy.app}",endpoint="${lossy.id}"}`, value: 0.95 },
            { labels: `${RECORDED.availability('1h')}{app="${flaky.app}",endpoint="${flaky.id}"}`, value: 0.9 },
          ],
        },
      ],
    },
    {
      // 1 failure in 200 probes (0.5 %) is inside the 99 % objective: no tier fires.
      name: 'availability within the objective stays quiet',
      interval: '1m',
      input_series: [probes(lossy, 'pass', '0+199x40'), probes(lossy, 'fail', '0+1x40')],
      alert_rule_test: [fast, medium, slow].map((a) => ({ eval_time: '30m', alertname: a.alert, exp_alerts: [] })),
    },
    {
      // Failed for 20 minutes, then recovered: the 5 m window is clean, so the 14.4x page stays quiet
      // although the 1 h window alone is far over the threshold.
      name: 'availability fast burn needs the short window too',
      interval: '1m',
      input_series: [probes(down, 'pass', '0x20 1+1x9'), probes(down, 'fail', '0+1x20 20x9')],
      alert_rule_test: [
        { eval_time: '30m', alertname: fast.alert, exp_alerts: [] },
        { eval_time: '15m', alertname: fast.alert, exp_alerts: [expected(fast, ids(down), '100%')] },
      ],
    },
  ];
}

function latencyGroups(file: RuleFile, fleet: readonly FleetEntry[]): TestGroup[] {
  const [slowEp, okEp] = pickEndpoints(fleet);
  const hist = (e: FleetEntry, start: string, suffix: 'bucket' | 'count', le: string | undefined, values: string) =>
    series(`${M.requestDuration.name}_${suffix}`, { endpoint: e.id, app: e.app, gpu: 'L40S', start, ...(le ? { le } : {}) }, values);
  const leOf = (e: FleetEntry) => latencyThresholdLe(e);
  const labels = (e: FleetEntry) => ({ endpoint: e.id, app: e.app, [THRESHOLD_LABEL]: leOf(e) });
  const fast = findAlert(file, 'GenprobeLatencyBurnRateFast');
  const medium = findAlert(file, 'GenprobeLatencyBurnRateMedium');
  const slow = findAlert(file, 'GenprobeLatencyBurnRateSlow');
  const record1h = RECORDED.latencyGood('1h');
  return [
    {
      // slowEp: every warm call lands above its threshold bucket; its cold calls are slow too but
      // cold calls are outside the SLO. okEp: half its warm calls are within the threshold.
      name: 'latency burn rates count warm calls over the endpoint threshold only',
      interval: '1m',
      input_series: [
        hist(slowEp, 'warm', 'bucket', leOf(slowEp), '0x40'),
        hist(slowEp, 'warm', 'count', undefined, '0+1x40'),
        hist(okEp, 'warm', 'bucket', leOf(okEp), '0+2x40'),
        hist(okEp, 'warm', 'count', undefined, '0+2x40'),
        hist(okEp, 'cold', 'bucket', leOf(okEp), '0x40'),
        hist(okEp, 'cold', 'count', undefined, '0+1x40'),
      ],
      alert_rule_test: [
        { eval_time: '30m', alertname: fast.alert, exp_alerts: [expected(fast, labels(slowEp), '100%')] },
        { eval_time: '30m', alertname: medium.alert, exp_alerts: [expected(medium, labels(slowEp), '100%')] },
        { eval_time: '30m', alertname: slow.alert, exp_alerts: [expected(slow, labels(slowEp), '100%')] },
      ],
    },
    {
      // 97 of 100 warm calls within the threshold meets the 95 % objective: no tier fires.
      name: 'latency within the objective stays quiet',
      interval: '1m',
      input_series: [hist(okEp, 'warm', 'bucket', leOf(okEp), '0+97x40'), hist(okEp, 'warm', 'count', undefined, '0+100x40')],
      alert_rule_test: [fast, medium, slow].map((a) => ({ eval_time: '30m', alertname: a.alert, exp_alerts: [] })),
    },
    ...dottedEndpointGroup(fleet),
    {
      // Prometheus 3 normalises classic bucket bounds to floats when it scrapes them.
      name: 'latency SLI reads float bucket bounds (le="45.0")',
      interval: '1m',
      input_series: [
        hist(okEp, 'warm', 'bucket', `${leOf(okEp)}.0`, '0+1x40'),
        hist(okEp, 'warm', 'count', undefined, '0+4x40'),
      ],
      promql_expr_test: [
        { expr: record1h, eval_time: '30m', exp_samples: [{ labels: `${record1h}{${labelText(labels(okEp))}}`, value: 0.25 }] },
      ],
    },
    {
      name: 'latency good-event ratio at the threshold bucket',
      interval: '1m',
      input_series: [
        hist(okEp, 'warm', 'bucket', leOf(okEp), '0+1x40'),
        hist(okEp, 'warm', 'bucket', nextBucketBelow(leOf(okEp)), '0+1x40'),
        hist(okEp, 'warm', 'count', undefined, '0+2x40'),
      ],
      promql_expr_test: [
        { expr: record1h, eval_time: '30m', exp_samples: [{ labels: `${record1h}{${labelText(labels(okEp))}}`, value: 0.5 }] },
      ],
      alert_rule_test: [
        // 50 % good against a 95 % objective burns 10x: the 6x page fires, the 14.4x page does not.
        { eval_time: '30m', alertname: fast.alert, exp_alerts: [] },
        { eval_time: '30m', alertname: medium.alert, exp_alerts: [expected(medium, labels(okEp), '50%')] },
      ],
    },
  ];
}

/**
 * Endpoint ids such as `wan2.6` go into a regex matcher: the dot must match only a dot, or `wan2x6`
 * would borrow the SLO of `wan2.6`.
 */
function dottedEndpointGroup(fleet: readonly FleetEntry[]): TestGroup[] {
  const dotted = sloEndpoints(fleet).find((e) => e.id.includes('.'));
  if (dotted === undefined) return [];
  const le = latencyThresholdLe(dotted);
  const impostor = dotted.id.replace('.', 'x');
  const hist = (endpoint: string, suffix: 'bucket' | 'count', values: string) =>
    series(`${M.requestDuration.name}_${suffix}`, { endpoint, app: dotted.app, gpu: 'L40S', start: 'warm', ...(suffix === 'bucket' ? { le } : {}) }, values);
  const record = RECORDED.latencyGood('1h');
  return [
    {
      name: `latency SLI matches ${dotted.id} exactly`,
      interval: '1m',
      input_series: [
        hist(dotted.id, 'bucket', '0+3x40'),
        hist(dotted.id, 'count', '0+4x40'),
        hist(impostor, 'bucket', '0x40'),
        hist(impostor, 'count', '0+4x40'),
      ],
      promql_expr_test: [
        {
          expr: record,
          eval_time: '30m',
          exp_samples: [{ labels: `${record}{${labelText({ endpoint: dotted.id, app: dotted.app, [THRESHOLD_LABEL]: le })}}`, value: 0.75 }],
        },
      ],
    },
  ];
}

function nextBucketBelow(le: string): string {
  const i = LATENCY_BUCKETS.findIndex((b) => String(b) === le);
  return String(LATENCY_BUCKETS[Math.max(0, i - 1)]);
}

function labelText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
}

function budgetGroups(file: RuleFile): TestGroup[] {
  const low = findAlert(file, 'GenprobeBudgetLow');
  const exhausted = findAlert(file, 'GenprobeBudgetExhausted');
  const skipped = (reason: string, values: string) =>
    series(M.probesSkipped.name, { endpoint: 'flux', app: 'ryla-flux', reason }, values);
  const remaining = (period: string, values: string) => series(M.budgetRemaining.name, { period }, values);
  const limit = (period: string, values: string) => series(M.budgetLimit.name, { period }, values);
  return [
    {
      name: 'budget low fires under 10 % of the limit only',
      interval: '1m',
      // daily: 2 of 5 USD left (40 %) for 10 minutes, then 0.4 (8 %); monthly stays at 50 %.
      input_series: [remaining('daily', '2x10 0.4x20'), limit('daily', '5x30'), remaining('monthly', '50x30'), limit('monthly', '100x30')],
      alert_rule_test: [
        { eval_time: '5m', alertname: low.alert, exp_alerts: [] },
        { eval_time: '20m', alertname: low.alert, exp_alerts: [expected(low, { period: 'daily' }, '8%')] },
      ],
    },
    {
      name: 'budget exhausted pages when probes are skipped for budget',
      interval: '1m',
      input_series: [
        remaining('daily', '0x20'),
        limit('daily', '5x20'),
        remaining('monthly', '40x20'),
        limit('monthly', '100x20'),
        skipped(BUDGET_ALERT.skippedReason, '0+1x20'),
      ],
      alert_rule_test: [{ eval_time: '20m', alertname: exhausted.alert, exp_alerts: [expected(exhausted, { period: 'daily' }, '0')] }],
    },
    {
      name: 'budget exhausted stays quiet without skipped probes, and for skips of another reason',
      interval: '1m',
      input_series: [
        remaining('daily', '0x45'),
        limit('daily', '5x45'),
        // Budget skips stop after 5 minutes; busy skips go on.
        skipped(BUDGET_ALERT.skippedReason, '0+1x5 5x40'),
        skipped('busy', '0+1x45'),
      ],
      alert_rule_test: [
        { eval_time: '40m', alertname: exhausted.alert, exp_alerts: [] },
        { eval_time: '5m', alertname: exhausted.alert, exp_alerts: [expected(exhausted, { period: 'daily' }, '0')] },
      ],
    },
  ];
}

function staleGroups(file: RuleFile, fleet: readonly FleetEntry[], options: RuleOptions): TestGroup[] {
  const stale = options.stale ?? DEFAULT_STALE;
  const rule = findAlert(file, 'GenprobeProbeStale');
  const [quiet, fresh, never] = pickEndpoints(fleet);
  const last = (e: FleetEntry, values: string) => series(M.lastSuccess.name, { endpoint: e.id, app: e.app }, values);
  const maxAge = stale.intervals * stale.probeIntervalSec;
  // The last success was at t = 300 s; evaluate one interval after it became stale.
  const lastPass = 300;
  const evalSec = lastPass + maxAge + stale.probeIntervalSec;
  const steps = Math.ceil(evalSec / 60) + 1;
  return [
    {
      name: `stale probe after ${stale.intervals} intervals of ${stale.probeIntervalSec} s without a pass`,
      interval: '1m',
      input_series: [
        last(quiet, `${lastPass}x${steps}`),
        // A series that keeps up with the clock: a success every minute.
        last(fresh, `0+60x${steps}`),
        // Never passed since genprobe started: left to the burn-rate alerts.
        last(never, `0x${steps}`),
      ],
      alert_rule_test: [
        { eval_time: `${evalSec}s`, alertname: rule.alert, exp_alerts: [expected(rule, { endpoint: quiet.id, app: quiet.app }, humanizeDuration(evalSec - lastPass))] },
        { eval_time: `${maxAge}s`, alertname: rule.alert, exp_alerts: [] },
      ],
    },
  ];
}

/** Go's template humanizeDuration for whole seconds ≥ 60 ("1h 0m 0s"). */
function humanizeDuration(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  if (d > 0) return `${d}d ${h}h ${m}m ${s}s`;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  return `${m}m ${s}s`;
}

function usageGroups(file: RuleFile): TestGroup[] {
  const drop = findAlert(file, 'GenprobeModalShareDropped');
  const down = findAlert(file, 'GenprobeUsageCollectorDown');
  const { shortWindow: short, longWindow: long } = USAGE_ALERT;
  const jobs = (provider: string, window: string, values: string, status = 'completed') =>
    series(M.usageJobs.name, { provider, type: 'image_generation', status, window }, values);
  const collector = { instance: '127.0.0.1:9464', job: 'genprobe' };
  const share = RECORDED.usageShare(short);
  return [
    {
      // Modal took 80 % of the day; in the last hour it got nothing while FAL got 10 jobs.
      name: 'modal share dropping to zero while the fallback takes the jobs',
      interval: '1m',
      input_series: [jobs('modal', long, '80x40'), jobs('comfyui', long, '20x40'), jobs('fal', short, '10x40')],
      alert_rule_test: [
        { eval_time: '10m', alertname: drop.alert, exp_alerts: [] },
        { eval_time: '20m', alertname: drop.alert, exp_alerts: [expected(drop, {}, '0%')] },
      ],
      promql_expr_test: [{ expr: share, eval_time: '20m', exp_samples: [{ labels: `${share}{provider="fal"}`, value: 1 }] }],
    },
    {
      // 30 % in the last hour against 80 % over the day is a drop below half; 70 % is not.
      name: 'modal share partial drop fires, a normal hour and a quiet hour do not',
      interval: '1m',
      input_series: [
        jobs('modal', long, '80x60'),
        jobs('comfyui', long, '20x60'),
        // Three 20-minute phases: 3 of 10 jobs on Modal, then 7 of 10, then 0 of 3.
        jobs('modal', short, '3x20 7x20 0x20'),
        jobs('comfyui', short, '5x20 2x20 1x20', 'failed'),
        jobs('comfyui', short, '2x20 1x20 2x20'),
      ],
      alert_rule_test: [
        { eval_time: '20m', alertname: drop.alert, exp_alerts: [expected(drop, {}, '30%')] },
        { eval_time: '40m', alertname: drop.alert, exp_alerts: [] },
        { eval_time: '60m', alertname: drop.alert, exp_alerts: [] },
      ],
    },
    {
      name: 'usage collector down for 10 minutes',
      interval: '1m',
      input_series: [
        series(M.usageUp.name, collector, '1x5 0x30'),
      ],
      alert_rule_test: [
        { eval_time: '15m', alertname: down.alert, exp_alerts: [] },
        { eval_time: '20m', alertname: down.alert, exp_alerts: [expected(down, collector, '0')] },
      ],
    },
  ];
}

/** The endpoint state's five gauges over time, one value string per state (the others are 0). */
function stateSeries(e: FleetEntry, phases: [string, number][]): InputSeries[] {
  const states = ['up', 'degraded', 'pending', 'down', 'maintenance'];
  return states.map((st) =>
    series(M.endpointState.name, { endpoint: e.id, app: e.app, state: st }, phases.map(([p, n]) => `${p === st ? 1 : 0}x${n - 1}`).join(' ')),
  );
}

function stateGroups(file: RuleFile, fleet: readonly FleetEntry[]): TestGroup[] {
  const [ep, other] = pickEndpoints(fleet);
  const down = findAlert(file, 'GenprobeEndpointDown');
  const degraded = findAlert(file, 'GenprobeEndpointDegraded');
  const offline = findAlert(file, 'GenprobeProberOffline');
  const heartbeat = findAlert(file, 'GenprobeHeartbeatMissing');
  const availability = ['Fast', 'Medium', 'Slow'].map((t) => findAlert(file, `GenprobeAvailabilityBurnRate${t}`));
  const probes = (e: FleetEntry, result: string, values: string) => series(M.probesTotal.name, { endpoint: e.id, app: e.app, kind: 'smoke', result }, values);
  const ids = (e: FleetEntry) => ({ endpoint: e.id, app: e.app });
  const quiet = (names: AlertingRule[], at: string[]) => at.flatMap((t) => names.map((a) => ({ eval_time: t, alertname: a.alert, exp_alerts: [] })));
  const prober = { instance: '127.0.0.1:9464', job: 'genprobe' };
  const schedule = { schedule: '0', kind: 'smoke', ...prober };
  return [
    {
      // One probe a minute; the one at minute 20 fails (a cold start that timed out, one 408): the
      // state goes pending for that minute only. 1 failure in 21–61 probes is over the 1x burn rate
      // of a 99 % SLO, so without the minimum-failures guard the slow tier would ticket.
      name: 'a single failed probe never fires',
      interval: '1m',
      input_series: [probes(ep, 'pass', '0+1x19 19+1x40'), probes(ep, 'fail', '0x19 1x40'), ...stateSeries(ep, [['up', 20], ['pending', 1], ['up', 40]])],
      alert_rule_test: quiet([down, ...availability], ['20m', '25m', '30m', '60m']),
    },
    {
      // Every probe fails from minute 10; the state machine is pending for two probes, then down.
      name: 'a confirmed outage fires GenprobeEndpointDown',
      interval: '1m',
      input_series: [probes(ep, 'pass', '0+1x9 10x50'), probes(ep, 'fail', '0x9 1+1x50'), ...stateSeries(ep, [['up', 10], ['pending', 2], ['down', 49]])],
      alert_rule_test: [
        { eval_time: '10m', alertname: down.alert, exp_alerts: [] },
        { eval_time: '15m', alertname: down.alert, exp_alerts: [expected(down, ids(ep), '1')] },
        // The burn-rate tiers are judged on steady series in their own case: at the start of an
        // outage the ratio read here depends on whether promtool evaluated the recording group
        // before the alert group at the same instant, so asserting its exact value was flaky.
      ],
    },
    {
      // ep failed for 10 minutes (down), then a deploy window opened: its probes count as
      // maintenance. The 30 m window still holds the failures, which without the window would page
      // at 6x; `other`, failing the same way outside any window, pages.
      name: 'a maintenance window silences the endpoint alerts',
      interval: '1m',
      input_series: [
        probes(ep, 'fail', '1+1x9 10x30'),
        probes(ep, 'maintenance', '0x9 1+1x30'),
        ...stateSeries(ep, [['pending', 2], ['down', 8], ['maintenance', 31]]),
        probes(other, 'fail', '1+1x9 10x30'),
        ...stateSeries(other, [['pending', 2], ['down', 39]]),
      ],
      alert_rule_test: [
        { eval_time: '5m', alertname: down.alert, exp_alerts: [expected(down, ids(ep), '1'), expected(down, ids(other), '1')] },
        { eval_time: '30m', alertname: down.alert, exp_alerts: [expected(down, ids(other), '1')] },
        { eval_time: '30m', alertname: availability[1].alert, exp_alerts: [expected(availability[1], ids(other), '100%')] },
        { eval_time: '30m', alertname: availability[2].alert, exp_alerts: [expected(availability[2], ids(other), '100%')] },
      ],
    },
    {
      name: 'a degraded endpoint tickets after 30 minutes',
      interval: '1m',
      input_series: stateSeries(ep, [['degraded', 60]]),
      alert_rule_test: [
        { eval_time: '25m', alertname: degraded.alert, exp_alerts: [] },
        { eval_time: '35m', alertname: degraded.alert, exp_alerts: [expected(degraded, ids(ep), '1')] },
      ],
    },
    {
      name: 'prober offline for 10 minutes pages',
      interval: '1m',
      input_series: [series(M.proberOnline.name, prober, '1x5 0x30')],
      alert_rule_test: [
        { eval_time: '10m', alertname: offline.alert, exp_alerts: [] },
        { eval_time: '20m', alertname: offline.alert, exp_alerts: [expected(offline, prober, '0')] },
      ],
    },
    {
      // A 15-minute schedule beats at 0, 15, 30, 45 and 60 minutes, then its cycles stop.
      name: 'stopped cycles fire the heartbeat alert after two intervals',
      interval: '1m',
      input_series: [
        series(M.lastCycle.name, schedule, '0x14 900x14 1800x14 2700x14 3600x89'),
        series(M.cycleInterval.name, schedule, '900x149'),
      ],
      alert_rule_test: [
        { eval_time: '60m', alertname: heartbeat.alert, exp_alerts: [] },
        { eval_time: '90m', alertname: heartbeat.alert, exp_alerts: [] },
        { eval_time: '100m', alertname: heartbeat.alert, exp_alerts: [expected(heartbeat, schedule, humanizeDuration(100 * 60 - 3600))] },
      ],
    },
  ];
}

export interface RulesTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: TestGroup[];
}

export function buildRuleTests(fleet: readonly FleetEntry[], options: RuleOptions = {}): RulesTestFile {
  const file = buildRules(fleet, options);
  const tests = [
    ...availabilityGroups(file, fleet),
    ...latencyGroups(file, fleet),
    ...budgetGroups(file),
    ...staleGroups(file, fleet, options),
    ...usageGroups(file),
    ...stateGroups(file, fleet),
  ];
  const covered = new Set(tests.flatMap((t) => (t.alert_rule_test ?? []).map((a) => a.alertname)));
  const missing = alertNames(file).filter((name) => !covered.has(name));
  if (missing.length > 0) throw new Error(`alerts without a promtool test: ${missing.join(', ')}`);
  // Rules are evaluated every 5 minutes of test time (eval times are multiples of it): promtool
  // evaluates all 50-odd rules at every step, and 1-minute steps made the test take ~15 s.
  return { rule_files: [RULES_FILE], evaluation_interval: '5m', tests };
}

export const RULES_TEST_HEADER = '# Generated by dashboards/src/rules-tests.ts — do not edit; run `npm run dashboards`.\n';

export function ruleTestsYaml(fleet: readonly FleetEntry[], options: RuleOptions = {}): string {
  return RULES_TEST_HEADER + toYaml(buildRuleTests(fleet, options));
}

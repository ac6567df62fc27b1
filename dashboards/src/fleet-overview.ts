/**
 * Fleet overview: one look at every endpoint — passing or not, latency against its budget split by
 * cold and warm starts, face match, GPU spend per day, budget left, skipped and stale probes.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../../src/metrics/names.ts';
import { barGauge, dashboard, gauge, labelVariable, prom, stat, table, timeseries } from './common.ts';
import { RECORDED } from './rules.ts';
import { BURN_RATE_TIERS, BUDGET_ALERT, DEFAULT_STALE, SLO_OBJECTIVES } from './slo.ts';

const M = METRICS;
/** Endpoint and app filters from the template variables. */
const F = 'endpoint=~"$endpoint",app=~"$app"';
const PROBE_INTERVAL = `${DEFAULT_STALE.probeIntervalSec}s`;
const STALE_AFTER_SEC = DEFAULT_STALE.probeIntervalSec * DEFAULT_STALE.intervals;

export const FLEET_UID = 'genprobe-fleet';

/** p95 of the request histogram for one start type, per endpoint. */
function latencyQuantile(start: 'cold' | 'warm', quantile: number, window: string): string {
  return `histogram_quantile(${quantile}, sum by (endpoint, le) (rate(${M.requestDuration.name}_bucket{${F},start="${start}"}[${window}])))`;
}

function budget(start: 'cold' | 'warm'): string {
  return `max by (endpoint) (${M.latencyBudget.name}{${F},start="${start}"})`;
}

function latencyVsBudgetPanel(start: 'cold' | 'warm') {
  return timeseries(
    `${start === 'warm' ? 'Warm' : 'Cold'} latency p95 vs budget`,
    [
      prom(latencyQuantile(start, 0.95, '$__rate_interval'), { legend: '{{endpoint}} p95' }),
      prom(budget(start), { legend: '{{endpoint}} budget' }),
    ],
    {
      description:
        `95th percentile wall time of ${start}-start generation calls (303 hops included), with each endpoint's ${start} ` +
        'budget from the catalog drawn dashed. Probes are sparse, so the rate window is at least one probe interval.',
      unit: 's',
      min: 0,
      dashed: 'budget$',
      minInterval: PROBE_INTERVAL,
      w: 12,
      h: 9,
    },
  );
}

/** How many endpoints the state gauge puts in the states `stateMatcher` matches (e.g. `="down"`), `colour` from one. */
function endpointsInState(title: string, stateMatcher: string, colour: string, description: string) {
  return stat(title, [prom(`count(max by (endpoint) (${M.endpointState.name}{${F},state${stateMatcher}}) == 1) or vector(0)`, { instant: true })], {
    description,
    thresholds: [['green', null], [colour, 1]],
    decimals: 0,
  });
}

export function fleetOverview(): Dashboard {
  return dashboard({
    uid: FLEET_UID,
    title: 'genprobe / Fleet overview',
    description: 'Contract probes of the GPU generation fleet on Modal: pass/fail, latency vs budget, face match, GPU spend.',
    variables: [
      labelVariable('app', M.probeSuccess.name, { label: 'App', multi: true }),
      labelVariable('endpoint', M.probeSuccess.name, { label: 'Endpoint', multi: true, filter: 'app=~"$app"' }),
    ],
    sections: [
      {
        row: 'Now',
        panels: [
          stat('Endpoints passing', [prom(`sum(${M.probeSuccess.name}{${F}})`, { instant: true })], {
            description: 'Endpoints whose last probe passed its contract.',
            thresholds: [['green', null]],
          }),
          stat('Endpoints failing', [prom(`count(${M.probeSuccess.name}{${F}} == 0) or vector(0)`, { instant: true })], {
            description: 'Endpoints whose last probe failed its contract.',
            thresholds: [['green', null], ['red', 1]],
          }),
          stat('Stale probes', [prom(`count(time() - ${M.lastSuccess.name}{${F}} > ${STALE_AFTER_SEC}) or vector(0)`, { instant: true })], {
            description: `Endpoints without a passing probe for more than ${DEFAULT_STALE.intervals} probe intervals (${STALE_AFTER_SEC} s).`,
            thresholds: [['green', null], ['orange', 1]],
          }),
          stat('GPU cost, last 24 h', [prom(`sum(increase(${M.gpuCost.name}{${F}}[1d]))`, { instant: true })], {
            description: 'GPU spend of probes over the last day (X-Cost-USD where the fleet sends it, else GPU-seconds × price).',
            unit: 'currencyUSD',
            decimals: 2,
          }),
          gauge('Budget left', [prom(`${M.budgetRemaining.name} / ${M.budgetLimit.name}`, { legend: '{{period}}', instant: true })], {
            description: 'Share of the daily and monthly GPU budget left. When it runs out, probes are skipped.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            thresholds: [['red', null], ['orange', BUDGET_ALERT.lowFraction], ['green', 0.25]],
          }),
          stat('Probes skipped', [prom(`sum(increase(${M.probesSkipped.name}{${F}}[$__range])) or vector(0)`, { instant: true })], {
            description: 'Probes skipped in the selected range (budget spent, or the app busy).',
            thresholds: [['green', null], ['orange', 1]],
            decimals: 0,
          }),
          endpointsInState('Endpoints down', '="down"', 'red', 'Endpoints whose state is down: failuresToDown failed probes in a row (a single failure is only pending). What GenprobeEndpointDown pages on.'),
          endpointsInState('Pending or degraded', '=~"pending|degraded"', 'orange', 'Endpoints failing but not yet confirmed (pending), or working slower than their budget or with a warning (degraded).'),
          endpointsInState('In maintenance', '="maintenance"', 'blue', 'Endpoints whose last probe ran inside a maintenance window: recorded, not counted, alerts silent.'),
          stat('Prober online', [prom(`min(${M.proberOnline.name})`, { instant: true })], {
            description: 'Whether the prober reached its canaries at its last self-check; 0 means its unanswered probes are recorded as prober-offline.',
            thresholds: [['red', null], ['green', 1]],
            mappings: { '0': { text: 'offline', color: 'red' }, '1': { text: 'online', color: 'green' } },
          }),
        ],
      },
      {
        row: 'Per endpoint',
        panels: [
          table(
            'Endpoints',
            [
              prom(`max by (endpoint, app) (${M.probeSuccess.name}{${F}})`, { instant: true, format: 'table' }),
              prom(
                `max by (endpoint, app) (${M.lastDuration.name}{${F}} / on (endpoint, app, start) group_left ${M.latencyBudget.name}{${F}})`,
                { instant: true, format: 'table' },
              ),
              prom(`max by (endpoint, app) (${M.lastFaceMatch.name}{${F}})`, { instant: true, format: 'table' }),
              prom(`time() - max by (endpoint, app) (${M.lastSuccess.name}{${F}})`, { instant: true, format: 'table' }),
              prom(`sum by (endpoint, app) (increase(${M.gpuCost.name}{${F}}[1d]))`, { instant: true, format: 'table' }),
            ],
            {
              description: 'Last probe per endpoint: pass (1) or fail (0), last call time over its budget, face match, time since the last pass, GPU cost over 24 h.',
              columns: {
                'Value #A': 'Passing',
                'Value #B': 'Last call / budget',
                'Value #C': 'Face match %',
                'Value #D': 'Since last pass (s)',
                'Value #E': 'GPU cost 24 h (USD)',
              },
              h: 10,
            },
          ),
          timeseries('Probe success', [prom(`max by (endpoint) (${M.probeSuccess.name}{${F}})`, { legend: '{{endpoint}}' })], {
            description: '1 while the last probe of the endpoint passed its contract, 0 after a failure.',
            min: 0,
            max: 1,
            steps: true,
          }),
          timeseries(
            'Availability error budget burn (1 h)',
            [prom(`(1 - ${RECORDED.availability('1h')}{${F}}) / ${Number((1 - SLO_OBJECTIVES.availability).toFixed(6))}`, { legend: '{{endpoint}}' })],
            {
              description:
                `How many times faster than allowed each endpoint spends its ${SLO_OBJECTIVES.availability * 100}% availability error budget ` +
                `over the last hour (recording rule ${RECORDED.availability('1h')}). The page thresholds are ${BURN_RATE_TIERS.map((t) => `${t.factor}×`).join(', ')}.`,
              min: 0,
              thresholds: [
                ['green', null],
                ...BURN_RATE_TIERS.slice()
                  .sort((a, b) => a.factor - b.factor)
                  .map((t) => [t.severity === 'page' ? 'red' : 'orange', t.factor] as [string, number]),
              ],
            },
          ),
          latencyVsBudgetPanel('warm'),
          latencyVsBudgetPanel('cold'),
          barGauge(
            'Latency p95 / budget over the range',
            [
              prom(
                `histogram_quantile(0.95, sum by (endpoint, start, le) (increase(${M.requestDuration.name}_bucket{${F}}[$__range])))\n` +
                  `/ on (endpoint, start)\nmax by (endpoint, start) (${M.latencyBudget.name}{${F}})`,
                { legend: '{{endpoint}} {{start}}', instant: true },
              ),
            ],
            {
              description: 'p95 call time over the selected range divided by the budget of the same start type: above 100% the endpoint is degraded.',
              unit: 'percentunit',
              min: 0,
              max: 2,
              thresholds: [['green', null], ['orange', 0.9], ['red', 1]],
            },
          ),
          barGauge(
            'Time since last pass',
            [prom(`time() - max by (endpoint) (${M.lastSuccess.name}{${F}})`, { legend: '{{endpoint}}', instant: true })],
            {
              description: `Age of the last passing probe. Orange after one probe interval, red after ${DEFAULT_STALE.intervals} (the stale-probe alert).`,
              unit: 's',
              min: 0,
              thresholds: [['green', null], ['orange', DEFAULT_STALE.probeIntervalSec * 1.5], ['red', STALE_AFTER_SEC]],
            },
          ),
        ],
      },
      {
        row: 'Face match',
        panels: [
          timeseries('Last face match', [prom(`max by (endpoint) (${M.lastFaceMatch.name}{${F}})`, { legend: '{{endpoint}}' })], {
            description: 'Calibrated face match % of the last output of each face route against its reference identity.',
            unit: 'percent',
            min: 0,
            max: 100,
            steps: true,
            thresholds: [['red', null], ['orange', 80], ['green', 85]],
          }),
          barGauge(
            'Face match p10 over the range',
            [
              prom(`histogram_quantile(0.1, sum by (endpoint, le) (increase(${M.faceMatch.name}_bucket{${F}}[$__range])))`, {
                legend: '{{endpoint}}',
                instant: true,
              }),
            ],
            {
              description: 'The face match 90% of outputs beat in the selected range: the worst decile, where identity drift shows first.',
              unit: 'percent',
              min: 0,
              max: 100,
              thresholds: [['red', null], ['orange', 80], ['green', 85]],
            },
          ),
        ],
      },
      {
        row: 'Spend and budget',
        panels: [
          timeseries('GPU cost per day', [prom(`sum by (endpoint) (increase(${M.gpuCost.name}{${F}}[1d]))`, { legend: '{{endpoint}}' })], {
            description: 'Rolling 24 h GPU spend of probes per endpoint, stacked.',
            unit: 'currencyUSD',
            min: 0,
            stack: true,
          }),
          timeseries(
            'Budget left',
            [
              prom(`${M.budgetRemaining.name}`, { legend: '{{period}} left' }),
              prom(`${M.budgetLimit.name}`, { legend: '{{period}} limit' }),
            ],
            {
              description: 'GPU budget left in the current day and month, with the limits dashed.',
              unit: 'currencyUSD',
              min: 0,
              dashed: 'limit$',
              steps: true,
            },
          ),
          timeseries(
            'Probes skipped',
            [prom(`sum by (endpoint, reason) (increase(${M.probesSkipped.name}{${F}}[$__rate_interval]))`, { legend: '{{endpoint}} ({{reason}})' })],
            {
              description: 'Probes not run because the budget would be exceeded (budget) or the app was still busy (busy).',
              min: 0,
              bars: true,
              stack: true,
              minInterval: PROBE_INTERVAL,
              w: 24,
            },
          ),
        ],
      },
    ],
  });
}

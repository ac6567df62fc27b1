/**
 * Endpoint drill-down: everything genprobe knows about one endpoint — latency percentiles for cold
 * and warm starts against the budget, 303 redirects, which checks fail, face match distribution, cost.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../../src/metrics/names.ts';
import { barGauge, dashboard, labelVariable, prom, stat, table, timeseries } from './common.ts';
import { DEFAULT_STALE } from './slo.ts';

const M = METRICS;
const E = 'endpoint=~"$endpoint"';
const PROBE_INTERVAL = `${DEFAULT_STALE.probeIntervalSec}s`;

export const ENDPOINT_UID = 'genprobe-endpoint';

const QUANTILES = [0.5, 0.9, 0.99] as const;

function percentilesPanel(start: 'cold' | 'warm') {
  const bucket = `${M.requestDuration.name}_bucket{${E},start="${start}"}`;
  return timeseries(
    `${start === 'warm' ? 'Warm' : 'Cold'} latency percentiles`,
    [
      ...QUANTILES.map((q) =>
        prom(`histogram_quantile(${q}, sum by (le) (rate(${bucket}[$__rate_interval])))`, { legend: `p${Math.round(q * 100)}` }),
      ),
      prom(`max(${M.latencyBudget.name}{${E},start="${start}"})`, { legend: 'budget' }),
    ],
    {
      description: `p50/p90/p99 wall time of ${start}-start calls including 303 hops, against the ${start} budget (dashed).`,
      unit: 's',
      min: 0,
      dashed: '^budget$',
      minInterval: PROBE_INTERVAL,
    },
  );
}

export function endpointDrilldown(): Dashboard {
  return dashboard({
    uid: ENDPOINT_UID,
    title: 'genprobe / Endpoint',
    description: 'One endpoint of the fleet in detail: latency percentiles cold and warm, redirects, failing checks, face match, cost.',
    variables: [
      labelVariable('endpoint', M.probeSuccess.name, { label: 'Endpoint', multi: false }),
      labelVariable('app', M.probeSuccess.name, { label: 'App', multi: false, filter: E }),
    ],
    sections: [
      {
        row: 'Last probe',
        panels: [
          stat('Contract', [prom(`max(${M.probeSuccess.name}{${E}})`, { instant: true })], {
            description: 'Whether the last probe passed every contract check.',
            mappings: { '1': { text: 'PASS', color: 'green' }, '0': { text: 'FAIL', color: 'red' } },
          }),
          stat('Latency verdict', [prom(`max by (verdict) (${M.probeVerdict.name}{${E}}) == 1`, { instant: true, legend: '{{verdict}}' })], {
            description: 'ok, degraded (over budget) or failed, from the last call against its cold or warm budget.',
            textMode: 'name',
          }),
          stat('Last call', [prom(`max by (start) (${M.lastDuration.name}{${E}})`, { instant: true, legend: '{{start}}' })], {
            description: 'Wall time of the last generation call, by how it started.',
            unit: 's',
            textMode: 'value_and_name',
          }),
          stat('Redirects (last call)', [prom(`max(${M.redirects.name}{${E}})`, { instant: true })], {
            description: "303 hops the last call followed: Modal answers 303 after 150 s and the client polls the result URL.",
            thresholds: [['green', null], ['orange', 1]],
          }),
          stat('Since last pass', [prom(`time() - max(${M.lastSuccess.name}{${E}})`, { instant: true })], {
            description: 'Time since the endpoint last passed a probe.',
            unit: 's',
            thresholds: [['green', null], ['red', DEFAULT_STALE.probeIntervalSec * DEFAULT_STALE.intervals]],
          }),
          stat('GPU cost in range', [prom(`sum(increase(${M.gpuCost.name}{${E}}[$__range]))`, { instant: true })], {
            description: 'GPU spend of the probes of this endpoint in the selected range.',
            unit: 'currencyUSD',
            decimals: 3,
          }),
        ],
      },
      {
        row: 'Latency',
        panels: [
          percentilesPanel('warm'),
          percentilesPanel('cold'),
          timeseries(
            'Last call vs budget',
            [
              prom(`max by (start) (${M.lastDuration.name}{${E}})`, { legend: 'last call ({{start}})' }),
              prom(`max by (start) (${M.latencyBudget.name}{${E}})`, { legend: '{{start}} budget' }),
            ],
            {
              description: 'Wall time of the last call of each start type, with the budgets dashed.',
              unit: 's',
              min: 0,
              steps: true,
              dashed: 'budget$',
            },
          ),
          timeseries(
            'Warm-up time of the app',
            [
              prom(`histogram_quantile(0.5, sum by (le) (rate(${M.warmupDuration.name}_bucket{app=~"$app"}[$__rate_interval])))`, { legend: 'p50' }),
              prom(`histogram_quantile(0.95, sum by (le) (rate(${M.warmupDuration.name}_bucket{app=~"$app"}[$__rate_interval])))`, { legend: 'p95' }),
            ],
            {
              description: 'How long GET /health of the app took to answer when genprobe warmed it before a probe (a cold start shows here).',
              unit: 's',
              min: 0,
              minInterval: PROBE_INTERVAL,
            },
          ),
        ],
      },
      {
        row: 'Redirects and checks',
        panels: [
          timeseries(
            'Redirects',
            [
              prom(`max(${M.redirects.name}{${E}})`, { legend: 'last call' }),
              prom(`sum(increase(${M.redirectsTotal.name}{${E}}[$__rate_interval]))`, { legend: 'followed in interval' }),
            ],
            {
              description: '303 hops of the last call, and hops followed per interval.',
              min: 0,
              decimals: 0,
              minInterval: PROBE_INTERVAL,
            },
          ),
          timeseries(
            'Check failures by check',
            [prom(`sum by (check) (increase(${M.checkFailures.name}{${E}}[$__rate_interval]))`, { legend: '{{check}}' })],
            {
              description: 'Failed contract checks per interval, by check (status, media-type, image-size, face-match, latency…).',
              min: 0,
              bars: true,
              stack: true,
              minInterval: PROBE_INTERVAL,
            },
          ),
          table(
            'Check failures in range',
            [prom(`sort_desc(sum by (check) (increase(${M.checkFailures.name}{${E}}[$__range])))`, { instant: true, format: 'table' })],
            {
              description: 'Which checks failed in the selected range, most frequent first.',
              columns: { Value: 'Failures' },
              w: 12,
            },
          ),
          timeseries(
            'Probe results',
            [prom(`sum by (kind, result) (increase(${M.probesTotal.name}{${E}}[$__rate_interval]))`, { legend: '{{kind}} {{result}}' })],
            {
              description: 'Probes run per interval by kind (health, smoke, full) and result.',
              min: 0,
              bars: true,
              stack: true,
              minInterval: PROBE_INTERVAL,
            },
          ),
        ],
      },
      {
        row: 'Face match and cost',
        panels: [
          barGauge(
            'Face match distribution',
            [prom(`sum by (le) (increase(${M.faceMatch.name}_bucket{${E}}[$__range]))`, { legend: '{{le}}', instant: true, format: 'heatmap' })],
            {
              description: 'How many outputs fell in each face match band (upper bound %) in the selected range.',
              min: 0,
              decimals: 0,
            },
          ),
          timeseries(
            'Face match',
            [
              prom(`max(${M.lastFaceMatch.name}{${E}})`, { legend: 'last' }),
              prom(`histogram_quantile(0.5, sum by (le) (rate(${M.faceMatch.name}_bucket{${E}}[$__rate_interval])))`, { legend: 'median' }),
            ],
            {
              description: 'Face match % of the last output and the median per interval, against the 80–85% pass band.',
              unit: 'percent',
              min: 0,
              max: 100,
              thresholds: [['red', null], ['orange', 80], ['green', 85]],
              minInterval: PROBE_INTERVAL,
            },
          ),
          timeseries(
            'GPU cost per day',
            [prom(`sum by (gpu) (increase(${M.gpuCost.name}{${E}}[1d]))`, { legend: '{{gpu}}' })],
            {
              description: 'Rolling 24 h GPU spend of probing this endpoint, by GPU type.',
              unit: 'currencyUSD',
              min: 0,
              w: 24,
            },
          ),
        ],
      },
    ],
  });
}

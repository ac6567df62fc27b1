/**
 * Modal versus ComfyUI (and FAL, RunPod): who actually served the platform's generation jobs, read
 * from the jobs database by genprobe's usage collector and classified by job id (docs/fleet.md §7.6),
 * plus the collector's own health.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../../src/metrics/names.ts';
import { dashboard, labelVariable, pieChart, prom, stat, table, timeseries } from './common.ts';
import { RECORDED } from './rules.ts';
import { USAGE_ALERT } from './slo.ts';

const M = METRICS;
const W = 'window="$window"';
const WP = `${W},provider=~"$provider"`;

export const USAGE_UID = 'genprobe-usage';

function jobs(filter: string): string {
  return `sum(${M.usageJobs.name}{${filter}})`;
}

export function usageDashboard(): Dashboard {
  return dashboard({
    uid: USAGE_UID,
    title: 'genprobe / Modal vs ComfyUI usage',
    description: 'Generation jobs of the platform by provider (modal, comfyui, fal, runpod, unknown), job type and status, read from generation_jobs.',
    variables: [
      labelVariable('window', M.usageJobs.name, { label: 'Window', multi: false }),
      labelVariable('provider', M.usageJobs.name, { label: 'Provider', multi: true }),
    ],
    sections: [
      {
        row: 'Share',
        panels: [
          stat(
            'Modal share of jobs',
            [prom(`(${jobs(`provider="${USAGE_ALERT.modalProvider}",${W}`)} or vector(0)) / ${jobs(W)}`, { instant: true })],
            {
              description: 'Jobs classified as Modal (external_job_id modal_… or provider modal) over all jobs in the window.',
              unit: 'percentunit',
              thresholds: [['red', null], ['orange', 0.25], ['green', 0.5]],
            },
          ),
          stat('Jobs in window', [prom(jobs(W), { instant: true })], {
            description: 'generation_jobs rows created in the window, all providers.',
            decimals: 0,
          }),
          stat('Failed share', [prom(`sum(${M.usageFailures.name}{${W}}) / ${jobs(W)}`, { instant: true })], {
            description: 'Failed jobs over all jobs in the window.',
            unit: 'percentunit',
            thresholds: [['green', null], ['orange', 0.05], ['red', 0.2]],
          }),
          stat('Mislabelled jobs', [prom(`sum(${M.usageMislabelled.name}{${W}}) or vector(0)`, { instant: true })], {
            description: "Jobs whose stored external_provider disagrees with the classification (profile-picture jobs sent to Modal but stored as 'comfyui').",
            decimals: 0,
            thresholds: [['green', null], ['orange', 1]],
          }),
          stat('Collector', [prom(`max(${M.usageUp.name})`, { instant: true })], {
            description: 'Whether the last read of the jobs database succeeded.',
            mappings: { '1': { text: 'UP', color: 'green' }, '0': { text: 'DOWN', color: 'red' } },
          }),
          stat('Last read', [prom(`time() - max(${M.usageLastRead.name})`, { instant: true })], {
            description: 'Time since the last successful read of generation_jobs.',
            unit: 's',
            thresholds: [['green', null], ['orange', 300], ['red', 900]],
          }),
          pieChart('Jobs by provider', [prom(`sum by (provider) (${M.usageJobs.name}{${WP}})`, { legend: '{{provider}}', instant: true })], {
            description: 'Share of jobs per classified provider in the window.',
          }),
          timeseries(
            'Share by provider',
            [prom(`sum by (provider) (${M.usageJobs.name}{${WP}})\n/ ignoring (provider) group_left\n${jobs(W)}`, { legend: '{{provider}}' })],
            {
              description: 'Share of jobs per provider over time. A sudden Modal drop with FAL/ComfyUI rising means the API marked Modal unavailable.',
              unit: 'percentunit',
              min: 0,
              max: 1,
              stack: true,
              w: 16,
            },
          ),
          timeseries(
            `Modal share, ${USAGE_ALERT.shortWindow} vs ${USAGE_ALERT.longWindow}`,
            [
              prom(`${RECORDED.usageShare(USAGE_ALERT.shortWindow)}{provider="${USAGE_ALERT.modalProvider}"}`, { legend: `last ${USAGE_ALERT.shortWindow}` }),
              prom(`${RECORDED.usageShare(USAGE_ALERT.longWindow)}{provider="${USAGE_ALERT.modalProvider}"}`, { legend: `last ${USAGE_ALERT.longWindow}` }),
              prom(`${USAGE_ALERT.shareDropFactor} * ${RECORDED.usageShare(USAGE_ALERT.longWindow)}{provider="${USAGE_ALERT.modalProvider}"}`, {
                legend: 'alert threshold',
              }),
            ],
            {
              description:
                `The GenprobeModalShareDropped alert fires when the ${USAGE_ALERT.shortWindow} share stays under ` +
                `${USAGE_ALERT.shareDropFactor}× the ${USAGE_ALERT.longWindow} share for ${USAGE_ALERT.forDuration} (threshold dashed).`,
              unit: 'percentunit',
              min: 0,
              max: 1,
              dashed: 'threshold$',
              w: 24,
            },
          ),
        ],
      },
      {
        row: 'Jobs',
        panels: [
          table(
            'Jobs by type and status',
            [prom(`sum by (provider, type, status) (${M.usageJobs.name}{${WP}})`, { instant: true, format: 'table' })],
            {
              description: 'Jobs in the window per provider, job type and status.',
              columns: { Value: 'Jobs' },
              w: 12,
              h: 10,
            },
          ),
          timeseries('Jobs by status', [prom(`sum by (status) (${M.usageJobs.name}{${WP}})`, { legend: '{{status}}' })], {
            description: 'Jobs in the window by status (queued, processing, completed, failed, cancelled).',
            min: 0,
            stack: true,
            h: 10,
          }),
          timeseries('Failed jobs by provider', [prom(`sum by (provider) (${M.usageFailures.name}{${WP}})`, { legend: '{{provider}}' })], {
            description: 'Failed jobs in the window per provider.',
            min: 0,
          }),
          timeseries(
            'Failure ratio by provider',
            [prom(`sum by (provider) (${M.usageFailures.name}{${WP}})\n/\nsum by (provider) (${M.usageJobs.name}{${WP}})`, { legend: '{{provider}}' })],
            {
              description: 'Failed jobs over all jobs per provider in the window.',
              unit: 'percentunit',
              min: 0,
              max: 1,
            },
          ),
          timeseries(
            'Mean job duration',
            [
              prom(
                `sum by (provider, type) (${M.usageJobDurationSum.name}{${WP}})\n/\nsum by (provider, type) (${M.usageTimedJobs.name}{${WP}})`,
                { legend: '{{provider}} {{type}}' },
              ),
            ],
            {
              description: 'Mean duration of jobs in the window (completed_at or updated_at minus started_at), by provider and job type.',
              unit: 's',
              min: 0,
            },
          ),
          table(
            'Mislabelled jobs',
            [prom(`sum by (stored, classified) (${M.usageMislabelled.name}{${W}})`, { instant: true, format: 'table' })],
            {
              description: 'Stored external_provider against the classification from external_job_id, for jobs where they disagree.',
              columns: { Value: 'Jobs' },
              w: 12,
            },
          ),
        ],
      },
      {
        row: 'Collector health',
        panels: [
          timeseries(
            'Collector up and query time',
            [
              prom(`max(${M.usageUp.name})`, { legend: 'up' }),
              prom(`max(${M.usageQueryDuration.name})`, { legend: 'query seconds' }),
            ],
            {
              description: 'Whether reads of generation_jobs succeed, and how long the last usage query took.',
              min: 0,
              steps: true,
            },
          ),
          timeseries(
            'Read errors',
            [prom(`sum by (reason) (increase(${M.usageReadErrors.name}[$__rate_interval]))`, { legend: '{{reason}}' })],
            {
              description: 'Failed reads of the jobs database by reason (connection, timeout, schema…).',
              min: 0,
              bars: true,
              noValue: '0',
            },
          ),
        ],
      },
    ],
  });
}

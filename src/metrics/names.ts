/**
 * Every metric genprobe exports, in one place, so the exporter, the dashboards, the alert rules and
 * the tests agree on names and labels. Conventions (anchors.md §4): `genprobe_` prefix, base units,
 * `_total` only on counters, timestamps not "time since", bounded labels (no per-request ids).
 */
export interface MetricDef {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labels: readonly string[];
  buckets?: readonly number[];
}

/** Fitted to 1–600 s generation calls; 150 is Modal's 303 cut. */
export const LATENCY_BUCKETS = [1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 150, 180, 240, 300, 450, 600] as const;
/** Waits for a slot: none (0.01) to a queue behind long generations (600). */
export const SLOT_WAIT_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600] as const;
/** Face match percentage 0–100. */
export const FACE_MATCH_BUCKETS = [10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 100] as const;

export const METRICS = {
  // --- probes (issue 4) ---
  probeSuccess: { name: 'genprobe_probe_success', type: 'gauge', help: '1 if the last probe of the endpoint passed its contract, else 0.', labels: ['endpoint', 'app', 'gpu', 'kind'] },
  probeVerdict: { name: 'genprobe_probe_verdict', type: 'gauge', help: 'Last latency verdict of the endpoint: 1 for the current verdict label (ok|degraded|failed), 0 otherwise.', labels: ['endpoint', 'app', 'verdict'] },
  probesTotal: { name: 'genprobe_probes_total', type: 'counter', help: 'Probes run, by kind (health|smoke|full) and result (pass|warn|fail).', labels: ['endpoint', 'app', 'kind', 'result'] },
  requestDuration: { name: 'genprobe_request_duration_seconds', type: 'histogram', help: 'Wall time of generation calls including 303 hops.', labels: ['endpoint', 'app', 'gpu', 'start'], buckets: LATENCY_BUCKETS },
  latencyBudget: { name: 'genprobe_latency_budget_seconds', type: 'gauge', help: 'Latency budget of the endpoint from the catalog, by start type.', labels: ['endpoint', 'app', 'start'] },
  lastDuration: { name: 'genprobe_last_request_duration_seconds', type: 'gauge', help: 'Wall time of the last generation call of the endpoint of each start type (cold|warm|unknown).', labels: ['endpoint', 'app', 'start'] },
  warmupDuration: { name: 'genprobe_warmup_duration_seconds', type: 'histogram', help: 'Time for GET /health to answer when warming an app, by whether the warm-up paid a container start (start=cold|warm).', labels: ['app', 'start'], buckets: LATENCY_BUCKETS },
  redirects: { name: 'genprobe_redirects', type: 'gauge', help: '303 hops followed by the last call of the endpoint.', labels: ['endpoint', 'app'] },
  redirectsTotal: { name: 'genprobe_redirects_total', type: 'counter', help: '303 hops followed.', labels: ['endpoint', 'app'] },
  checkFailures: { name: 'genprobe_check_failures_total', type: 'counter', help: 'Failed checks, by check name.', labels: ['endpoint', 'app', 'check'] },
  faceMatch: { name: 'genprobe_face_match_percent', type: 'histogram', help: 'Calibrated face match percentage of outputs against their reference.', labels: ['endpoint', 'app'], buckets: FACE_MATCH_BUCKETS },
  lastFaceMatch: { name: 'genprobe_last_face_match_percent', type: 'gauge', help: 'Face match percentage of the last probe.', labels: ['endpoint', 'app'] },
  gpuCost: { name: 'genprobe_gpu_cost_usd_total', type: 'counter', help: 'GPU spend of probes in USD (X-Cost-USD or GPU-seconds x price).', labels: ['endpoint', 'app', 'gpu'] },
  budgetRemaining: { name: 'genprobe_budget_remaining_usd', type: 'gauge', help: 'GPU budget left in the current period.', labels: ['period'] },
  budgetLimit: { name: 'genprobe_budget_limit_usd', type: 'gauge', help: 'GPU budget of the period.', labels: ['period'] },
  probesSkipped: { name: 'genprobe_probes_skipped_total', type: 'counter', help: 'Probes skipped, by reason (budget|busy|maintenance|disabled|unsupported|prober-offline|queue-timeout|slot-taken: another runner probed the schedule slot).', labels: ['endpoint', 'app', 'reason'] },
  lastSuccess: { name: 'genprobe_last_success_timestamp_seconds', type: 'gauge', help: 'Unix time of the last passing probe of the endpoint.', labels: ['endpoint', 'app'] },
  lastProbe: { name: 'genprobe_last_probe_timestamp_seconds', type: 'gauge', help: 'Unix time of the last probe of the endpoint.', labels: ['endpoint', 'app'] },
  slotWait: { name: 'genprobe_slot_wait_seconds', type: 'histogram', help: "Time a probe call or warm-up waited for its app's slot before it was sent (genprobe's own queueing: one call per app at a time; not part of the call's duration).", labels: ['app'], buckets: SLOT_WAIT_BUCKETS },
  // --- endpoint state, heartbeat, self-check (issue 15) ---
  endpointState: { name: 'genprobe_endpoint_state', type: 'gauge', help: 'OpenMetrics StateSet of the endpoint state with hysteresis: 1 for the current state (up|degraded|pending|down|maintenance), 0 for the others.', labels: ['endpoint', 'app', 'state'] },
  passRatio: { name: 'genprobe_endpoint_pass_ratio', type: 'gauge', help: 'Share of the last probes of the endpoint (up to 20, maintenance and prober-offline probes not counted) that held their contract.', labels: ['endpoint', 'app'] },
  lastCycle: { name: 'genprobe_last_cycle_timestamp_seconds', type: 'gauge', help: 'Unix time the last probe cycle of the schedule finished (heartbeat; the service start before its first cycle; schedule="once" for one-shot runs).', labels: ['schedule', 'kind'] },
  cycleInterval: { name: 'genprobe_cycle_interval_seconds', type: 'gauge', help: 'Expected seconds between cycles of the schedule (from its cron expression), for the heartbeat alert.', labels: ['schedule', 'kind'] },
  proberOnline: { name: 'genprobe_prober_online', type: 'gauge', help: '1 if the prober reached at least one of its canaries at its last self-check, else 0.', labels: [] },
  buildInfo: { name: 'genprobe_build_info', type: 'gauge', help: 'Build information, always 1.', labels: ['version', 'node_version'] },
  // --- usage from the jobs database (issue 5) ---
  // Gauges over a trailing window (`window` = 1d, 1h…: Prometheus durations), recomputed from
  // generation_jobs on every read; every known label combination is exported, 0 included.
  usageJobs: { name: 'genprobe_usage_jobs', type: 'gauge', help: 'generation_jobs rows created in the window, by classified provider (modal|comfyui|fal|runpod|unknown), job type and status.', labels: ['provider', 'type', 'status', 'window'] },
  usageJobDurationSum: { name: 'genprobe_usage_job_duration_sum_seconds', type: 'gauge', help: 'Summed duration of the timed jobs created in the window (completed_at or, for terminal rows, updated_at minus started_at); mean = this / genprobe_usage_timed_jobs.', labels: ['provider', 'type', 'window'] },
  usageTimedJobs: { name: 'genprobe_usage_timed_jobs', type: 'gauge', help: 'Jobs created in the window that have a measurable duration, by provider and job type.', labels: ['provider', 'type', 'window'] },
  usageFailures: { name: 'genprobe_usage_failed_jobs', type: 'gauge', help: 'Failed jobs created in the window, by classified provider.', labels: ['provider', 'window'] },
  usageMislabelled: { name: 'genprobe_usage_mislabelled_jobs', type: 'gauge', help: 'Jobs created in the window whose stored external_provider (bucketed; none = NULL) disagrees with the classified provider.', labels: ['stored', 'classified', 'window'] },
  usageLastRead: { name: 'genprobe_usage_last_success_timestamp_seconds', type: 'gauge', help: 'Unix time of the last successful read of generation_jobs (0 before the first).', labels: [] },
  usageReads: { name: 'genprobe_usage_reads_total', type: 'counter', help: 'Reads of generation_jobs attempted.', labels: [] },
  usageReadErrors: { name: 'genprobe_usage_read_errors_total', type: 'counter', help: 'Failed reads of generation_jobs, by reason (connect|timeout|schema|query).', labels: ['reason'] },
  usageQueryDuration: { name: 'genprobe_usage_query_duration_seconds', type: 'gauge', help: 'Duration of the last read of generation_jobs, successful or not.', labels: [] },
  usageUp: { name: 'genprobe_usage_up', type: 'gauge', help: '1 if the last read of the jobs database succeeded, else 0.', labels: [] },
} as const satisfies Record<string, MetricDef>;

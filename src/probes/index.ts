/** The production probing service (issue 4): public surface for the CLI, the server and tests. */
export { Budget, BudgetStateError, utcDayKey, utcMonthKey, BUDGET_PERIODS, type BudgetPeriod, type BudgetOptions, type BudgetState, type Affordability } from './budget.ts';
export { classifyCall, classifyWarmUp, WarmBaseline, COLD_EXCESS_SHARE, COLD_EXCESS_SHARE_AFTER_IDLE, type CallStartInput, type WarmUpStartInput, type StartClassification, type ClassifiedStart } from './cold-start.ts';
export { Warmer, type WarmUpResult, type WarmerOptions } from './warmer.ts';
export { createProbeMetrics, checksFor, PROBE_KINDS, PROBE_RESULTS, SKIP_REASONS, LATENCY_VERDICTS, type ProbeMetrics, type ProbeMetricsOptions, type ProbeResult, type SkipReason } from './metrics.ts';
export { ProbeRunner, estimateProbeCostUsd, healthLatencyBudget, jsonLineLogger, type ProbeRunnerOptions, type ProbeLogger } from './probe-runner.ts';
export { Scheduler, matchEndpoints, resolveSchedules, kindsByEndpoint, type SchedulerOptions, type ResolvedSchedule } from './scheduler.ts';
export { ProbeStatusStore, shortMessage, HISTORY_SIZE, MAX_ERROR_CHARS, type StatusSource, type EndpointStatus, type ProbeOutcome, type LatencySample, type BudgetStatus, type WarmUpSummary } from './status.ts';
export { createProbeService, clientFor, type ProbeService, type ProbeServiceOptions } from './service.ts';

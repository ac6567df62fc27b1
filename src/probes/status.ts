/**
 * What the service knows about each endpoint right now: the last probe outcome, the last output
 * bytes (for a thumbnail) and face reference, and a bounded latency history. /api/status and the
 * status page read it through the StatusSource interface; only the probe runner writes it.
 */
import type { AppName } from '../catalog/types.ts';
import type { ProbeKind } from '../config/index.ts';
import type { UsageSnapshot } from '../usage/collector.ts';
import type { BudgetPeriod } from './budget.ts';
import type { SkipReason } from './metrics.ts';
import type { EndpointStateSnapshot } from '../state/tracker.ts';

export type LatencyVerdictLabel = 'ok' | 'degraded' | 'failed';
export type StartLabel = 'cold' | 'warm' | 'unknown';

export interface WarmUpSummary {
  app: AppName;
  ok: boolean;
  status: number | null;
  durationMs: number;
  start: 'cold' | 'warm';
  reason: string;
  error?: string;
}

export interface ProbeOutcome {
  endpoint: string;
  app: AppName;
  gpu: string;
  kind: ProbeKind;
  /** Unix ms. */
  startedAt: number;
  finishedAt: number;
  /** 'skipped' when the probe did not run (see skip). */
  result: 'pass' | 'warn' | 'fail' | 'skipped';
  skip?: { reason: SkipReason; detail: string };
  /** Wall time of the probed call (the happy path; the warm-up for health probes), ms. */
  latencyMs: number | null;
  start?: StartLabel;
  startReason?: string;
  latencyVerdict?: LatencyVerdictLabel;
  /** Calibrated face match of the output, percent (face routes only). */
  faceMatchPct?: number | null;
  /** GPU spend of this probe's calls (warm-ups and retries included), USD. */
  costUsd: number;
  redirects: number;
  failedChecks: { check: string; message: string }[];
  /** Checks that warned (known fleet defects, degraded latency), for the status page. */
  warnings?: { check: string; message: string }[];
  /** Short, secret-free description of the first failure. */
  error?: string;
  warmUps: WarmUpSummary[];
  /** The probe ran inside a maintenance window: recorded, but counted as maintenance, not failure. */
  maintenance?: { reason: string; until: number | null };
  /** The prober could not reach its own canaries: the failure says nothing about the endpoint. */
  proberOffline?: boolean;
}

export interface LatencySample {
  at: number;
  ms: number;
  kind: ProbeKind;
  start: StartLabel;
  verdict: LatencyVerdictLabel;
}

export interface BudgetStatus {
  period: BudgetPeriod;
  key: string;
  spentUsd: number;
  limitUsd: number;
  remainingUsd: number;
}

export interface EndpointStatus {
  endpoint: string;
  app: AppName;
  gpu: string;
  /** The last probe that ran (skips do not replace it). */
  last?: ProbeOutcome;
  /** The last skip, if more recent than the last run. */
  lastSkip?: ProbeOutcome;
  lastSuccessAt?: number;
  /** Bytes of the last successful output and its sniffed type (thumbnail-able). */
  lastOutput?: { body: Buffer; sniffedType: string; at: number };
  /** The face reference sent on face routes. */
  reference?: Buffer;
  history: LatencySample[];
  /** The endpoint's state with hysteresis (src/state/), once a probe said something about it. */
  state?: EndpointStateSnapshot;
}

/** What the status page and /api/status read. */
export interface StatusSource {
  endpoints(): EndpointStatus[];
  endpoint(id: string): EndpointStatus | undefined;
  budget(): BudgetStatus[];
  /** Usage from the jobs database when configured, else undefined. */
  usage(): UsageSnapshot | undefined;
}

/** Latency history kept per endpoint (a ring buffer: old samples fall off). */
export const HISTORY_SIZE = 200;
/** Error messages are cut to this length before they are stored or served. */
export const MAX_ERROR_CHARS = 300;

/** One line, printable, bounded: safe to show in JSON and HTML after the usual escaping. */
export function shortMessage(text: string, max = MAX_ERROR_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export class ProbeStatusStore implements StatusSource {
  readonly #byId = new Map<string, EndpointStatus>();
  #budget: () => BudgetStatus[] = () => [];
  #usage: () => UsageSnapshot | undefined = () => undefined;

  constructor(readonly historySize = HISTORY_SIZE) {}

  setBudgetSource(fn: () => BudgetStatus[]): void {
    this.#budget = fn;
  }
  setUsageSource(fn: () => UsageSnapshot | undefined): void {
    this.#usage = fn;
  }

  ensure(endpoint: string, app: AppName, gpu: string): EndpointStatus {
    let s = this.#byId.get(endpoint);
    if (!s) this.#byId.set(endpoint, (s = { endpoint, app, gpu, history: [] }));
    return s;
  }

  record(outcome: ProbeOutcome, artefacts: { output?: { body: Buffer; sniffedType: string }; reference?: Buffer } = {}): void {
    const s = this.ensure(outcome.endpoint, outcome.app, outcome.gpu);
    if (outcome.result === 'skipped') {
      s.lastSkip = outcome;
      return;
    }
    s.last = outcome;
    s.lastSkip = undefined;
    if (outcome.result !== 'fail') s.lastSuccessAt = outcome.finishedAt;
    if (artefacts.output) s.lastOutput = { ...artefacts.output, at: outcome.finishedAt };
    if (artefacts.reference) s.reference = artefacts.reference;
    if (outcome.latencyMs !== null && outcome.latencyVerdict) {
      s.history.push({ at: outcome.finishedAt, ms: outcome.latencyMs, kind: outcome.kind, start: outcome.start ?? 'unknown', verdict: outcome.latencyVerdict });
      if (s.history.length > this.historySize) s.history.splice(0, s.history.length - this.historySize);
    }
  }

  endpoints(): EndpointStatus[] {
    return [...this.#byId.values()];
  }
  endpoint(id: string): EndpointStatus | undefined {
    return this.#byId.get(id);
  }
  budget(): BudgetStatus[] {
    return this.#budget();
  }
  usage(): UsageSnapshot | undefined {
    return this.#usage();
  }
}

/**
 * The gate's result model. The JSON reporter writes it as-is, so this file IS the documented,
 * stable report format (schemaVersion 1; fields are only ever added).
 */
import type { CheckResult } from '../checks/types.ts';
import type { CallFailure, Hop } from '../client/types.ts';
import type { Lifecycle } from '../catalog/types.ts';

export type EndpointVerdict = 'pass' | 'fail' | 'warn' | 'waived' | 'skipped';
export type CaseKind = 'happy' | 'negative' | 'removed' | 'incompatible';

/**
 * A known defect accepted until `expires`. It matches results by what genprobe decided — endpoint
 * (id or glob), check name and optionally the finding code and its fixed parameters — never by
 * message text, which can quote what an endpoint sent.
 */
export interface Waiver {
  endpoint: string;
  check: string;
  /** Only results with this finding code (and, when given, these parameter values). */
  finding?: { code: string; params?: Record<string, string | number> };
  reason: string;
  expires: string;
  /** Only apply to targets whose URL template contains this text (e.g. `modal.run`). */
  target?: string;
}

export interface ReportedCheck extends CheckResult {
  /** The case this check belongs to. */
  case: string;
  /** Present when a waiver turned this failure (or warning) into an accepted known defect. */
  waived?: { reason: string; expires: string; /** the waiver's key, see waiverKey() */ waiver?: string };
}

export interface CaseReport {
  name: string;
  kind: CaseKind;
  verdict: Exclude<EndpointVerdict, 'skipped'>;
  status: number | null;
  /**
   * Send → final answer, ms to one decimal as the client's clock gives it (whole ms would add up
   * to ±0.5 ms of noise: a tenth of a 5 ms overhead tail): what the latency check judges.
   */
  latencyMs: number;
  /**
   * ms genprobe held the call back waiting for a free lane on its app (its own queueing: a fleet
   * container runs one job at a time), not part of `latencyMs` nor of the call's deadline.
   */
  queueMs?: number;
  /** The caller's patience ran out waiting for a lane: nothing was sent. */
  notSent?: boolean;
  hops: Hop[];
  attempts: number;
  failure?: CallFailure;
  /** sha256 and size of the body, and the sniffed type; bytes are not kept in reports. */
  output?: { sniffedType: string; bytes: number; sha256: string; declaredType: string | null };
  checks: ReportedCheck[];
}

export interface EndpointReport {
  id: string;
  app: string;
  path: string;
  gpu: string;
  lifecycle: Lifecycle;
  verdict: EndpointVerdict;
  /** Latency of the happy-path call (or the first case), ms to one decimal. */
  latencyMs: number | null;
  /** Redirect hops of the happy-path call. */
  redirects: number;
  hops: Hop[];
  skipReason?: string;
  /** GPU cost estimate of the calls made (X-Cost-USD when present, else GPU-seconds × price). */
  costUsd: number;
  checks: ReportedCheck[];
  cases: CaseReport[];
}

export interface WaiverFinding {
  waiver: Waiver;
  finding: 'expired' | 'no-longer-needed';
  message: string;
}

/** One waiver that accepted known defects in this run: the class, until when, and where. */
export interface KnownDefect {
  /** The defect class: the check name (error-status, route-broken, doc-drift, declared-type, cost-headers, …). */
  class: string;
  /** The finding code the waiver targets, when it targets one, and the parameters it fixes. */
  finding?: string;
  params?: Record<string, string | number>;
  /** `endpoint / check[ / finding]`, as in waivers.yaml. */
  waiver: string;
  reason: string;
  expires: string;
  /** Endpoints where it waived at least one result, in report order. */
  endpoints: string[];
  /** How many results it waived. */
  results: number;
}

/** One app's route list as the gate read it (`GET /openapi.json` after the app's /health warm-up). */
export interface AppInventoryRead {
  app: string;
  /** registered: the list was read and judged the routes; otherwise the calls decided, as without it. */
  state: 'registered' | 'not-deployed' | 'unreadable';
  /** Paths the list holds (0 unless registered). */
  routes: number;
  latencyMs: number;
  /** `METHOD /path` of registered routes no catalog entry covers on this app: no contract checks them. */
  uncatalogued?: string[];
  detail?: string;
}

export interface GateReport {
  schemaVersion: 1;
  tool: { name: 'genprobe'; version: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  target: { url: string; workspace: string; timeScale: number };
  summary: Record<EndpointVerdict, number> & { total: number };
  waivers: WaiverFinding[];
  /** Every known defect this run accepted, one entry per waiver (the gate always writes it; older reports lack it). */
  knownDefects?: KnownDefect[];
  /**
   * The route inventories the gate read, one per app it warmed, by app name (absent with
   * `--no-inventory` and in older reports). A route an app does not register is not called.
   */
  inventory?: AppInventoryRead[];
  /** 0 all passed (warnings allowed), 1 a contract failed, 2 tool or config error. */
  exitCode: 0 | 1 | 2;
  endpoints: EndpointReport[];
}

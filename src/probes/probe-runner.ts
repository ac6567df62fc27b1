/**
 * One probe of one endpoint, of kind
 *   health — warm-up only: GET /health on its app and the apps it delegates to;
 *   smoke  — warm-up, then the happy path only (the catalog sample: fixed seed, small size);
 *   full   — warm-up, then the whole contract (happy path and negative cases) via runEndpoint.
 *
 * Around the contract run it adds what a long-running prober needs: never two probes of one
 * endpoint at once, per-app input limits shared by every probe, maintenance windows, the GPU
 * budget, cold/warm classification after the fact, the latency verdict for the classified start
 * type, metrics, the status store and one JSON log line per probe.
 */
import { APPS, GPU_PRICE_USD_PER_SEC, latencyBudgetSec } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import type { LatencyBudget, StartType } from '../checks/definition.ts';
import { latencyVerdict } from '../checks/latency.ts';
import { fail, type CheckResult } from '../checks/types.ts';
import type { ModalClient } from '../client/index.ts';
import type { CallRequest } from '../client/modal-client.ts';
import type { CallResult } from '../client/types.ts';
import { inMaintenance, type GenprobeConfig, type ProbeKind } from '../config/index.ts';
import type { EndpointReport, ReportedCheck, Waiver } from '../report/types.ts';
import { createRunContext } from '../runner/context.ts';
import { deadlineMs, runEndpoint, type EndpointRun, type FaceCheck } from '../runner/run-endpoint.ts';
import { Semaphore } from '../runner/semaphore.ts';
import { settleVerdicts } from '../runner/verdict.ts';
import { applyWaivers } from '../waivers/index.ts';
import { callCost, costFindingCheck } from '../runner/cost.ts';
import { Budget } from './budget.ts';
import { classifyCall, WarmBaseline, type StartClassification } from './cold-start.ts';
import type { ProbeMetrics, ProbeResult, SkipReason } from './metrics.ts';
import { ProbeStatusStore, shortMessage, type LatencyVerdictLabel, type ProbeOutcome, type StartLabel, type WarmUpSummary } from './status.ts';
import { appsToWarmFor, warmUpDeadlineMs } from '../runner/warm-up.ts';
import { Warmer, type WarmUpResult } from './warmer.ts';
import { isUnreachable, type SelfCheck } from './self-check.ts';
import type { StateTracker } from '../state/tracker.ts';
import type { MaintenanceCalendar } from '../state/windows.ts';

export type ProbeLogger = (line: Record<string, unknown>) => void;

/** One JSON line per event on stdout; callers pass their own in tests. */
export const jsonLineLogger: ProbeLogger = (line) => process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), ...line })}\n`);

export interface ProbeRunnerOptions {
  config: GenprobeConfig;
  client: ModalClient;
  metrics: ProbeMetrics;
  budget: Budget;
  status?: ProbeStatusStore;
  faceCheck?: FaceCheck;
  waivers?: Waiver[];
  /** Extra headers on every generation call (fault injection against the emulator). */
  headers?: Record<string, string>;
  log?: ProbeLogger;
  now?: () => number;
  /** Endpoint state with hysteresis, fed one observation per probe (src/state/). */
  state?: StateTracker;
  /** Maintenance windows (config and run-time); without it, the config's windows. */
  maintenance?: MaintenanceCalendar;
  /** Reachability self-check asked before an unanswered probe counts against its endpoint. */
  selfCheck?: SelfCheck;
  /**
   * The spend ledger runners share (src/coordination/ledger.ts): the probe's most plausible cost is
   * reserved before it, under the shared budget, and settled after. Absent: `budget` alone decides.
   */
  ledger?: SharedLedger;
}

/** What the probe runner needs of the shared ledger (src/coordination/ implements it). */
export interface SharedLedger {
  reserve(endpoint: string, maxUsd: number): Promise<{ ok: true; id: string; reservedUsd: number } | { ok: false; period: string; spentUsd: number; limitUsd: number; estimateUsd: number }>;
  settle(reservationId: string, actualUsd: number): Promise<void>;
}

/**
 * The most a probe can plausibly cost: every call it may make (warm-ups, its cases, each case's
 * retries) running to its deadline, in real-fleet seconds, at its GPU's price. What a shared
 * ledger reserves, so runners that reserve together cannot overspend together.
 */
export function maxProbeCostUsd(entry: EndpointEntry, kind: ProbeKind, config: GenprobeConfig, priceOf: (app: AppName) => number): number {
  const { timeScale: ts, overheadMs } = config.target;
  let usd = 0;
  if (kind === 'health' || config.probes.warmUp) for (const app of appsToWarmFor(entry)) usd += (warmUpDeadlineMs(app, ts, overheadMs) / ts / 1000) * priceOf(app);
  if (kind !== 'health') {
    const cases = 1 + (kind === 'full' && config.gate.negativeCases ? entry.errors.length : 0);
    usd += cases * (1 + config.gate.retriesPerCall) * (deadlineMs(entry, config.target, config.endpoints[entry.id]) / ts / 1000) * priceOf(entry.app);
  }
  return usd;
}

/**
 * GET /health is static JSON (docs/fleet.md §2.7), so a warm answer is expected well within the 10 s
 * the fleet's own API allows it at boot (§0.11); a cold one within a documented container start
 * and that much again; the warm-up deadline (three container starts) is the hard limit.
 */
export function healthLatencyBudget(app: AppName): LatencyBudget {
  const cold = APPS[app].coldStartSec;
  return { warmSec: 10, coldSec: cold * 2, hardSec: cold * 3 };
}

/**
 * What a probe is expected to cost before it runs: a container start for every app to warm that
 * genprobe has not used within its scaledown window (Modal bills the container from boot), plus
 * the endpoint's documented cost per call for the happy path (ENDPOINTS-REFERENCE.md; documented
 * or budgeted time × GPU price when no cost is documented). Negative cases are answered by
 * validation before any GPU work in the fleet (docs/fleet.md §0.8), so they are not estimated —
 * but their real cost, like every retry's, is charged afterwards.
 */
export function estimateProbeCostUsd(entry: EndpointEntry, kind: ProbeKind, warmUp: boolean, idleMs: (app: AppName) => number | null, priceOf: (app: AppName) => number): number {
  let usd = 0;
  if (kind === 'health' || warmUp) {
    for (const app of appsToWarmFor(entry)) {
      const idle = idleMs(app);
      if (idle === null || idle > APPS[app].scaledownWindowSec * 1000) usd += APPS[app].coldStartSec * priceOf(app);
    }
  }
  if (kind !== 'health' && entry.lifecycle === 'live') {
    usd += entry.documentedCostUsd ?? (entry.timing.documentedSec ?? latencyBudgetSec(entry, 'warm')) * priceOf(entry.app);
  }
  return usd;
}

/** A proxy of the client that reports every call it makes (retries included) before returning it. */
function meteredClient(client: ModalClient, onCall: (req: CallRequest, call: CallResult) => void): ModalClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'call') {
        return async (req: CallRequest) => {
          const call = await target.call(req);
          onCall(req, call);
          return call;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function faceMatchOf(checks: readonly CheckResult[]): { percent: number | null; percents: number[] } | undefined {
  const r = checks.find((c) => c.check === 'face-match' && c.verdict !== 'skip');
  const m = r?.measured as { percent?: unknown; percents?: unknown } | undefined;
  if (!m || typeof m !== 'object') return undefined;
  const percent = typeof m.percent === 'number' && Number.isFinite(m.percent) ? m.percent : null;
  const percents = Array.isArray(m.percents) ? m.percents.filter((p): p is number => typeof p === 'number' && Number.isFinite(p)) : percent === null ? [] : [percent];
  return { percent, percents };
}

/** Charges one call of a probe: to the budget, the outcome's cost and the GPU cost metric. */
/** Charges one call to the budget; returns the call's implausible-X-Cost-USD finding, if any (runner/cost.ts). */
/** A probe's warm-ups: their results, the patience they leave, and their cost findings. */
interface WarmUps {
  warmUps: WarmUpResult[];
  patience: number;
  costFindings: CheckResult[];
}

type Charge = (app: AppName, gpu: EndpointEntry['gpu'], call: CallResult) => string | null;

const unwaivedFailures = (checks: readonly ReportedCheck[]) => checks.filter((c) => c.verdict === 'fail' && !c.waived);

export class ProbeRunner {
  readonly status: ProbeStatusStore;
  readonly warmer: Warmer;
  readonly baseline = new WarmBaseline();
  readonly #opts: ProbeRunnerOptions;
  readonly #busy = new Set<string>();
  /** Open shared-ledger reservations by endpoint (one probe per endpoint at a time: #busy). */
  readonly #reservations = new Map<string, { id: string; reservedUsd: number }>();
  readonly #appLimits = new Map<string, Semaphore>();
  readonly #global: Semaphore;
  readonly #log: ProbeLogger;
  readonly #now: () => number;

  constructor(opts: ProbeRunnerOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? jsonLineLogger;
    this.#now = opts.now ?? Date.now;
    this.status = opts.status ?? new ProbeStatusStore();
    this.#global = new Semaphore(opts.config.gate.concurrency);
    this.warmer = new Warmer({ client: opts.client, timeScale: opts.config.target.timeScale, overheadMs: opts.config.target.overheadMs, appLimit: (a) => this.appLimit(a), onSlotWait: (a, ms) => this.#slotWaited(a, ms), now: this.#now });
    this.status.setBudgetSource(() => opts.budget.snapshot());
  }

  /** Per-app input limit (max_inputs), shared by every probe and warm-up of the service. */
  /**
   * One call in flight per app, shared by every probe and warm-up of the service: a fleet container
   * runs one job at a time (its handlers block on ComfyUI polling, src/runner/schedule.ts) and Modal
   * adds a container only when one holds max_inputs, so a second probe call would queue behind the
   * first on the same container and be charged for it. A hung app holds only this one slot (and the
   * one global slot it leads to), never the others'.
   */
  appLimit(app: string): Semaphore {
    let s = this.#appLimits.get(app);
    if (!s) this.#appLimits.set(app, (s = new Semaphore(1)));
    return s;
  }

  #slotWaited(app: string, ms: number): void {
    this.#opts.metrics.slotWait.observe({ app }, ms / 1000);
  }

  /** Whether a probe of the endpoint is running now. */
  isBusy(endpoint: string): boolean {
    return this.#busy.has(endpoint);
  }

  /**
   * Run one probe. Never rejects: every failure, including genprobe's own, becomes the outcome.
   * `patienceMs` bounds how long it waits, in all, for its app's slot (default: its call's deadline;
   * the scheduler passes the time until the schedule fires again); past it the probe is skipped
   * (reason queue-timeout), never judged on a call it did not send.
   */
  async probe(entry: EndpointEntry, kind: ProbeKind, opts: { patienceMs?: number } = {}): Promise<ProbeOutcome> {
    if (this.#busy.has(entry.id)) return this.#skip(entry, kind, 'busy', 'a probe of this endpoint is still running');
    this.#busy.add(entry.id);
    let outcome: ProbeOutcome | undefined;
    try {
      return (outcome = await this.#probeGuarded(entry, kind, opts.patienceMs));
    } catch (err) {
      // A bug or an unexpected throw must not take the service down; it is a failed probe.
      const t = this.#now();
      const message = shortMessage(this.#opts.client.redact(`genprobe error: ${(err as Error)?.message ?? String(err)}`));
      const outcome = this.#baseOutcome(entry, kind, t);
      Object.assign(outcome, { result: 'fail', finishedAt: t, error: message, latencyVerdict: 'failed', failedChecks: [{ check: 'transport', message }] });
      this.#export(entry, outcome, undefined);
      return outcome;
    } finally {
      this.#busy.delete(entry.id);
      await this.#settle(entry, outcome);
    }
  }

  /** Settle a shared-ledger reservation with what the probe cost (all of it when the probe threw). */
  async #settle(entry: EndpointEntry, outcome: ProbeOutcome | undefined): Promise<void> {
    const r = this.#reservations.get(entry.id);
    if (!r) return;
    this.#reservations.delete(entry.id);
    await this.#opts.ledger!.settle(r.id, outcome ? outcome.costUsd : r.reservedUsd).catch((err: unknown) => {
      this.#log({ event: 'ledger-error', endpoint: entry.id, message: shortMessage(String((err as Error)?.message ?? err)) });
    });
  }

  #baseOutcome(entry: EndpointEntry, kind: ProbeKind, startedAt: number): ProbeOutcome {
    return { endpoint: entry.id, app: entry.app, gpu: entry.gpu, kind, startedAt, finishedAt: startedAt, result: 'skipped', latencyMs: null, costUsd: 0, redirects: 0, failedChecks: [], warmUps: [] };
  }

  #skip(entry: EndpointEntry, kind: ProbeKind, reason: SkipReason, detail: string, fields: Record<string, unknown> = {}): ProbeOutcome {
    const t = this.#now();
    const outcome: ProbeOutcome = { ...this.#baseOutcome(entry, kind, t), skip: { reason, detail } };
    this.#opts.metrics.probesSkipped.inc({ endpoint: entry.id, app: entry.app, reason });
    this.status.record(outcome);
    this.#log({ event: 'probe-skipped', endpoint: entry.id, app: entry.app, kind, reason, detail, ...fields });
    return outcome;
  }

  async #probeGuarded(entry: EndpointEntry, kind: ProbeKind, patienceMs?: number): Promise<ProbeOutcome> {
    const { config } = this.#opts;
    const override = config.endpoints[entry.id] ?? {};
    if (override.skip) return this.#skip(entry, kind, 'disabled', override.skip);
    const maintenance = this.#maintenanceFor(entry);
    const toWarm = appsToWarmFor(entry);
    if (kind === 'health' && toWarm.length === 0) return this.#skip(entry, kind, 'unsupported', `${entry.app} has no GET /health route`);
    const refused = await this.#reserveSpend(entry, kind);
    if (refused) return refused;

    const outcome = this.#baseOutcome(entry, kind, this.#now());
    if (maintenance) outcome.maintenance = maintenance;
    const idleBefore = this.warmer.idleMs(entry.app);
    const charge = this.#charger(entry, outcome);
    const warm = await this.#warmUp(entry, kind, toWarm, patienceMs ?? deadlineMs(entry, config.target, override), charge, outcome);
    if ('skipped' in warm) return warm.skipped;
    if (kind === 'health') {
      outcome.proberOffline = warm.warmUps.some((w) => isUnreachable(w.call)) && (await this.#proberOffline());
      return this.#finishHealth(entry, outcome, warm);
    }
    return this.#runContract(entry, kind, outcome, { ...warm, idleBefore, charge });
  }

  /**
   * The GPU budget's and the shared ledger's leave to spend the probe's estimate: null when it may
   * run (a ledger reservation is then open), else the skip that says which budget refused.
   */
  async #reserveSpend(entry: EndpointEntry, kind: ProbeKind): Promise<ProbeOutcome | null> {
    const { config, budget, ledger } = this.#opts;
    const priceOf = (app: AppName) => GPU_PRICE_USD_PER_SEC[app === entry.app ? entry.gpu : APPS[app].gpu];
    const estimate = estimateProbeCostUsd(entry, kind, config.probes.warmUp, (a) => this.#realIdleMs(a), priceOf);
    const afford = budget.canAfford(estimate);
    if (afford.ok && ledger) {
      // No reservation, no spend: a ledger that cannot be reached skips the probe (it is not the endpoint's fault).
      const shared = await ledger.reserve(entry.id, maxProbeCostUsd(entry, kind, config, priceOf)).catch((err: unknown) => err as Error);
      if (shared instanceof Error) return this.#skip(entry, kind, 'budget', `the shared spend ledger is unreachable: ${shortMessage(shared.message)}`, { shared: true });
      if (!shared.ok) return this.#skip(entry, kind, 'budget', `the shared ${shared.period} GPU budget $${shared.limitUsd.toFixed(2)} has $${Math.max(0, shared.limitUsd - shared.spentUsd).toFixed(4)} left, the probe may cost up to $${shared.estimateUsd.toFixed(4)}`, { period: shared.period, spentUsd: round6(shared.spentUsd), limitUsd: shared.limitUsd, maxUsd: round6(shared.estimateUsd), shared: true });
      this.#reservations.set(entry.id, shared);
    }
    if (afford.ok) return null;
    return this.#skip(entry, kind, 'budget', `the ${afford.period} GPU budget $${afford.limitUsd.toFixed(2)} has $${Math.max(0, afford.limitUsd - afford.spentUsd).toFixed(4)} left, the probe is estimated at $${afford.estimateUsd.toFixed(4)}`, {
      period: afford.period,
      spentUsd: round6(afford.spentUsd),
      limitUsd: afford.limitUsd,
      estimateUsd: round6(afford.estimateUsd),
    });
  }

  /** What charges one call of the probe to the budget, the outcome's cost and the cost metric. */
  #charger(entry: EndpointEntry, outcome: ProbeOutcome): Charge {
    return (app, gpu, call) => {
      const { usd, finding } = callCost(call, gpu, this.#opts.config.target.timeScale);
      this.#opts.budget.charge(usd);
      outcome.costUsd += usd;
      this.#opts.metrics.gpuCost.inc({ endpoint: entry.id, app, gpu }, usd);
      return finding;
    };
  }

  /**
   * The /health warm-ups a probe of this kind makes (none for a contract probe without warm-up),
   * charged and observed, with the patience they leave; or the skip when one could not be sent.
   */
  async #warmUp(entry: EndpointEntry, kind: ProbeKind, toWarm: AppName[], patience: number, charge: Charge, outcome: ProbeOutcome): Promise<WarmUps | { skipped: ProbeOutcome }> {
    if (kind !== 'health' && !this.#opts.config.probes.warmUp) return { warmUps: [], patience, costFindings: [] };
    const warmUps = await this.warmer.warm(toWarm, { patienceMs: patience });
    const left = patience - Math.max(0, ...warmUps.map((w) => w.queueMs));
    const unsent = warmUps.find((w) => w.notSent);
    if (unsent) return { skipped: this.#skip(entry, kind, 'queue-timeout', unsent.error ?? 'warm-up not sent', { waitedMs: Math.round(unsent.queueMs) }) };
    // A warm-up is charged like any call, so an implausible X-Cost-USD on it is the same finding the
    // runner reports for a contract call (issue 13.2), not a silent correction.
    const costFindings: CheckResult[] = [];
    for (const w of warmUps) {
      const finding = charge(w.app, w.app === entry.app ? entry.gpu : APPS[w.app].gpu, w.call);
      if (finding) costFindings.push(costFindingCheck(w.call, `${w.app} warm-up: ${finding}`));
      this.#opts.metrics.warmupDuration.observe({ app: w.app, start: w.start }, w.durationMs / 1000);
    }
    outcome.warmUps = warmUps.map(({ call: _call, startedAt: _s, ...w }): WarmUpSummary => w);
    return { warmUps, patience: left, costFindings };
  }

  /** The contract run of a smoke or full probe, through a metered client, with the start type classified from its answered call. */
  async #runContract(entry: EndpointEntry, kind: ProbeKind, outcome: ProbeOutcome, warm: WarmUps & { idleBefore: number | null; charge: Charge }): Promise<ProbeOutcome> {
    const { config } = this.#opts;
    const warmed = new Map(warm.warmUps.map((w) => [w.app, w]));
    const client = meteredClient(this.#opts.client, (req, call) => {
      this.warmer.markUsed(req.app);
      // The runner reports a contract call's cost finding itself (its cost-headers check).
      warm.charge(req.app as AppName, req.app === entry.app ? entry.gpu : APPS[req.app as AppName]?.gpu ?? entry.gpu, call);
    });
    let classified: StartClassification | undefined;
    const ctx = createRunContext(config, {
      client,
      gate: { ...config.gate, negativeCases: kind === 'full' && config.gate.negativeCases },
      appLimit: (a) => this.appLimit(a),
      global: this.#global,
      patienceMs: () => Math.max(0, warm.patience),
      onSlotWait: (a, ms) => this.#slotWaited(a, ms),
      startTypeFor: (app): StartType => (warmed.get(app as AppName)?.ok ? 'warm' : 'unknown'),
      classifyStart: (e, call) => (classified = this.#classifyStart(e, Math.round(call.totalMs), warm.idleBefore, warmed.get(e.app))).start,
      faceCheck: this.#opts.faceCheck,
      headers: this.#opts.headers,
    });
    const run = await runEndpoint(entry, ctx, config.endpoints[entry.id] ?? {});
    const unsentCase = run.report.cases.find((c) => c.kind === 'happy' && c.notSent);
    if (unsentCase) return this.#skip(entry, kind, 'queue-timeout', unsentCase.failure?.message ?? 'not sent', { waitedMs: unsentCase.queueMs });
    const happyCase = run.report.cases.find((c) => c.kind === 'happy') ?? run.report.cases[0];
    outcome.proberOffline = !!happyCase && isUnreachable(happyCase) && (await this.#proberOffline());
    return this.#finishContract(entry, outcome, run, classified, warm.costFindings);
  }

  /** The maintenance window covering the endpoint's app or an app it delegates to, if any. */
  #maintenanceFor(entry: EndpointEntry): ProbeOutcome['maintenance'] {
    const now = this.#now();
    for (const app of [entry.app, ...(entry.delegatesTo ?? [])]) {
      if (this.#opts.maintenance) {
        const w = this.#opts.maintenance.for(app, now);
        if (w) return { reason: `${app}: ${w.reason}`, until: w.until };
      } else {
        const w = inMaintenance(this.#opts.config.maintenance, app, now);
        if (w) return { reason: `${app}: ${w.reason}`, until: null };
      }
    }
    return undefined;
  }

  /** Whether the prober itself is cut off (no canary answers); without a self-check, never. */
  async #proberOffline(): Promise<boolean> {
    const check = this.#opts.selfCheck;
    if (!check) return false;
    const r = await check.check();
    if (!r.online) this.#log({ event: 'prober-offline', canaries: r.canaries });
    return !r.online;
  }

  /** Idle time of an app in real-fleet seconds' terms (what the budget estimate compares). */
  #realIdleMs(app: AppName): number | null {
    const idle = this.warmer.idleMs(app);
    return idle === null ? null : idle / this.#opts.config.target.timeScale;
  }

  #finishHealth(entry: EndpointEntry, outcome: ProbeOutcome, { warmUps, costFindings }: WarmUps): ProbeOutcome {
    const { target } = this.#opts.config;
    const own = warmUps.find((w) => w.app === entry.app) ?? warmUps[0];
    const failures: CheckResult[] = warmUps
      .filter((w) => !w.ok)
      .map((w) => fail(w.call.failure && w.call.failure.class !== 'app-error' ? 'transport' : 'health', `${w.app}: ${w.error ?? 'unhealthy'}`))
      .concat(costFindings);
    outcome.latencyMs = Math.round(own.durationMs);
    outcome.start = own.start;
    outcome.startReason = own.reason;
    outcome.latencyVerdict = failures.length ? 'failed' : latencyVerdict(own.durationMs, healthLatencyBudget(own.app), own.start, target.timeScale, target.overheadMs);
    outcome.failedChecks = failures.map((c) => ({ check: c.check, message: shortMessage(c.message) }));
    outcome.result = failures.length ? 'fail' : outcome.latencyVerdict === 'degraded' ? 'warn' : 'pass';
    outcome.error = failures[0] ? shortMessage(failures[0].message) : undefined;
    outcome.finishedAt = this.#now();
    this.#export(entry, outcome, undefined);
    return outcome;
  }

  /** Cold or warm, classified from the answered call: handed to the runner, which judges latency with it once. */
  #classifyStart(entry: EndpointEntry, callMs: number, idleBefore: number | null, warmUp: WarmUpResult | undefined): StartClassification {
    return classifyCall({
      callMs,
      warmBaselineMs: this.baseline.median(entry.id),
      fallbackBaselineMs: latencyBudgetSec(entry, 'warm') * 1000 * this.#opts.config.target.timeScale,
      idleMs: idleBefore,
      ...this.warmer.scaled(entry.app),
      warmUp: warmUp?.ok ? { durationMs: warmUp.durationMs, start: warmUp.start } : null,
    });
  }

  #finishContract(entry: EndpointEntry, outcome: ProbeOutcome, run: EndpointRun, classified: StartClassification | undefined, warmUpFindings: readonly CheckResult[]): ProbeOutcome {
    const { config } = this.#opts;
    const report = run.report;
    const happy = report.cases.find((c) => c.kind === 'happy');

    let start: StartLabel | undefined;
    let startReason: string | undefined;
    if (happy) {
      const noAnswer = `no response (${happy.failure?.class ?? 'no status'}): a call that never answered says nothing about the container`;
      start = happy.status === null ? 'unknown' : classified?.start ?? 'unknown';
      startReason = happy.status === null ? noAnswer : classified?.reason ?? 'no output checks ran, so no latency was judged';
    }
    const waivers = this.#opts.waivers ?? [];
    if (waivers.length) applyWaivers([report], waivers, config.target.url, new Date(this.#now()));
    settleVerdicts(report);

    const contractFailed = report.verdict === 'fail' || warmUpFindings.length > 0;
    let verdict: LatencyVerdictLabel;
    // The latency check's own verdict (judged once, in the runner, with the classified start).
    const latency = happy?.checks.find((c) => c.check === 'latency')?.measured as { verdict?: LatencyVerdictLabel } | undefined;
    if (contractFailed) verdict = 'failed';
    else verdict = latency?.verdict ?? 'ok';
    if (happy && start === 'warm' && happy.status !== null && happy.status < 300 && !contractFailed) this.baseline.add(entry.id, happy.latencyMs);

    const failures = [...unwaivedFailures(report.checks), ...warmUpFindings.map((c) => ({ ...c, case: 'warm-up' }))];
    const face = faceMatchOf(report.checks);
    Object.assign(outcome, {
      // Contract warnings are mostly known fleet defects (PNG under image/jpeg, dropped cost
      // headers) and would mark every probe; they are listed, while the result says whether the
      // contract held (fail) and whether the call was slower than its budget (warn).
      result: contractFailed ? 'fail' : verdict === 'degraded' ? 'warn' : 'pass',
      warnings: report.checks.filter((c) => c.verdict === 'warn').map((c) => ({ check: c.check, message: shortMessage(this.#opts.client.redact(c.message)) })),
      latencyMs: report.latencyMs,
      start,
      startReason,
      latencyVerdict: verdict,
      faceMatchPct: face ? face.percent : undefined,
      redirects: report.redirects,
      failedChecks: failures.map((c) => ({ check: c.check, message: shortMessage(this.#opts.client.redact(c.message)) })),
      error: failures[0] ? shortMessage(this.#opts.client.redact(`${failures[0].case}: ${failures[0].check}: ${failures[0].message}`)) : undefined,
      finishedAt: this.#now(),
    } satisfies Partial<ProbeOutcome>);
    this.#export(entry, outcome, report, run, face?.percents);
    return outcome;
  }

  #observeState(entry: EndpointEntry, outcome: ProbeOutcome): void {
    const snap = this.#opts.state?.observe(entry.id, entry.app, outcome, outcome.finishedAt);
    if (snap) this.status.ensure(entry.id, entry.app, entry.gpu).state = snap;
  }

  /** An unanswered probe while no canary answers either: a skip of reason prober-offline, never a failure. */
  #exportOffline(entry: EndpointEntry, outcome: ProbeOutcome): void {
    const canaries = this.#opts.selfCheck?.last?.canaries ?? [];
    const detail = shortMessage(`no canary answered (${canaries.map((c) => `${c.canary}: ${c.error ?? c.status}`).join('; ')}); the probe's failure says nothing about ${entry.id}: ${outcome.error ?? ''}`);
    Object.assign(outcome, { result: 'skipped', skip: { reason: 'prober-offline', detail } } satisfies Partial<ProbeOutcome>);
    this.#opts.metrics.probesSkipped.inc({ endpoint: entry.id, app: entry.app, reason: 'prober-offline' });
    this.status.record(outcome);
    this.#observeState(entry, outcome);
    this.#log({ event: 'probe-skipped', endpoint: entry.id, app: entry.app, kind: outcome.kind, reason: 'prober-offline', detail });
  }

  /** The metrics of a probe that counted (not in maintenance, not prober-offline). */
  #exportMetrics(entry: EndpointEntry, outcome: ProbeOutcome, report: EndpointReport | undefined, facePercents: number[]): void {
    const m = this.#opts.metrics;
    const e = { endpoint: entry.id, app: entry.app };
    const result = outcome.result as ProbeResult;
    const finishedSec = outcome.finishedAt / 1000;
    m.probesTotal.inc({ ...e, kind: outcome.kind, result });
    m.probeSuccess.set({ ...e, gpu: entry.gpu, kind: outcome.kind }, result === 'fail' ? 0 : 1);
    m.lastProbe.set(e, finishedSec);
    if (result !== 'fail') m.lastSuccess.set(e, finishedSec);
    for (const v of ['ok', 'degraded', 'failed'] as const) m.probeVerdict.set({ ...e, verdict: v }, outcome.latencyVerdict === v ? 1 : 0);
    for (const f of outcome.failedChecks) m.checkFailures.inc({ ...e, check: f.check });
    if (outcome.latencyMs !== null && outcome.kind !== 'health') {
      const start = outcome.start ?? 'unknown';
      m.requestDuration.observe({ ...e, gpu: entry.gpu, start }, outcome.latencyMs / 1000);
      m.lastDuration.set({ ...e, start }, outcome.latencyMs / 1000);
    }
    if (report) {
      m.redirects.set(e, report.redirects);
      if (report.redirects) m.redirectsTotal.inc(e, report.redirects);
    }
    for (const p of facePercents) m.faceMatch.observe(e, p);
    if (outcome.faceMatchPct != null) m.lastFaceMatch.set(e, outcome.faceMatchPct);
  }

  #export(entry: EndpointEntry, outcome: ProbeOutcome, report: EndpointReport | undefined, run?: EndpointRun, facePercents: number[] = []): void {
    if (outcome.proberOffline) return this.#exportOffline(entry, outcome);
    const m = this.#opts.metrics;
    const e = { endpoint: entry.id, app: entry.app };
    const result = outcome.result as ProbeResult;
    const finishedSec = outcome.finishedAt / 1000;
    if (outcome.maintenance) {
      // Recorded, but neither a failure nor a success: the SLO rules leave result="maintenance" out.
      m.probesTotal.inc({ ...e, kind: outcome.kind, result: 'maintenance' });
      m.lastProbe.set(e, finishedSec);
    } else {
      this.#exportMetrics(entry, outcome, report, facePercents);
    }
    const ok = result !== 'fail';
    this.status.record(outcome, { output: ok ? run?.output : undefined, reference: run?.reference });
    this.#observeState(entry, outcome);
    this.#log({
      event: 'probe',
      endpoint: entry.id,
      app: entry.app,
      kind: outcome.kind,
      result,
      latencyMs: outcome.latencyMs,
      latencyVerdict: outcome.latencyVerdict,
      start: outcome.start,
      startReason: outcome.startReason,
      costUsd: round6(outcome.costUsd),
      faceMatchPct: outcome.faceMatchPct ?? undefined,
      redirects: outcome.redirects,
      warmUps: outcome.warmUps.map((w) => ({ app: w.app, ms: Math.round(w.durationMs), start: w.start, ok: w.ok })),
      failedChecks: outcome.failedChecks.map((f) => f.check),
      error: outcome.error,
      maintenance: outcome.maintenance?.reason,
      state: this.status.endpoint(entry.id)?.state?.state,
      durationMs: outcome.finishedAt - outcome.startedAt,
    });
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}


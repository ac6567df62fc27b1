/**
 * Runs one endpoint's contract: build each planned request, call through the Modal-aware client
 * (with the shared retry budget), hand the bytes to the checks, and assemble an EndpointReport.
 * This is the one place where client and checks meet; neither knows the other.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { APPS, hardLimitSec, latencyBudget, latencyBudgetSec } from '../catalog/index.ts';
import { callCost, costFindingCheck } from './cost.ts';
import type { EndpointEntry } from '../catalog/types.ts';
import type { FaceModelInput, GoldenStore, OutputCheckInput, StartType } from '../checks/definition.ts';
import { runCallChecks, runErrorCaseChecks, runOutputChecks } from '../checks/index.ts';
import { checkRouteBroken } from '../checks/route-broken.ts';
import type { CheckResult } from '../checks/types.ts';
import type { ModalClient } from '../client/index.ts';
import type { CallResult } from '../client/types.ts';
import type { EndpointOverride } from '../config/endpoint.ts';
import type { FaceConfig, GateConfig, TargetConfig } from '../config/index.ts';
import { inputInfo, resolveRequest, type ResolvedRequest } from './fixtures.ts';
import { planContract, type PlannedCase } from './plan.ts';
import type { CaseKind, CaseReport, EndpointReport, ReportedCheck } from '../report/types.ts';
import { APPS_WITH_LORA_LIST, judgeLoraAnswer, judgeLoraList, loraRequirement } from './lora-precondition.ts';
import { RetryBudget } from './retry.ts';
import { isAppNotDeployed, routeVerdict, type AppInventory } from './inventory.ts';
import type { Semaphore } from './semaphore.ts';
import { verdictOfChecks, worstCaseVerdict } from './verdict.ts';

export interface RunContext {
  client: ModalClient;
  target: TargetConfig;
  gate: GateConfig;
  face: FaceConfig;
  retry: RetryBudget;
  /**
   * Calls genprobe may have in flight per app (one per container it keeps warm there: a fleet
   * container runs one job at a time, see schedule.ts) and a global cap. A call waits for its app's
   * lane first, so a hung app holds only its own lanes' global slots.
   */
  appLimit: (app: string) => Semaphore;
  global: Semaphore;
  /** Priority of a case's call for a lane and a global slot (higher first); default 0. */
  priorityOf?: (entry: EndpointEntry, kind: CaseKind) => number;
  /** How long a case may wait for its slots before it is given up unsent; default its call deadline. */
  patienceMs?: (entry: EndpointEntry) => number;
  /** One case's output checks at a time (they share the thread with the calls in flight); by priorityOf. */
  cpu?: Semaphore;
  /**
   * ms after a happy-path call starts at which to ask for its `cpu` slot ahead of its answer (the
   * run's slowest chain only): a check already running elsewhere then finishes while the call is in
   * flight instead of after it. Undefined: ask when the answer is there.
   */
  cpuReserveAtMs?: (entry: EndpointEntry) => number | undefined;
  /** Every wait for slots, for metrics (`timedOut`: the patience ran out and the call was not sent). */
  onSlotWait?: (app: string, waitedMs: number, timedOut: boolean) => void;
  /**
   * The app's route list (GET /openapi.json, runner/inventory.ts), when the caller reads one (the
   * gate, during the app's warm-up): a registered route the app does not register is not called.
   * Undefined, or resolving to undefined: the calls decide.
   */
  inventoryOf?: (app: string) => Promise<AppInventory | undefined>;
  /** How the caller knows whether the app was warm (the gate: first call per app is cold). */
  startTypeFor: (app: string) => StartType;
  /**
   * The happy path's start type classified from its answered call (the probes: warm-up time, idle
   * time, the call against its warm baseline). The latency check is judged once, with this when
   * given, else with startTypeFor as known before the call.
   */
  classifyStart?: (entry: EndpointEntry, call: CallResult) => StartType;
  /** Face identity checks; injected so the runner stays testable without the face model. */
  faceCheck?: FaceCheck;
  updateGolden?: boolean;
  /** false: no golden-image comparison or update (gate --repeat runs with other seeds). */
  golden?: boolean;
  /** Extra headers on every call (e.g. fault injection against the emulator). */
  headers?: Record<string, string>;
  onCase?: (entry: EndpointEntry, report: CaseReport) => void;
}

export type FaceCheck = (input: {
  output: Buffer;
  outputKind: 'png' | 'jpeg' | 'webp-animated' | 'mp4';
  reference: Buffer;
  targetPct: number;
  sampleFrames: number;
  /** Video: share of sampled frames that must have a face (config face.minFaceShare). */
  minFaceShare: number;
  embedder: FaceConfig['embedder'];
}) => Promise<CheckResult[]>;

export interface EndpointRun {
  report: EndpointReport;
  /** Bytes of the happy-path output and of the face reference, for thumbnails and face crops. */
  output?: { body: Buffer; sniffedType: string };
  reference?: Buffer;
}

/** Overall deadline of one call: twice the cold budget, capped at Modal's function timeout. */
export function deadlineMs(entry: EndpointEntry, target: TargetConfig, override: EndpointOverride = {}): number {
  const sec = override.deadlineSec ?? Math.min(latencyBudgetSec(entry, 'cold') * 2, hardLimitSec(entry));
  return Math.round(sec * 1000 * target.timeScale + target.overheadMs);
}

/**
 * Check messages and measurements quote response bodies, and a hostile or misconfigured server can
 * echo the request's Modal-Key/Modal-Secret back; every string is redacted before it can reach a
 * console line, report, status page or log.
 */
function redactDeep(value: unknown, redact: (s: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  }
  return value;
}

function tag(checks: CheckResult[], caseName: string, redact: (s: string) => string): ReportedCheck[] {
  return checks.map((c) => ({ ...c, message: redact(c.message), measured: redactDeep(c.measured, redact), case: caseName }));
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * The app's lane, then a global slot, within `patienceMs` (the waits count against the caller's
 * patience, never against the call's deadline, which starts when it is sent).
 */
async function acquireSlots(ctx: RunContext, app: string, priority: number, patienceMs: number): Promise<{ release: (() => void) | null; waitedMs: number }> {
  const t0 = performance.now();
  const lane = await ctx.appLimit(app).acquireWithin({ priority, timeoutMs: patienceMs });
  const global = lane && (await ctx.global.acquireWithin({ priority, timeoutMs: patienceMs - (performance.now() - t0) }));
  if (lane && !global) lane();
  const waitedMs = performance.now() - t0;
  ctx.onSlotWait?.(app, waitedMs, !global);
  return { release: lane && global ? () => (global(), lane()) : null, waitedMs };
}

/**
 * The `cpu` slot for a case's checks: taken when they start, or asked for at `cpuReserveAtMs` while
 * the call is still in flight and no other checks wait. A call far later than expected gives a
 * reserved slot back so the others' checks do not wait on it.
 */
function cpuSlot(ctx: RunContext, entry: EndpointEntry, kind: CaseKind): { take(): Promise<(() => void) | null>; drop(): void } {
  const cpu = ctx.cpu;
  if (!cpu) return { take: async () => null, drop: () => undefined };
  const priority = ctx.priorityOf?.(entry, kind) ?? 0;
  const at = kind === 'happy' ? ctx.cpuReserveAtMs?.(entry) : undefined;
  let held: Promise<() => void> | null = null;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const giveBack = () => {
    const h = held;
    held = null;
    void h?.then((release) => release());
  };
  if (at !== undefined) {
    timers.push(
      setTimeout(() => {
        // With checks already waiting the slot is never idle anyway: holding it early would only
        // stall them (the call still gets it first, by priority, once it has answered).
        if (cpu.waiting > 0) return;
        held = cpu.acquire({ priority });
        timers.push(setTimeout(giveBack, at * 0.5 + 2000));
      }, at),
    );
  }
  const stop = () => timers.forEach(clearTimeout);
  return {
    take: () => {
      stop();
      const h = held;
      held = null;
      return h ?? cpu.acquire({ priority });
    },
    drop: () => {
      stop();
      giveBack();
    },
  };
}

/** What a case reports when its patience ran out before a slot was free: nothing was sent. */
function notSentCall(app: string, waitedMs: number): CallResult {
  const message = `not sent: no free slot on ${app} within ${(waitedMs / 1000).toFixed(1)} s (genprobe's earlier calls to it still hold every lane)`;
  return { status: null, headers: {}, body: Buffer.alloc(0), declaredType: null, sniffedType: 'empty', hops: [], totalMs: 0, ttfbMs: null, failure: { class: 'timeout', message } };
}

async function callWithRetry(entry: EndpointEntry, req: ResolvedRequest, ctx: RunContext, deadline: number, priority: number, expectedStatuses?: readonly number[]) {
  let attempts = 0;
  let queueMs = 0;
  const patience = ctx.patienceMs?.(entry) ?? deadline;
  for (;;) {
    attempts++;
    const slot = await acquireSlots(ctx, entry.app, priority, patience - queueMs);
    queueMs += slot.waitedMs;
    if (!slot.release) return { call: notSentCall(entry.app, queueMs), attempts, queueMs, notSent: true };
    let call: CallResult;
    try {
      call = await ctx.client.call({ app: entry.app, path: entry.path, method: entry.method, json: entry.method === 'POST' ? req.body : undefined, deadlineMs: deadline, headers: ctx.headers });
    } finally {
      slot.release();
    }
    if (!ctx.retry.take(call.failure, attempts, { status: call.status, expectedStatuses })) return { call, attempts, queueMs, notSent: false };
  }
}

type CaseResult = { report: CaseReport; call: CallResult; costUsd: number };

/** A view of bytes as the Buffer the face model takes (no copy). */
const asBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** The face model with this run's settings bound, for a face route when the run has one (not --no-face). */
function faceModelFor(entry: EndpointEntry, req: ResolvedRequest, ctx: RunContext, override: EndpointOverride, run: EndpointRun): FaceModelInput | undefined {
  const faceCheck = ctx.faceCheck;
  if (!entry.face || !faceCheck) return undefined;
  const { sampleFrames, minFaceShare, embedder } = ctx.face;
  return {
    reference: req.media[entry.face.referenceField]?.bytes,
    targetPct: override.faceTargetPct ?? entry.face.target[0],
    model: (input) => {
      run.reference = asBuffer(input.reference);
      return faceCheck({ ...input, output: asBuffer(input.output), reference: run.reference, sampleFrames, minFaceShare, embedder });
    },
  };
}

/** The endpoint's golden image in the gate's golden directory, unless this run compares none (--repeat). */
function goldenStoreFor(entry: EndpointEntry, ctx: RunContext): GoldenStore | undefined {
  if (ctx.golden === false) return undefined;
  const file = path.join(ctx.gate.goldenDir, `${entry.id}.png`);
  return {
    update: ctx.updateGolden === true,
    onDrift: ctx.gate.goldenDrift,
    read: () => (existsSync(file) ? readFileSync(file) : null),
    write: (image) => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, image);
    },
  };
}

/**
 * What the registry's checks judge one case's call with: the entry, the request as sent and as
 * parsed, the answer, and what only the runner has — the call's outcome, the face model, the golden
 * images and the timing, whose start type is asked for when the latency check runs (once).
 */
function caseCheckInput(entry: EndpointEntry, planned: PlannedCase, req: ResolvedRequest, call: CallResult, ctx: RunContext, override: EndpointOverride, run: EndpointRun, startBefore: StartType): OutputCheckInput {
  const parsed = entry.request.safeParse(req.body);
  return {
    output: entry.output,
    headers: entry.headers,
    face: entry.face,
    sent: req.body,
    request: parsed.success ? parsed.data : (req.body as Record<string, unknown>),
    inputs: inputInfo(req.media),
    response: { status: call.status, headers: call.headers, body: call.body, declaredType: call.declaredType, sniffedType: call.sniffedType },
    transport: { failure: call.failure, expectedStatuses: planned.errorCase?.expect.status },
    faceModel: faceModelFor(entry, req, ctx, override, run),
    golden: goldenStoreFor(entry, ctx),
    timing: { totalMs: call.totalMs, budget: latencyBudget(entry), startType: () => ctx.classifyStart?.(entry, call) ?? startBefore, timeScale: ctx.target.timeScale, overheadMs: ctx.target.overheadMs },
  };
}

/** A happy path's checks, after a call that answered: the registry's, with route-broken in place of status where the route is recorded as failing. */
async function answerChecks(entry: EndpointEntry, input: OutputCheckInput, call: CallResult, run: EndpointRun): Promise<CheckResult[]> {
  const output = await runOutputChecks(input);
  if (call.status !== null && call.status < 300 && call.body.length) run.output = { body: call.body, sniffedType: call.sniffedType };
  // A registered route recorded as failing today is judged as one that must work; its failure
  // is the route-broken class (its own check name, so one waiver can target it).
  return entry.asBuiltFailure ? output.map((c) => (c.check === 'status' ? checkRouteBroken(call.status, call.body, entry.asBuiltFailure) : c)) : output;
}

/** `afterCall` runs once the case's call has answered, before its output (and face) checks. */
async function runCase(entry: EndpointEntry, planned: PlannedCase, ctx: RunContext, override: EndpointOverride, run: EndpointRun, afterCall?: (call: CallResult) => void): Promise<CaseResult> {
  const req = await resolveRequest(planned.sample);
  const start = ctx.startTypeFor(entry.app);
  const expected = planned.errorCase ? [...planned.errorCase.expect.status, ...(planned.errorCase.asBuilt?.status ?? [])] : undefined;
  const cpu = cpuSlot(ctx, entry, planned.kind);
  const { call, attempts, queueMs, notSent } = await callWithRetry(entry, req, ctx, deadlineMs(entry, ctx.target, override), ctx.priorityOf?.(entry, planned.kind) ?? 0, expected);
  afterCall?.(call);
  const input = caseCheckInput(entry, planned, req, call, ctx, override, run, start);
  const checks: CheckResult[] = await runCallChecks(input);
  const ended = checks.some((c) => c.verdict === 'fail');

  if (planned.errorCase || ended) cpu.drop();
  if (planned.errorCase) {
    const kind = planned.kind === 'removed' ? 'removed' : 'negative';
    if (!ended) checks.push(...runErrorCaseChecks(planned.errorCase, input.response, { kind, stillListedBy: entry.stillListedBy }));
  } else if (!ended) {
    // Output, face and pixel checks share this process's one thread with the calls still in
    // flight: one case's checks at a time, the longest chain's first (ctx.cpu).
    const releaseCpu = await cpu.take();
    try {
      checks.push(...(await answerChecks(entry, input, call, run)));
    } finally {
      releaseCpu?.();
    }
  }

  // Charged from genprobe's clock; an X-Cost-USD that cannot be right for that time is a finding.
  const cost = callCost(call, entry.gpu, ctx.target.timeScale);
  if (cost.finding) checks.push(costFindingCheck(call, cost.finding));
  const reported = tag(checks, planned.name, (text) => ctx.client.redact(text));
  const report: CaseReport = {
    name: planned.name,
    kind: planned.kind,
    verdict: verdictOfChecks(reported),
    status: call.status,
    latencyMs: call.totalMs,
    queueMs: Math.round(queueMs),
    ...(notSent ? { notSent: true } : {}),
    hops: call.hops,
    attempts,
    failure: call.failure,
    output: call.body.length ? { sniffedType: call.sniffedType, bytes: call.body.length, sha256: sha256(call.body), declaredType: call.declaredType } : undefined,
    checks: reported,
  };
  ctx.onCase?.(entry, report);
  return { report, call, costUsd: cost.usd };
}

export function skippedReport(entry: EndpointEntry, reason: string): EndpointReport {
  return { id: entry.id, app: entry.app, path: entry.path, gpu: entry.gpu, lifecycle: entry.lifecycle, verdict: 'skipped', latencyMs: null, redirects: 0, hops: [], skipReason: reason, costUsd: 0, checks: [], cases: [] };
}

/** `GET /loras` on the entry's app (through its lanes), for the LoRA precondition. */
async function fetchLoraList(entry: EndpointEntry, ctx: RunContext, override: EndpointOverride): Promise<CallResult | null> {
  const deadline = deadlineMs(entry, ctx.target, override);
  const slot = await acquireSlots(ctx, entry.app, ctx.priorityOf?.(entry, 'happy') ?? 0, ctx.patienceMs?.(entry) ?? deadline);
  if (!slot.release) return null;
  try {
    return await ctx.client.call({ app: entry.app, path: '/loras', method: 'GET', deadlineMs: deadline, headers: ctx.headers });
  } finally {
    slot.release();
  }
}

/**
 * A precondition of the contract that failed (a LoRA that should be there, a route the app does not
 * register): one failing case, the contract's other cases not run. `call` is the request that
 * showed it, if genprobe made one for it.
 */
function preconditionFailedReport(entry: EndpointEntry, caseName: string, check: CheckResult, redact: (s: string) => string, call?: CallResult): EndpointReport {
  const checks = tag([check], caseName, redact);
  const kase: CaseReport = { name: caseName, kind: 'happy', verdict: 'fail', status: call?.status ?? null, latencyMs: call ? call.totalMs : 0, hops: call?.hops ?? [], attempts: call ? 1 : 0, checks };
  return { ...skippedReport(entry, ''), skipReason: undefined, verdict: 'fail', latencyMs: null, checks, cases: [kase] };
}

/**
 * A removed route answered otherwise than its 404: if the app's route list still has it, the
 * failing checks say so (the route was never taken out, rather than answering wrongly). Waits for
 * the list only then, so a removed route never waits for its app's warm-up.
 */
async function noteStillRegistered(entry: EndpointEntry, ctx: RunContext, cases: CaseReport[]): Promise<void> {
  const failing = cases.flatMap((c) => (c.kind === 'removed' ? c.checks.filter((k) => k.verdict === 'fail') : []));
  if (!failing.length || !ctx.inventoryOf) return;
  const verdict = routeVerdict(entry, await ctx.inventoryOf(entry.app));
  if (verdict.kind === 'call' && verdict.note) for (const c of failing) c.message = `${c.message} (${verdict.note})`;
}

export async function runEndpoint(entry: EndpointEntry, ctx: RunContext, override: EndpointOverride = {}): Promise<EndpointRun> {
  const run: EndpointRun = { report: skippedReport(entry, '') };
  if (override.skip) {
    run.report.skipReason = override.skip;
    return run;
  }
  // A removed route is called whatever its app registers (its contract is the cheap 404).
  const route = entry.lifecycle === 'removed' ? null : routeVerdict(entry, await ctx.inventoryOf?.(entry.app));
  if (route?.kind === 'missing') return { report: preconditionFailedReport(entry, 'route inventory', route.check, (t) => ctx.client.redact(t)) };
  const lora = loraRequirement(entry, override);
  if (lora && APPS_WITH_LORA_LIST.has(entry.app)) {
    const list = await fetchLoraList(entry, ctx, override);
    const verdict = list ? judgeLoraList(entry, lora, list) : ({ kind: 'ok' } as const);
    if (verdict.kind === 'skip') return { report: skippedReport(entry, verdict.reason) };
    if (verdict.kind === 'fail' && list) return { report: preconditionFailedReport(entry, 'LoRA precondition', verdict.check, (t) => ctx.client.redact(t), list) };
  }
  let loraSkip: string | null = null;
  const planned = planContract(entry, override, { negativeCases: ctx.gate.negativeCases });
  // The happy path goes first so that it (not a cheap negative case) pays a cold start. The other
  // cases start as soon as its call has answered: they need a warm container, not its verdict, so
  // they overlap its output and face checks instead of queueing behind them.
  const [first, ...rest] = planned;
  let others: Promise<CaseResult[]> | null = null;
  let notDeployed = false;
  const startOthers = (call: CallResult) => {
    // An app whose deployment is unknown (docs/fleet.md §1: ryla-lora, ryla-qwen-edit) and that Modal
    // says is not deployed is reported as skipped with the reason, not as a contract failure.
    notDeployed = APPS[entry.app].deployed === 'unknown' && entry.lifecycle === 'live' && isAppNotDeployed(call);
    if (notDeployed) return;
    // Apps without GET /loras: the happy path's 404 `LoRA not found` is the precondition's answer.
    const loraVerdict = lora && !APPS_WITH_LORA_LIST.has(entry.app) ? judgeLoraAnswer(entry, lora, call) : null;
    if (loraVerdict?.kind === 'skip') loraSkip = loraVerdict.reason;
    if (loraVerdict && loraVerdict.kind !== 'ok') {
      others = Promise.resolve([]); // its negative cases would fail for the wrong reason
      return;
    }
    others = Promise.all(rest.map((p) => runCase(entry, p, ctx, override, run)));
    // Awaited below; if the happy path's own checks throw first, this must not become an unhandled rejection.
    others.catch(() => undefined);
  };
  const results = first ? [await runCase(entry, first, ctx, override, run, startOthers)] : [];
  if (notDeployed) {
    run.report.skipReason = `app ${entry.app} is not deployed on this target (its deployment is unknown per docs/fleet.md §1)`;
    return run;
  }
  if (loraSkip) {
    run.report.skipReason = loraSkip;
    return run;
  }
  results.push(...(await (others ?? Promise.all(rest.map((p) => runCase(entry, p, ctx, override, run))))));
  const cases = results.map((r) => r.report);
  if (entry.lifecycle === 'removed') await noteStillRegistered(entry, ctx, cases);
  const lead = results[0];
  run.report = {
    id: entry.id,
    app: entry.app,
    path: entry.path,
    gpu: entry.gpu,
    lifecycle: entry.lifecycle,
    verdict: worstCaseVerdict(cases),
    latencyMs: lead ? lead.call.totalMs : null,
    redirects: lead ? lead.call.hops.filter((h) => h.status !== null && h.status >= 300 && h.status < 400).length : 0,
    hops: lead?.call.hops ?? [],
    costUsd: results.reduce((s, r) => s + r.costUsd, 0),
    checks: cases.flatMap((c) => c.checks),
    cases,
  };
  return run;
}

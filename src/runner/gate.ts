/**
 * A gate run: select endpoints, warm their apps, run every contract in parallel within per-app
 * limits, apply waivers, and produce the GateReport with its exit code.
 */
import { CATALOG, getEndpoint } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import type { StartType } from '../checks/definition.ts';
import { ModalClient } from '../client/index.ts';
import { ConfigError, type GenprobeConfig } from '../config/index.ts';
import { applyWaivers, knownDefects, loadWaivers } from '../waivers/index.ts';
import type { AppInventoryRead, CaseKind, EndpointReport, EndpointVerdict, Waiver, WaiverFinding } from '../report/types.ts';
import { appLimits, createRunContext } from './context.ts';
import { deadlineMs, runEndpoint, type EndpointRun, type FaceCheck } from './run-endpoint.ts';
import { runRepeated, settleRepeat } from './repeat.ts';
import { expectedCallSec, NEGATIVE_CASE_SEC, planGate, warmUpRequests, type GatePlan } from './schedule.ts';
import { Semaphore } from './semaphore.ts';
import { appsToWarmFor, warmUpDeadlineMs, warmUpProblem } from './warm-up.ts';
import { inventoryRead, readAppInventory, type AppInventory } from './inventory.ts';
import { settleVerdicts } from './verdict.ts';
import { shardEntries, type Shard, type ShardedReport } from './shard.ts';

export const GENPROBE_VERSION = '0.1.0';

export interface GateOptions {
  config: GenprobeConfig;
  only?: string[];
  tags?: string[];
  /** Extra headers on every call (e.g. `x-genprobe-fault` against the emulator). */
  headers?: Record<string, string>;
  faceCheck?: FaceCheck;
  updateGolden?: boolean;
  waivers?: Waiver[];
  client?: ModalClient;
  now?: () => Date;
  onEndpoint?: (report: EndpointReport) => void;
  /**
   * Reports of contracts checked before any call (`gate --consumers`: each consumer call verified
   * statically against the catalog, src/consumers): waived, printed and counted like endpoints, so
   * a deploy that would break a caller fails the gate.
   */
  preReports?: EndpointReport[];
  /** Run every case this many times, with a different seed each time where the route takes one (runner/repeat.ts). */
  repeat?: number;
  /** With repeat: the pass rate an endpoint needs (default 1, every run). */
  minPassRate?: number;
  /** Stored results (`gate --cache`, src/cache/): a hit is reused without a call, a fresh result offered back. */
  results?: ResultStore;
  /** `gate --shard i/n` (runner/shard.ts): run this shard of the selection; waivers are judged by `report merge`. */
  shard?: Shard;
  /**
   * Read each warmed app's route list (GET /openapi.json) right after its /health warm-up and send
   * nothing to a registered route it does not register (runner/inventory.ts). Default true;
   * `gate --no-inventory` turns it off.
   */
  inventory?: boolean;
}

/** Where the gate finds and keeps endpoint results (src/cache/ implements it; the runner imports no cache). */
export interface ResultStore {
  lookup(entry: EndpointEntry): EndpointRun | undefined;
  store(entry: EndpointEntry, run: EndpointRun): void;
}

export function selectEndpoints(only: string[] = [], tags: string[] = []): EndpointEntry[] {
  const chosen = only.length ? only.map((id) => getEndpoint(id)) : [...CATALOG];
  const unknownTags = tags.filter((t) => !CATALOG.some((e) => e.tags.includes(t)));
  if (unknownTags.length) throw new ConfigError(`unknown tag(s): ${unknownTags.join(', ')}`);
  return tags.length ? chosen.filter((e) => tags.some((t) => e.tags.includes(t))) : chosen;
}

/** Apps to warm for a set of endpoints: their own and every app they delegate to (live ones only). */
export function appsToWarm(entries: EndpointEntry[]): AppName[] {
  // Registered routes (live, or failing today and judged as ones that must work); removed ones call nothing.
  return [...new Set(entries.filter((e) => e.lifecycle !== 'removed').flatMap(appsToWarmFor))];
}

/**
 * Warm-up: GET /health (Modal runs @enter before answering it), so the contract calls that follow
 * hit warm containers and can be held to the warm budget — as many at once as it takes Modal to
 * start the planned containers. Each endpoint waits only for its own apps' warm-ups; routes that
 * need no warm container (removed) run meanwhile.
 *
 * Then, with `readRoutes`, the app's route list (GET /openapi.json): FastAPI serves it from the
 * container just woken, so it is sent once /health has answered warm and before the app's
 * endpoints start (a container runs one request at a time). An app that did not warm up is not
 * asked: its calls decide, as without the inventory.
 */
function startWarmUps(apps: AppName[], plan: GatePlan, client: ModalClient, config: GenprobeConfig, appLimit: (app: string) => Semaphore, readRoutes: boolean) {
  const warm = new Set<string>();
  const inventories = new Map<string, AppInventory>();
  const warmUps = new Map<string, Promise<AppInventory | undefined>>(
    apps.map((app) => [
      app,
      (async () => {
        const containers = plan.lanes.get(app) ?? 1;
        const deadline = warmUpDeadlineMs(app, config.target.timeScale, config.target.overheadMs);
        const answers = await Promise.all(Array.from({ length: warmUpRequests(app, containers) }, () => client.health(app, deadline)));
        // Warm means a 200 whose body names the app (warm-up.ts), as the probes' Warmer judges it.
        const warmAnswers = answers.filter((r) => warmUpProblem(app, r) === undefined).length;
        if (warmAnswers > 0) warm.add(app);
        // Fewer answers than asked for: the extra containers may not be there; one call at a time.
        if (warmAnswers < answers.length) appLimit(app).resize(1);
        if (!readRoutes || warmAnswers === 0) return undefined;
        const inventory = await readAppInventory(client, app, config.target);
        inventories.set(app, inventory);
        return inventory;
      })(),
    ]),
  );
  const warmedUp = (entry: EndpointEntry) => Promise.all(appsToWarm([entry]).map((app) => warmUps.get(app)));
  const inventoryOf = async (app: string) => warmUps.get(app as AppName);
  return { warm, warmedUp, inventoryOf, inventories };
}

/** The gate's report: the summary counts, the exit code (a failure or an expired waiver), the shard's part. */
function gateReport(
  opts: GateOptions,
  r: { started: Date; finished: Date; entries: EndpointEntry[]; endpoints: EndpointReport[]; waivers: Waiver[]; waiverFindings: WaiverFinding[]; inventory?: AppInventoryRead[] },
): ShardedReport {
  const { config } = opts;
  const { started, finished, entries, endpoints, waivers, waiverFindings, inventory } = r;
  const summary = { pass: 0, fail: 0, warn: 0, waived: 0, skipped: 0, total: endpoints.length } as Record<EndpointVerdict, number> & { total: number };
  for (const ep of endpoints) summary[ep.verdict]++;
  const exitCode: 0 | 1 = summary.fail > 0 || waiverFindings.some((f) => f.finding === 'expired') ? 1 : 0;
  const report: ShardedReport = {
    schemaVersion: 1,
    tool: { name: 'genprobe', version: GENPROBE_VERSION },
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    target: { url: config.target.url, workspace: config.target.workspace, timeScale: config.target.timeScale },
    summary,
    waivers: waiverFindings,
    knownDefects: knownDefects(endpoints, waivers),
    ...(inventory ? { inventory } : {}),
    exitCode,
    endpoints,
    ...(opts.shard ? { shard: { ...opts.shard, selection: { only: opts.only ?? [], tags: opts.tags ?? [] }, endpoints: entries.map((e) => e.id), waiverSet: waivers } } : {}),
  };
  return report;
}

/**
 * The gate's run context: lanes from the plan, one check slot for the thread, the longest chains
 * first, and the start type known from the warm-ups.
 */
function gateRunContext(opts: GateOptions, client: ModalClient, plan: GatePlan, appLimit: (app: string) => Semaphore, warmUps: Pick<ReturnType<typeof startWarmUps>, 'warm' | 'inventoryOf'>) {
  const { warm, inventoryOf } = warmUps;
  const { config } = opts;
  return createRunContext(config, {
    client,
    appLimit,
    // Checks run on this one thread: one case's at a time, the longest chain's first, so the
    // slowest chain's checks never wait behind a cheap endpoint's face check.
    cpu: new Semaphore(1),
    // The slowest chain asks for the check slot at 90 % of its documented call time.
    cpuReserveAtMs: (entry: EndpointEntry) => (entry.id === plan.criticalId ? expectedCallSec(entry) * 0.9 * 1000 * config.target.timeScale : undefined),
    // The happy path carries its endpoint's whole chain; an error case is a few seconds of validation.
    priorityOf: (entry: EndpointEntry, kind: CaseKind) => (kind === 'happy' ? plan.chainSec.get(entry.id) ?? 0 : NEGATIVE_CASE_SEC),
    // Waiting for a lane is planned (an app's chains share its lanes): a case waits up to twice the
    // run's expected length on top of its own deadline, then is reported unsent (a hung app).
    patienceMs: (entry: EndpointEntry) => deadlineMs(entry, config.target, config.endpoints[entry.id]) + plan.targetSec * 2 * 1000 * config.target.timeScale,
    startTypeFor: (app: string): StartType => (warm.has(app) ? 'warm' : 'unknown'),
    inventoryOf,
    faceCheck: opts.faceCheck,
    updateGolden: opts.updateGolden,
    headers: opts.headers,
  });
}

export async function runGate(opts: GateOptions): Promise<{ report: ShardedReport; runs: EndpointRun[] }> {
  const { config } = opts;
  const now = opts.now ?? (() => new Date());
  const started = now();
  const selected = selectEndpoints(opts.only, opts.tags);
  const entries = opts.shard ? shardEntries(selected, opts.shard) : selected;
  // Stored results are looked up first: an app whose endpoints are all stored is not even warmed.
  const stored = new Map(entries.flatMap((e) => {
    const hit = opts.results?.lookup(e);
    return hit ? [[e.id, hit] as const] : [];
  }));
  const waivers = opts.waivers ?? loadWaivers(config.gate.waivers);
  const client = opts.client ?? ModalClient.forTarget(config.target);

  // Fleet containers run one job at a time (schedule.ts): the plan says how many containers each
  // app needs for its chains to end within the slowest one, and genprobe keeps one call in flight
  // per container, serving the longest chains first.
  const plan = planGate(entries, { negativeCases: config.gate.negativeCases });
  const appLimit = appLimits((app) => plan.lanes.get(app as AppName) ?? 1);
  const warmUps = startWarmUps(appsToWarm(entries.filter((e) => !stored.has(e.id))), plan, client, config, appLimit, opts.inventory !== false);
  const { warmedUp } = warmUps;
  const ctx = gateRunContext(opts, client, plan, appLimit, warmUps);

  // One endpoint's waivers are known when it finishes; what they say about the whole run is settled below.
  const judge = (r: EndpointReport) => {
    applyWaivers([r], waivers, config.target.url, now());
    settleVerdicts(r);
  };
  const reportEndpoint = (r: EndpointReport) => {
    judge(r);
    settleRepeat(r);
    opts.onEndpoint?.(r);
  };
  for (const r of opts.preReports ?? []) {
    judge(r);
    opts.onEndpoint?.(r);
  }
  const runs = await Promise.all(
    entries.map(async (entry) => {
      const hit = stored.get(entry.id);
      if (hit) {
        reportEndpoint(hit.report);
        return hit;
      }
      await warmedUp(entry);
      const run = (opts.repeat ?? 1) > 1 ? await runRepeated(entry, ctx, config.endpoints[entry.id] ?? {}, opts.repeat!, opts.minPassRate ?? 1, judge) : await runEndpoint(entry, ctx, config.endpoints[entry.id]);
      // Before waivers mark it: a stored result is judged by the waivers in force when it is read.
      opts.results?.store(entry, run);
      // Reported as it finishes: a real gate runs for minutes.
      reportEndpoint(run.report);
      return run;
    }),
  );
  const endpoints = [...(opts.preReports ?? []), ...runs.map((r) => r.report)];
  // Marking is idempotent; this pass finds expired and no-longer-needed waivers across the run.
  // Only waivers whose endpoints all ran are judged "no longer needed" (--only/--tag select a few).
  const allFindings = applyWaivers(endpoints, waivers, config.target.url, now(), { universe: [...CATALOG.map((e) => e.id), ...(opts.preReports ?? []).map((r) => r.id)] });
  // A shard sees part of what a waiver covers: expired / no-longer-needed are judged on the merged report.
  const waiverFindings = opts.shard ? [] : allFindings;
  for (const ep of endpoints) {
    settleVerdicts(ep);
    settleRepeat(ep);
  }

  const inventory = opts.inventory === false ? undefined : [...warmUps.inventories.values()].map(inventoryRead).sort((a, b) => a.app.localeCompare(b.app));
  const report = gateReport(opts, { started, finished: now(), entries, endpoints, waivers, waiverFindings, inventory });
  return { report, runs };
}

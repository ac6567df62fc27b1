/**
 * The probing service assembled from config: client, budget, metrics, status store, probe runner,
 * scheduler and (when a database URL is configured) the usage collector. `genprobe serve` runs it
 * behind the HTTP server; `genprobe probe --once` uses the same pieces without the scheduler.
 */
import { CATALOG, liveEndpoints } from '../catalog/index.ts';
import type { EndpointEntry } from '../catalog/types.ts';
import { ModalClient } from '../client/index.ts';
import type { GenprobeConfig, ProbeKind } from '../config/index.ts';
import { runnerLabels } from '../config/index.ts';
import type { Waiver } from '../report/types.ts';
import type { FaceCheck } from '../runner/run-endpoint.ts';
import { GENPROBE_VERSION } from '../runner/gate.ts';
import type { UsageCollector } from '../usage/collector.ts';
import type { Coordination } from '../coordination/index.ts';
import { loadWaivers } from '../waivers/index.ts';
import { Budget } from './budget.ts';
import { createProbeMetrics, PROBE_KINDS, type ProbeMetrics } from './metrics.ts';
import { jsonLineLogger, ProbeRunner, type ProbeLogger } from './probe-runner.ts';
import { kindsByEndpoint, resolveSchedules, Scheduler } from './scheduler.ts';
import { ProbeStatusStore, type ProbeOutcome } from './status.ts';
import { cronIntervalSec, Heartbeat } from './heartbeat.ts';
import { SelfCheck } from './self-check.ts';
import { registerStateMetrics } from '../state/metrics.ts';
import { StateTracker } from '../state/tracker.ts';
import { MaintenanceCalendar } from '../state/windows.ts';

export interface ProbeServiceOptions {
  config: GenprobeConfig;
  client?: ModalClient;
  faceCheck?: FaceCheck;
  waivers?: Waiver[];
  headers?: Record<string, string>;
  log?: ProbeLogger;
  /** JSON file keeping the budget's spend across restarts. */
  budgetStateFile?: string;
  /** Endpoints whose series are pre-initialised; default every live endpoint plus the scheduled ones. */
  entries?: readonly EndpointEntry[];
  defaultMetrics?: boolean;
  /** Environment the database URL is read from (by the name in config.usage.databaseUrlEnv). */
  env?: NodeJS.ProcessEnv;
}

export interface ProbeService {
  config: GenprobeConfig;
  client: ModalClient;
  budget: Budget;
  metrics: ProbeMetrics;
  status: ProbeStatusStore;
  runner: ProbeRunner;
  scheduler: Scheduler;
  usage?: UsageCollector;
  /** The coordination database's ledger and slot locks, when config.coordination is set. */
  coordination?: Coordination;
  /** Endpoint states with hysteresis. */
  state: StateTracker;
  /** Maintenance windows: the config's and those opened over the HTTP API. */
  maintenance: MaintenanceCalendar;
  heartbeat: Heartbeat;
  selfCheck: SelfCheck;
  /** Start the cron schedules and the usage collector. */
  start(): void;
  /** Stop schedules (waiting for running probes when `drain`) and the usage collector. */
  stop(drain?: boolean): Promise<void>;
}

export function clientFor(config: GenprobeConfig): ModalClient {
  return ModalClient.forTarget(config.target);
}

export async function createProbeService(opts: ProbeServiceOptions): Promise<ProbeService> {
  const { config } = opts;
  const log = opts.log ?? jsonLineLogger;
  const client = opts.client ?? clientFor(config);
  const budget = new Budget({ dailyUsd: config.probes.budget.dailyUsd, monthlyUsd: config.probes.budget.monthlyUsd, stateFile: opts.budgetStateFile });
  const resolved = resolveSchedules(config.probes.schedules);
  const kinds = kindsByEndpoint(resolved);
  const scheduledIds = new Set(kinds.keys());
  const entries = opts.entries ?? [...liveEndpoints(), ...CATALOG.filter((e) => e.lifecycle !== 'live' && scheduledIds.has(e.id))];
  const metrics = probeMetricsFor(config, entries, budget, kinds, opts.defaultMetrics);
  const env = opts.env ?? process.env;
  const coordination = await coordinationFor(config, env);
  const status = new ProbeStatusStore();
  for (const e of entries) status.ensure(e.id, e.app, e.gpu);
  const state = new StateTracker((id) => ({ ...config.probes.state, ...config.endpoints[id]?.state }));
  const maintenance = new MaintenanceCalendar(config.maintenance);
  const selfCheck = new SelfCheck({ client, canaries: config.probes.canaries });
  registerStateMetrics(metrics.registry, state, selfCheck);
  const heartbeat = new Heartbeat(metrics.registry);
  for (const s of resolved) heartbeat.declare(String(s.index), s.kind, cronIntervalSec(s.cron, config.probes.timezone));
  const runner = new ProbeRunner({
    config,
    client,
    metrics,
    state,
    maintenance,
    selfCheck,
    budget,
    status,
    faceCheck: opts.faceCheck,
    waivers: opts.waivers ?? loadWaivers(config.gate.waivers),
    headers: opts.headers,
    log,
    ledger: coordination?.ledger,
  });
  const scheduler = new Scheduler({
    schedules: config.probes.schedules,
    timezone: config.probes.timezone,
    probe: (entry, kind: ProbeKind, o) => (coordination && o?.slot ? probeSlotOnce(coordination, runner, metrics, log, entry, kind, { ...o, slot: o.slot }) : runner.probe(entry, kind, o)),
    onTick: (s) => heartbeat.beat(String(s.index), s.kind),
    onError: (err, s) => log({ event: 'schedule-error', schedule: s.index, message: client.redact((err as Error)?.message ?? String(err)) }),
  });

  const usage = await usageCollectorFor(config, env, metrics.registry);
  if (usage) status.setUsageSource(() => usage.snapshot());

  return {
    config,
    client,
    budget,
    metrics,
    status,
    runner,
    scheduler,
    usage,
    coordination,
    state,
    maintenance,
    heartbeat,
    selfCheck,
    start() {
      scheduler.start();
      usage?.start();
      log({ event: 'service-started', schedules: scheduler.schedules.map((s) => ({ match: s.match, cron: s.cron, kind: s.kind, endpoints: s.endpoints.length })), usage: usage ? 'on' : 'off' });
    },
    async stop(drain = false) {
      await scheduler.stop(drain);
      await usage?.stop();
      await coordination?.close();
    },
  };
}

/** The probe series, pre-initialised for `entries` and the kinds their schedules run. */
function probeMetricsFor(config: GenprobeConfig, entries: readonly EndpointEntry[], budget: Budget, kinds: ReturnType<typeof kindsByEndpoint>, defaultMetrics: boolean | undefined): ProbeMetrics {
  return createProbeMetrics({
    entries,
    version: GENPROBE_VERSION,
    timeScale: config.target.timeScale,
    overheadMs: config.target.overheadMs,
    budget,
    defaultMetrics,
    identity: runnerLabels(config.runner),
    // Without schedules (one-shot runs), every kind may be asked for.
    kindsFor: (e) => (kinds.size ? [...(kinds.get(e.id) ?? [])] : PROBE_KINDS),
  });
}

/** Several runners: one spend ledger and one probe per (endpoint, slot) through PostgreSQL; undefined without config.coordination. */
async function coordinationFor(config: GenprobeConfig, env: NodeJS.ProcessEnv): Promise<Coordination | undefined> {
  if (!config.coordination) return undefined;
  const { connectCoordination } = await import('../coordination/index.ts');
  return connectCoordination(config.coordination, env, { runner: config.runner.name, region: config.runner.region }, { daily: config.probes.budget.dailyUsd, monthly: config.probes.budget.monthlyUsd });
}

/** The usage collector, when the environment holds a database URL under config.usage.databaseUrlEnv. */
async function usageCollectorFor(config: GenprobeConfig, env: NodeJS.ProcessEnv, registry: ProbeMetrics['registry']): Promise<UsageCollector | undefined> {
  const databaseUrl = env[config.usage.databaseUrlEnv];
  if (!databaseUrl) return undefined;
  const { createUsageCollector } = await import('../usage/collector.ts');
  return createUsageCollector({
    connectionString: databaseUrl,
    registry,
    windowSec: config.usage.windowSec,
    intervalMs: config.usage.intervalSec * 1000,
    statementTimeoutMs: config.usage.statementTimeoutMs,
  });
}

/**
 * A scheduled probe when runners coordinate: the runner that takes the (endpoint, slot) lock
 * probes; the others count a `slot-taken` skip (not recorded on their status page: the endpoint
 * was probed, elsewhere) or, when the holder neither finished nor died in time, a queue-timeout.
 */
async function probeSlotOnce(
  coordination: Coordination,
  runner: ProbeRunner,
  metrics: ProbeMetrics,
  log: ProbeLogger,
  entry: EndpointEntry,
  kind: ProbeKind,
  o: { patienceMs?: number; slot: string },
): Promise<ProbeOutcome> {
  const patienceMs = o.patienceMs ?? 60_000;
  // Busy and queue-timeout are this runner's trouble: no done-record, another runner takes the slot.
  const local = (v: ProbeOutcome) => v.skip?.reason === 'busy' || v.skip?.reason === 'queue-timeout';
  const probe = async () => {
    log({ event: 'slot-start', endpoint: entry.id, kind, slot: o.slot });
    const v = await runner.probe(entry, kind, { patienceMs });
    log({ event: 'slot-end', endpoint: entry.id, kind, slot: o.slot, result: v.result, ...(v.skip ? { skip: v.skip.reason } : {}), decided: !local(v) });
    return v;
  };
  const r = await coordination.slots.once(entry.id, o.slot, patienceMs, probe, (v) => (local(v) ? undefined : v.skip ? `skipped:${v.skip.reason}` : v.result));
  if (r.ran) return r.value;
  const reason = r.reason === 'done' ? 'slot-taken' : 'queue-timeout';
  metrics.probesSkipped.inc({ endpoint: entry.id, app: entry.app, reason });
  const detail = r.reason === 'done' ? `slot ${o.slot} probed by runner ${r.by}` : `slot ${o.slot}: its holder neither finished nor let go in time`;
  log({ event: 'probe-skipped', endpoint: entry.id, app: entry.app, kind, reason, detail, slot: o.slot });
  const t = Date.now();
  return { endpoint: entry.id, app: entry.app, gpu: entry.gpu, kind, startedAt: t, finishedAt: t, result: 'skipped', latencyMs: null, costUsd: 0, redirects: 0, failedChecks: [], warmUps: [], skip: { reason, detail } };
}

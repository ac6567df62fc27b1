/**
 * Modal-versus-ComfyUI usage, read from the platform's `generation_jobs` table (docs/fleet.md
 * §7.5–§7.6) and exported as Prometheus gauges over trailing windows.
 *
 * How it treats the platform's database: one or two pooled connections, every read a
 * REPEATABLE READ READ ONLY transaction with statement_timeout and lock_timeout (set at session
 * start *and* with SET LOCAL, so a connection string carrying its own `options` cannot loosen them),
 * one schema check against information_schema, then one GROUP BY per window bounded by created_at —
 * the database classifies and aggregates, no rows are transferred.
 *
 * How it treats the scrape: reads run on a schedule and on scrape; a scrape within cacheTtlMs of the
 * last attempt reuses it, a later one waits at most scrapeWaitMs for a read and otherwise serves the
 * last values, so a slow or dead database never stalls /metrics. Failures set genprobe_usage_up 0 and
 * count genprobe_usage_read_errors_total{reason}; the data gauges keep their last values and
 * genprobe_usage_last_success_timestamp_seconds says how old they are.
 *
 * The connection string never leaves this module: every message is passed through redactDatabaseSecrets().
 */
import pg from 'pg';
import type { Gauge, Registry } from 'prom-client';
import { counterFor, gaugeFor } from '../metrics/prom.ts';
import { REDACTED, redactSecrets } from '../client/redact.ts';
import { describeError, errorCode, GenprobeError } from '../errors/index.ts';
import { METRICS, type MetricDef } from '../metrics/names.ts';
import {
  DURATION_SQL,
  JOB_STATUSES,
  JOB_TYPES,
  PROVIDERS,
  PROVIDER_SQL,
  STORED_LABELS,
  STORED_LABEL_SQL,
  type Provider,
  type StoredLabel,
} from './classify.ts';
import {
  READ_ERROR_REASONS,
  formatWindowLabel,
  mislabelPairs,
  summariseWindow,
  type ReadErrorReason,
  type UsageGroupRow,
  type UsageSnapshot,
  type UsageWindowSnapshot,
} from './summary.ts';

export type { ReadErrorReason, UsageSnapshot, UsageWindowSnapshot } from './summary.ts';

export interface UsageLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface UsageCollectorOptions {
  /** postgres:// URL of the platform database (read-only role recommended). Never logged. */
  connectionString: string;
  registry: Registry;
  /** Primary window (snapshot, table). Default 86400 → label `1d`. */
  windowSec?: number;
  /** More windows exported alongside. Default [3600] → label `1h` (the Modal-share alert compares 1h with 1d). */
  extraWindowsSec?: readonly number[];
  /** Schedule period; 0 disables the schedule (scrape-driven only). Default 60000. */
  intervalMs?: number;
  /** Scrapes within this long after the last read attempt reuse it. Default 15000. */
  cacheTtlMs?: number;
  /** Longest a scrape waits for a fresh read before serving the last values. Default 2000. */
  scrapeWaitMs?: number;
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** 1 or 2. Default 1: reads are single-flight anyway. */
  maxConnections?: number;
  logger?: UsageLogger;
}

export interface UsageCollector {
  /** First read now, then every intervalMs. */
  start(): void;
  /** Stops the schedule, closes the pool, removes the metrics from the registry. */
  stop(): Promise<void>;
  /** Reads now (joins a read already running). Never rejects: failures land in the snapshot and metrics. */
  refresh(): Promise<UsageSnapshot>;
  snapshot(): UsageSnapshot;
}

export const USAGE_APPLICATION_NAME = 'genprobe-usage';
const TABLE = 'generation_jobs';

/** Columns the usage query reads, and the type families it can cope with. */
const REQUIRED_COLUMNS: Record<string, 'label' | 'text' | 'timestamp'> = {
  type: 'label',
  status: 'label',
  external_provider: 'text',
  external_job_id: 'text',
  started_at: 'timestamp',
  completed_at: 'timestamp',
  created_at: 'timestamp',
  updated_at: 'timestamp',
};
const TYPE_FAMILIES: Record<'label' | 'text' | 'timestamp', readonly string[]> = {
  label: ['USER-DEFINED', 'text', 'character varying'],
  text: ['text', 'character varying'],
  timestamp: ['timestamp without time zone', 'timestamp with time zone'],
};

export class SchemaMismatchError extends GenprobeError {
  constructor(message: string, readonly missingColumns: readonly string[] = []) {
    super(message, 'GENPROBE_USAGE_SCHEMA');
  }
}

/** Errors thrown while acquiring a connection are 'connect' whatever they say. */
class ConnectPhaseError extends GenprobeError {
  constructor(cause: unknown) {
    super(describeDatabaseError(cause), 'GENPROBE_USAGE_CONNECT', { cause });
  }
}

// --- secrets ---

function secretsOf(connectionString: string): string[] {
  const secrets = new Set<string>();
  try {
    const url = new URL(connectionString);
    if (url.password !== '') {
      secrets.add(url.password);
      try {
        secrets.add(decodeURIComponent(url.password));
      } catch {
        // a malformed %-escape: the raw form is already covered
      }
    }
    const queryPassword = url.searchParams.get('password');
    if (queryPassword) secrets.add(queryPassword);
  } catch {
    // not a URL: key=value form
  }
  const kv = /(?:^|\s)password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/i.exec(connectionString);
  const kvPassword = kv?.[1] ?? kv?.[2];
  if (kvPassword) secrets.add(kvPassword);
  return [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Removes the connection string's password (raw, %-decoded and as fragments, through the one
 * `redactSecrets`) and any credentials embedded in a postgres URL or `password=` pair from a
 * message, with the one marker. Applied to every message that leaves the module.
 */
export function redactDatabaseSecrets(text: string, connectionString?: string): string {
  let out = connectionString ? redactSecrets(text, secretsOf(connectionString)) : text;
  out = out.replace(/\b(postgres(?:ql)?:\/\/[^:\s/@]*:)[^@\s]*@/gi, `$1${REDACTED}@`);
  out = out.replace(/(password\s*=\s*)('[^']*'|[^\s&]+)/gi, `$1${REDACTED}`);
  return out;
}

// --- errors ---

/** describeError, except that Node's bare "Invalid URL" (whose `input` is the secret-bearing URL) says what was invalid. */
function describeDatabaseError(err: unknown): string {
  if (errorCode(err) === 'ERR_INVALID_URL') return 'the database connection string is not a valid postgres:// URL (ERR_INVALID_URL)';
  return describeError(err);
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '3D000']);
const TIMEOUT_CODES = new Set(['57014', '55P03']);
const SCHEMA_CODES = new Set(['42P01', '42703', '42704', '42883', '42804']);

export function classifyReadError(err: unknown): ReadErrorReason {
  if (err instanceof ConnectPhaseError) return 'connect';
  if (err instanceof SchemaMismatchError) return 'schema';
  const code = errorCode(err);
  if (code !== undefined) {
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (SCHEMA_CODES.has(code)) return 'schema';
    if (CONNECT_CODES.has(code) || code.startsWith('08') || code.startsWith('28')) return 'connect';
  }
  const message = describeDatabaseError(err);
  if (/Query read timeout/i.test(message)) return 'timeout';
  if (/Connection terminated|connection error|timeout exceeded when trying to connect|not queryable/i.test(message)) return 'connect';
  return 'query';
}

// --- SQL ---

/**
 * Pool configuration for the collector's sessions. Exported so tests can open a session exactly like
 * the collector's and inspect it (SHOW transaction_read_only, a refused INSERT…).
 */
export function usagePoolConfig(
  connectionString: string,
  opts: { statementTimeoutMs: number; lockTimeoutMs: number; connectTimeoutMs: number; maxConnections: number },
): pg.PoolConfig {
  return {
    connectionString,
    max: opts.maxConnections,
    application_name: USAGE_APPLICATION_NAME,
    statement_timeout: opts.statementTimeoutMs,
    lock_timeout: opts.lockTimeoutMs,
    idle_in_transaction_session_timeout: opts.statementTimeoutMs * 2,
    // Client-side backstop when the server stops answering altogether (no cancel can arrive).
    query_timeout: opts.statementTimeoutMs + 5_000,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    options: '-c default_transaction_read_only=on -c TimeZone=UTC',
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
    keepAlive: true,
  };
}

/** Statements opening every read; SET LOCAL re-asserts limits a connection string might override. */
export function readTransactionStatements(statementTimeoutMs: number, lockTimeoutMs: number): string[] {
  return [
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    `SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`,
    `SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`,
    // timestamp-without-time-zone columns hold UTC wall time (drizzle writes toISOString()).
    `SET LOCAL TimeZone = 'UTC'`,
  ];
}

/**
 * The aggregation for one window ($1 = seconds). The window start is computed once per statement and
 * cast to created_at's own type, so the predicate stays sargable (an index on created_at is used if
 * present; without one it is a single sequential scan), and the result is at most
 * providers × types × statuses × stored labels rows.
 */
export function usageQuerySql(createdAtType: string): string {
  const windowStart =
    createdAtType === 'timestamp with time zone'
      ? `now() - make_interval(secs => $1::float8)`
      : `(now() - make_interval(secs => $1::float8))::timestamp`;
  return `SELECT provider, type, status, stored,
       count(*)::int8 AS jobs,
       count(duration_sec)::int8 AS timed_jobs,
       coalesce(sum(duration_sec), 0)::float8 AS duration_sum_sec
  FROM (
    SELECT ${PROVIDER_SQL} AS provider,
           type::text AS type,
           status::text AS status,
           ${STORED_LABEL_SQL} AS stored,
           ${DURATION_SQL} AS duration_sec
      FROM ${TABLE}
     WHERE created_at >= ${windowStart}
  ) AS j
 GROUP BY provider, type, status, stored`;
}

/** Verifies the columns the query needs; returns created_at's data type. */
async function checkSchema(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1`,
    [TABLE],
  );
  if (rows.length === 0) {
    throw new SchemaMismatchError(`table ${TABLE} not found (or not readable) in the current schema`, Object.keys(REQUIRED_COLUMNS));
  }
  const types = new Map(rows.map((r) => [r.column_name, r.data_type]));
  const missing = Object.keys(REQUIRED_COLUMNS).filter((c) => !types.has(c));
  if (missing.length > 0) {
    throw new SchemaMismatchError(`${TABLE} is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (schema version differs from the one genprobe reads)`, missing);
  }
  for (const [column, family] of Object.entries(REQUIRED_COLUMNS)) {
    const actual = types.get(column)!;
    if (!TYPE_FAMILIES[family].includes(actual)) {
      throw new SchemaMismatchError(`${TABLE}.${column} has type ${actual}, expected ${TYPE_FAMILIES[family].join(' or ')}`);
    }
  }
  return types.get('created_at')!;
}

const PROVIDER_SET: ReadonlySet<string> = new Set(PROVIDERS);
const STORED_SET: ReadonlySet<string> = new Set(STORED_LABELS);

function toGroupRow(raw: Record<string, unknown>): UsageGroupRow {
  const provider = String(raw.provider);
  const stored = String(raw.stored);
  if (!PROVIDER_SET.has(provider) || !STORED_SET.has(stored)) {
    throw new Error(`usage query returned an unexpected label (provider ${provider}, stored ${stored})`);
  }
  return {
    provider: provider as Provider,
    type: String(raw.type),
    status: String(raw.status),
    stored: stored as StoredLabel,
    jobs: Number(raw.jobs),
    timedJobs: Number(raw.timed_jobs),
    durationSumSec: Number(raw.duration_sum_sec),
  };
}

// --- logging ---

/** JSON lines on stderr. */
export const stderrLogger: UsageLogger = {
  info: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'info', component: 'usage', message, ...fields })}\n`),
  warn: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', component: 'usage', message, ...fields })}\n`),
  error: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', component: 'usage', message, ...fields })}\n`),
};

// --- the collector ---

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min) throw new Error(`usage collector option ${name} must be ≥ ${min}, got ${value}`);
  return value;
}

/** The options with their defaults, each checked; a bad one throws naming it. */
interface UsageSettings {
  connectionString: string;
  windows: number[];
  windowLabels: string[];
  intervalMs: number;
  cacheTtlMs: number;
  scrapeWaitMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  maxConnections: number;
}

function usageSettings(options: UsageCollectorOptions): UsageSettings {
  if (typeof options.connectionString !== 'string' || options.connectionString.trim() === '') {
    throw new Error('usage collector needs a connectionString (the jobs database URL); none was given');
  }
  const primaryWindow = options.windowSec ?? 86_400;
  const windows = [...new Set([primaryWindow, ...(options.extraWindowsSec ?? [3_600])])];
  const windowLabels = windows.map(formatWindowLabel); // validates
  const intervalMs = options.intervalMs ?? 60_000;
  const cacheTtlMs = options.cacheTtlMs ?? 15_000;
  const scrapeWaitMs = options.scrapeWaitMs ?? 2_000;
  const statementTimeoutMs = positiveInt('statementTimeoutMs', options.statementTimeoutMs ?? 5_000);
  const lockTimeoutMs = positiveInt('lockTimeoutMs', options.lockTimeoutMs ?? 1_000);
  const connectTimeoutMs = positiveInt('connectTimeoutMs', options.connectTimeoutMs ?? 5_000);
  const maxConnections = options.maxConnections ?? 1;
  if (maxConnections !== 1 && maxConnections !== 2) throw new Error(`usage collector option maxConnections must be 1 or 2, got ${maxConnections}`);
  positiveInt('intervalMs', intervalMs, 0);
  positiveInt('cacheTtlMs', cacheTtlMs, 0);
  positiveInt('scrapeWaitMs', scrapeWaitMs, 0);
  const { connectionString } = options;
  return { connectionString, windows, windowLabels, intervalMs, cacheTtlMs, scrapeWaitMs, statementTimeoutMs, lockTimeoutMs, connectTimeoutMs, maxConnections };
}

// -- query: the pool and one read of every window --

interface UsageReader {
  /** One read transaction: schema check, then one GROUP BY per window. */
  read(): Promise<UsageWindowSnapshot[]>;
  close(): Promise<void>;
}

function createUsageReader(settings: UsageSettings, logger: UsageLogger, redact: (text: string) => string): UsageReader {
  const { connectionString, windows, statementTimeoutMs, lockTimeoutMs, connectTimeoutMs, maxConnections } = settings;
  let pool: pg.Pool | null = null;

  function getPool(): pg.Pool {
    if (pool === null) {
      pool = new pg.Pool(usagePoolConfig(connectionString, { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs, maxConnections }));
      // An idle connection dying (server restart, network) is reported here; without a listener it
      // would crash the process. The next read reconnects.
      pool.on('error', (err) => logger.warn('usage database connection lost while idle', { reason: classifyReadError(err), error: redact(describeDatabaseError(err)) }));
    }
    return pool;
  }

  async function read(): Promise<UsageWindowSnapshot[]> {
    let client: pg.PoolClient;
    try {
      client = await getPool().connect();
    } catch (err) {
      throw new ConnectPhaseError(err);
    }
    let failure: Error | undefined;
    try {
      for (const sql of readTransactionStatements(statementTimeoutMs, lockTimeoutMs)) await client.query(sql);
      const createdAtType = await checkSchema(client);
      const sql = usageQuerySql(createdAtType);
      const results: UsageWindowSnapshot[] = [];
      for (const windowSec of windows) {
        const { rows } = await client.query(sql, [windowSec]);
        results.push(summariseWindow(windowSec, rows.map(toGroupRow)));
      }
      await client.query('COMMIT');
      return results;
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      // A failed session is destroyed rather than rolled back: it may be mid-statement or dead.
      client.release(failure);
    }
  }

  async function close(): Promise<void> {
    const p = pool;
    pool = null;
    if (p !== null) await p.end().catch(() => undefined);
  }

  return { read, close };
}

// -- metrics --

/** The gauges that carry a read's data (as opposed to the read's own health). */
interface UsageDataGauges {
  jobs: Gauge;
  durationSum: Gauge;
  timedJobs: Gauge;
  failures: Gauge;
  mislabelled: Gauge;
}

/** Every label combination at 0, so a series that had jobs drops to 0 rather than vanishing. */
function zeroFillData(g: UsageDataGauges, windowLabels: readonly string[]): void {
  for (const window of windowLabels) {
    for (const provider of PROVIDERS) {
      g.failures.set({ provider, window }, 0);
      for (const type of JOB_TYPES) {
        g.durationSum.set({ provider, type, window }, 0);
        g.timedJobs.set({ provider, type, window }, 0);
        for (const status of JOB_STATUSES) g.jobs.set({ provider, type, status, window }, 0);
      }
    }
    for (const { stored, classified } of mislabelPairs()) g.mislabelled.set({ stored, classified, window }, 0);
  }
}

function applyWindows(g: UsageDataGauges, windowLabels: readonly string[], results: readonly UsageWindowSnapshot[]): void {
  for (const gauge of Object.values(g)) gauge.reset();
  zeroFillData(g, windowLabels);
  for (const w of results) {
    const window = w.window;
    for (const c of w.jobs) g.jobs.set({ provider: c.provider, type: c.type, status: c.status, window }, c.jobs);
    for (const d of w.durations) {
      g.durationSum.set({ provider: d.provider, type: d.type, window }, d.durationSumSec);
      g.timedJobs.set({ provider: d.provider, type: d.type, window }, d.timedJobs);
    }
    for (const p of w.providers) g.failures.set({ provider: p.provider, window }, p.failed);
    for (const m of w.mislabelled) g.mislabelled.set({ stored: m.stored, classified: m.classified, window }, m.jobs);
  }
}

interface UsageMetrics {
  countRead(): void;
  recordSuccess(results: readonly UsageWindowSnapshot[], lastSuccessAt: string, seconds: number): void;
  recordFailure(reason: ReadErrorReason, seconds: number): void;
  /** Takes every usage series out of the registry. */
  remove(): void;
}

/**
 * The usage series. Every metric waits for the same (bounded) refresh, `collect`, before
 * prom-client reads its values, so one scrape never mixes two reads.
 */
function createUsageMetrics(registry: Registry, windowLabels: readonly string[], collect: () => Promise<void>): UsageMetrics {
  const gauge = (def: MetricDef) => gaugeFor(def, registry, collect);
  const data: UsageDataGauges = {
    jobs: gauge(METRICS.usageJobs),
    durationSum: gauge(METRICS.usageJobDurationSum),
    timedJobs: gauge(METRICS.usageTimedJobs),
    failures: gauge(METRICS.usageFailures),
    mislabelled: gauge(METRICS.usageMislabelled),
  };
  const lastSuccessGauge = gauge(METRICS.usageLastRead);
  const queryDurationGauge = gauge(METRICS.usageQueryDuration);
  const upGauge = gauge(METRICS.usageUp);
  const readsCounter = counterFor(METRICS.usageReads, registry, collect);
  const readErrorsCounter = counterFor(METRICS.usageReadErrors, registry, collect);
  const metricNames = [
    METRICS.usageJobs, METRICS.usageJobDurationSum, METRICS.usageTimedJobs, METRICS.usageFailures, METRICS.usageMislabelled,
    METRICS.usageLastRead, METRICS.usageQueryDuration, METRICS.usageUp, METRICS.usageReads, METRICS.usageReadErrors,
  ].map((m) => m.name);

  upGauge.set(0);
  lastSuccessGauge.set(0);
  readsCounter.inc(0);
  for (const reason of READ_ERROR_REASONS) readErrorsCounter.inc({ reason }, 0);
  zeroFillData(data, windowLabels);

  return {
    countRead: () => readsCounter.inc(),
    recordSuccess(results, lastSuccessAt, seconds) {
      applyWindows(data, windowLabels, results);
      upGauge.set(1);
      lastSuccessGauge.set(Date.parse(lastSuccessAt) / 1000);
      queryDurationGauge.set(seconds);
    },
    recordFailure(reason, seconds) {
      readErrorsCounter.inc({ reason });
      upGauge.set(0);
      queryDurationGauge.set(seconds);
    },
    remove() {
      for (const name of metricNames) registry.removeSingleMetric(name);
    },
  };
}

// -- status: what the snapshot says after each read --

const INITIAL_SNAPSHOT: UsageSnapshot = {
  up: false,
  windows: [],
  lastSuccessAt: null,
  lastAttemptAt: null,
  lastReadDurationSec: null,
  lastError: null,
  readErrors: { connect: 0, timeout: 0, schema: 0, query: 0 },
  reads: 0,
};

function afterSuccess(state: UsageSnapshot, results: UsageWindowSnapshot[], startedAt: Date, seconds: number): UsageSnapshot {
  return {
    ...state,
    up: true,
    windows: results,
    lastSuccessAt: new Date().toISOString(),
    lastAttemptAt: startedAt.toISOString(),
    lastReadDurationSec: seconds,
    lastError: null,
    reads: state.reads + 1,
  };
}

/** The data from the last good read stays; the error, its reason and the count say what went wrong since. */
function afterFailure(state: UsageSnapshot, reason: ReadErrorReason, message: string, startedAt: Date, seconds: number): UsageSnapshot {
  return {
    ...state,
    up: false,
    lastAttemptAt: startedAt.toISOString(),
    lastReadDurationSec: seconds,
    lastError: { reason, message, at: new Date().toISOString() },
    readErrors: { ...state.readErrors, [reason]: state.readErrors[reason] + 1 },
    reads: state.reads + 1,
  };
}

/** One read and what it does to the status, the metrics and the log; never rejects. */
async function readAndRecord(state: UsageSnapshot, reader: UsageReader, metrics: UsageMetrics, logger: UsageLogger, redact: (text: string) => string): Promise<UsageSnapshot> {
  const startedAt = new Date();
  const t0 = performance.now();
  metrics.countRead();
  try {
    const results = await reader.read();
    const seconds = (performance.now() - t0) / 1000;
    const wasDown = state.lastError !== null && !state.up;
    const next = afterSuccess(state, results, startedAt, seconds);
    metrics.recordSuccess(results, next.lastSuccessAt!, seconds);
    if (wasDown) logger.info('usage database readable again', { durationSec: seconds });
    return next;
  } catch (err) {
    const seconds = (performance.now() - t0) / 1000;
    const reason = classifyReadError(err);
    const message = redact(describeDatabaseError(err));
    metrics.recordFailure(reason, seconds);
    const fields: Record<string, unknown> = { reason, error: message, durationSec: seconds };
    if (err instanceof SchemaMismatchError && err.missingColumns.length > 0) fields.missingColumns = err.missingColumns;
    logger.error(`usage read of ${TABLE} failed (${reason}): ${message}`, fields);
    return afterFailure(state, reason, message, startedAt, seconds);
  }
}

// -- refresh loop --

export function createUsageCollector(options: UsageCollectorOptions): UsageCollector {
  const settings = usageSettings(options);
  const { connectionString, intervalMs, cacheTtlMs, scrapeWaitMs } = settings;
  const registry = options.registry;
  const logger = options.logger ?? stderrLogger;
  const redact = (text: string) => redactDatabaseSecrets(text, connectionString);

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inflight: Promise<UsageSnapshot> | null = null;
  let lastAttemptEndedMs: number | null = null;
  let state: UsageSnapshot = structuredClone(INITIAL_SNAPSHOT);
  const reader = createUsageReader(settings, logger, redact);
  const metrics = createUsageMetrics(registry, settings.windowLabels, () => ensureFresh());

  async function doRefresh(): Promise<UsageSnapshot> {
    try {
      state = await readAndRecord(state, reader, metrics, logger, redact);
    } finally {
      lastAttemptEndedMs = Date.now();
    }
    return snapshot();
  }

  function refresh(): Promise<UsageSnapshot> {
    if (stopped) return Promise.resolve(snapshot());
    if (inflight === null) {
      inflight = doRefresh().finally(() => {
        inflight = null;
      });
    }
    return inflight;
  }

  async function ensureFresh(): Promise<void> {
    if (stopped) return;
    const fresh = inflight === null && lastAttemptEndedMs !== null && Date.now() - lastAttemptEndedMs < cacheTtlMs;
    if (fresh) return;
    const reading = refresh();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([reading, new Promise<void>((resolve) => (timeout = setTimeout(resolve, scrapeWaitMs)))]);
    clearTimeout(timeout);
  }

  function snapshot(): UsageSnapshot {
    return structuredClone(state);
  }

  return {
    start() {
      if (stopped) throw new Error('usage collector was stopped; create a new one');
      if (timer !== null) return;
      void refresh();
      if (intervalMs > 0) {
        timer = setInterval(() => void refresh(), intervalMs);
        timer.unref();
      }
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (inflight !== null) await inflight.catch(() => undefined);
      metrics.remove();
      await reader.close();
    },
    refresh,
    snapshot,
  };
}

/**
 * The usage collector against a real PostgreSQL loaded with the platform schema and a realistic mix
 * of jobs: exact metric values over HTTP, the `genprobe usage` table, schema drift, a slow database,
 * lock behaviour, and no password anywhere it could leak.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Registry } from 'prom-client';
import {
  createUsageCollector,
  readTransactionStatements,
  usagePoolConfig,
  usageQuerySql,
  USAGE_APPLICATION_NAME,
  type UsageCollector,
} from '../../src/usage/collector.ts';
import { formatUsageTable, runUsageCommand } from '../../src/usage/table.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import {
  ALL_PROVIDERS,
  ALL_STATUSES,
  ALL_STORED,
  ALL_TYPES,
  REALISTIC_MIX,
  captureLogger,
  createDatabase,
  insertJobs,
  loadSchema,
  seriesKey,
  seriesOf,
  serveMetrics,
  valueOf,
  withClient,
  type MetricsServer,
  type Sample,
} from './helpers.ts';

let db: TestPostgres;
const leakCheck: string[] = [];
const toStop: Array<{ stop(): Promise<void> }> = [];
const servers: MetricsServer[] = [];

beforeAll(async () => {
  db = await startTestPostgres({ database: 'ryla' });
  await loadSchema(db.connectionString);
  await insertJobs(db.connectionString, REALISTIC_MIX);
});

afterAll(async () => {
  for (const c of toStop) await c.stop();
  for (const s of servers) await s.close();
  await db?.destroy();
});

function collectorFor(connectionString: string, extra: Partial<Parameters<typeof createUsageCollector>[0]> = {}) {
  const registry = new Registry();
  const logger = captureLogger();
  const collector = createUsageCollector({
    connectionString,
    registry,
    intervalMs: 0,
    cacheTtlMs: 60_000,
    scrapeWaitMs: 30_000,
    logger,
    ...extra,
  });
  toStop.push(collector);
  return { registry, logger, collector };
}

// --- expected values, worked out by hand from REALISTIC_MIX (see the notes there) ---

type Cells = Record<string, number>;
const cell = (labels: Record<string, string>) => seriesKey(labels);

/** Non-zero job counts by provider, then job type, then status; every cell not named is 0. */
type JobCounts = Record<string, Record<string, Record<string, number>>>;
/** Timed jobs by provider, then job type: [their durations summed in seconds, how many]. */
type TimedJobs = Record<string, Record<string, [sumSec: number, jobs: number]>>;

function expectedJobs(window: string, nonZero: JobCounts): Cells {
  const out: Cells = {};
  for (const provider of ALL_PROVIDERS) for (const type of ALL_TYPES) for (const status of ALL_STATUSES) out[cell({ provider, type, status, window })] = 0;
  for (const [provider, byType] of Object.entries(nonZero)) {
    for (const [type, byStatus] of Object.entries(byType)) for (const [status, n] of Object.entries(byStatus)) out[cell({ provider, type, status, window })] = n;
  }
  return out;
}
function expectedByProviderType(window: string, nonZero: Record<string, Record<string, number>>): Cells {
  const out: Cells = {};
  for (const provider of ALL_PROVIDERS) for (const type of ALL_TYPES) out[cell({ provider, type, window })] = 0;
  for (const [provider, byType] of Object.entries(nonZero)) for (const [type, n] of Object.entries(byType)) out[cell({ provider, type, window })] = n;
  return out;
}
/** The duration-sum and timed-job cells of one window, from one table so each sum sits beside its count. */
function expectedTimed(window: string, nonZero: TimedJobs): { durationSum: Cells; timed: Cells } {
  const column = (i: 0 | 1) =>
    Object.fromEntries(Object.entries(nonZero).map(([provider, byType]) => [provider, Object.fromEntries(Object.entries(byType).map(([type, v]) => [type, v[i]]))]));
  return { durationSum: expectedByProviderType(window, column(0)), timed: expectedByProviderType(window, column(1)) };
}
function expectedFailures(window: string, nonZero: Record<string, number>): Cells {
  const out: Cells = {};
  for (const provider of ALL_PROVIDERS) out[cell({ provider, window })] = nonZero[provider] ?? 0;
  return out;
}
function expectedMislabelled(window: string, nonZero: Array<[string, string, number]>): Cells {
  const out: Cells = {};
  for (const classified of ['modal', 'comfyui', 'fal', 'runpod']) {
    for (const stored of ALL_STORED) if (stored !== classified) out[cell({ stored, classified, window })] = 0;
  }
  for (const [stored, classified, n] of nonZero) out[cell({ stored, classified, window })] = n;
  return out;
}

const TIMED_1D = expectedTimed('1d', {
  modal: { image_generation: [60 + 90 + 30 + 100, 4], character_sheet_generation: [45 + 15, 2] },
  runpod: { image_generation: [200 + 20, 2] },
  fal: { image_generation: [12, 1], image_upscale: [8, 1], character_sheet_generation: [5, 1] },
  comfyui: { image_generation: [150 + 40, 2] },
});
const TIMED_1H = expectedTimed('1h', {
  modal: { image_generation: [60, 1] },
  fal: { image_generation: [12, 1] },
  comfyui: { image_generation: [150, 1] },
});

const EXPECTED = {
  jobs: {
    ...expectedJobs('1d', {
      modal: {
        image_generation: { completed: 3, failed: 1, queued: 1, cancelled: 1 },
        character_sheet_generation: { completed: 1, processing: 1, failed: 1 },
      },
      runpod: { image_generation: { completed: 1, failed: 1 } },
      fal: { image_generation: { completed: 1 }, image_upscale: { completed: 1 }, character_sheet_generation: { cancelled: 1 } },
      comfyui: { image_generation: { completed: 1, failed: 1, processing: 1 } },
      unknown: { image_generation: { queued: 1 } },
    }),
    ...expectedJobs('1h', {
      modal: { image_generation: { completed: 1 }, character_sheet_generation: { processing: 1 } },
      fal: { image_generation: { completed: 1 } },
      comfyui: { image_generation: { completed: 1 } },
      unknown: { image_generation: { queued: 1 } },
    }),
  },
  durationSum: { ...TIMED_1D.durationSum, ...TIMED_1H.durationSum },
  timed: { ...TIMED_1D.timed, ...TIMED_1H.timed },
  failed: { ...expectedFailures('1d', { modal: 2, runpod: 1, comfyui: 1 }), ...expectedFailures('1h', {}) },
  mislabelled: {
    ...expectedMislabelled('1d', [['comfyui', 'modal', 3], ['none', 'modal', 1], ['none', 'runpod', 2]]),
    ...expectedMislabelled('1h', [['comfyui', 'modal', 1]]),
  },
};

function asRecord(map: Map<string, number>): Cells {
  return Object.fromEntries(map);
}

function rememberForLeakCheck(...texts: string[]): void {
  leakCheck.push(...texts);
}

/** A new database `name` beside the shared one, with the platform schema and the first `jobs` rows of REALISTIC_MIX. */
async function seededDatabase(name: string, jobs: number): Promise<string> {
  await createDatabase(db.connectionString, name);
  const url = db.connectionStringFor(name);
  await loadSchema(url);
  await insertJobs(url, REALISTIC_MIX.slice(0, jobs));
  return url;
}

/** One refresh of a new collector on `url` and one scrape of its /metrics, all of it added to the leak check. */
async function refreshAndScrape(url: string, extra: Parameters<typeof collectorFor>[1] = {}) {
  const { registry, logger, collector } = collectorFor(url, extra);
  const server = await serveMetrics(registry);
  servers.push(server);
  const snap = await collector.refresh();
  const { samples, text } = await server.scrape();
  rememberForLeakCheck(text, JSON.stringify(snap), ...logger.lines);
  return { logger, snap, samples };
}

describe('usage collector on a realistic mix', () => {
  let collector: UsageCollector;
  let server: MetricsServer;
  let samples: Sample[];
  let before: number;
  let after: number;
  let logger: ReturnType<typeof captureLogger>;

  beforeAll(async () => {
    const made = collectorFor(db.connectionString);
    collector = made.collector;
    logger = made.logger;
    server = await serveMetrics(made.registry);
    servers.push(server);
    before = Date.now() / 1000;
    const snap = await collector.refresh();
    after = Date.now() / 1000;
    expect(snap.lastError).toBeNull();
    const scraped = await server.scrape();
    expect(scraped.status).toBe(200);
    samples = scraped.samples;
    rememberForLeakCheck(scraped.text, JSON.stringify(collector.snapshot()), ...logger.lines);
  });

  it('exports jobs by provider, type, status and window exactly, zeros included', () => {
    expect(asRecord(seriesOf(samples, 'genprobe_usage_jobs'))).toEqual(EXPECTED.jobs);
    expect(seriesOf(samples, 'genprobe_usage_jobs').size).toBe(2 * 5 * 8 * 5);
  });

  it('exports duration sum and timed-job count by provider and type exactly', () => {
    expect(asRecord(seriesOf(samples, 'genprobe_usage_job_duration_sum_seconds'))).toEqual(EXPECTED.durationSum);
    expect(asRecord(seriesOf(samples, 'genprobe_usage_timed_jobs'))).toEqual(EXPECTED.timed);
  });

  it('exports failures by provider and mislabelled jobs by stored label exactly', () => {
    expect(asRecord(seriesOf(samples, 'genprobe_usage_failed_jobs'))).toEqual(EXPECTED.failed);
    expect(asRecord(seriesOf(samples, 'genprobe_usage_mislabelled_jobs'))).toEqual(EXPECTED.mislabelled);
  });

  it('exports its own health', () => {
    expect(valueOf(samples, 'genprobe_usage_up')).toBe(1);
    expect(valueOf(samples, 'genprobe_usage_reads_total')).toBe(1);
    expect(asRecord(seriesOf(samples, 'genprobe_usage_read_errors_total'))).toEqual({
      'reason=connect': 0, 'reason=timeout': 0, 'reason=schema': 0, 'reason=query': 0,
    });
    const last = valueOf(samples, 'genprobe_usage_last_success_timestamp_seconds')!;
    expect(last).toBeGreaterThanOrEqual(Math.floor(before));
    expect(last).toBeLessThanOrEqual(after + 1);
    const q = valueOf(samples, 'genprobe_usage_query_duration_seconds')!;
    expect(q).toBeGreaterThan(0);
    expect(q).toBeLessThan(after - before + 1);
  });

  it('reuses the cached read for scrapes within cacheTtlMs', async () => {
    const again = await server.scrape();
    expect(valueOf(again.samples, 'genprobe_usage_reads_total')).toBe(1);
  });

  it('gives /api/status a snapshot split by provider with totals and mislabels', () => {
    const snap = collector.snapshot();
    expect(snap.up).toBe(true);
    expect(snap.windows.map((w) => w.window)).toEqual(['1d', '1h']);
    const day = snap.windows[0];
    expect(day.totals).toEqual({ jobs: 18, failed: 4, cancelled: 2, mislabelled: 6, timedJobs: 13, durationSumSec: 775 });
    expect(day.providers.map((p) => [p.provider, p.jobs, p.failed, p.mislabelled, p.timedJobs, p.durationSumSec])).toEqual([
      ['modal', 9, 2, 4, 6, 340],
      ['comfyui', 3, 1, 0, 2, 190],
      ['fal', 3, 0, 0, 3, 25],
      ['runpod', 2, 1, 2, 2, 220],
      ['unknown', 1, 0, 0, 0, 0],
    ]);
    expect(day.providers[0].share).toBeCloseTo(0.5, 12);
    expect(day.providers[4].meanDurationSec).toBeNull();
    expect(snap.windows[1].totals.jobs).toBe(5);
    expect(snap.lastError).toBeNull();
    expect(snap.lastSuccessAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('formats the split as a table for a person', () => {
    const table = formatUsageTable(collector.snapshot());
    rememberForLeakCheck(table);
    const rows = table.split('\n').map((l) => l.trim().split(/\s{2,}/));
    const row = (name: string) => rows.find((r) => r[0] === name);
    expect(row('provider')).toEqual(['provider', 'jobs', 'share', 'failed', 'mean duration', 'mislabelled']);
    expect(row('modal')).toEqual(['modal', '9', '50.0%', '2', '56.7 s', '4']);
    expect(row('comfyui')).toEqual(['comfyui', '3', '16.7%', '1', '95.0 s', '0']);
    expect(row('fal')).toEqual(['fal', '3', '16.7%', '0', '8.3 s', '0']);
    expect(row('runpod')).toEqual(['runpod', '2', '11.1%', '1', '110.0 s', '2']);
    expect(row('unknown')).toEqual(['unknown', '1', '5.6%', '0', '-', '0']);
    expect(row('total')).toEqual(['total', '18', '100.0%', '4', '59.6 s', '6']);
    expect(table).toContain("stored 'comfyui' but ran on modal: 3");
    expect(table).toContain('stored NULL but ran on runpod: 2');
  });

  it('genprobe usage prints the table once and exits 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runUsageCommand({ connectionString: db.connectionString, out: (t) => out.push(t), err: (t) => err.push(t) });
    rememberForLeakCheck(...out, ...err);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.join('')).toMatch(/^modal\s+9\s+50\.0%/m);
    expect(out.join('')).toContain('last 1d');
  });

  it('the query is index-friendly: with a created_at index the window uses it', async () => {
    await withClient(db.connectionString, async (c) => {
      await c.query('CREATE INDEX generation_jobs_created_at_idx ON generation_jobs (created_at)');
      try {
        await c.query('BEGIN');
        await c.query('SET LOCAL enable_seqscan = off');
        const { rows } = await c.query(`EXPLAIN ${usageQuerySql('timestamp without time zone')}`, [86_400]);
        const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
        expect(plan).toMatch(/Index Cond: \(created_at >=/);
        expect(plan).not.toMatch(/Limit/);
        await c.query('ROLLBACK');
      } finally {
        await c.query('DROP INDEX generation_jobs_created_at_idx');
      }
    });
    // And without it, the same read still works (the platform has no such index).
    const snap = await collector.refresh();
    expect(snap.up).toBe(true);
    expect(snap.windows[0].totals.jobs).toBe(18);
  });
});

describe('usage collector sessions', () => {
  it('are read-only, time-limited and named, as configured', async () => {
    const cfg = usagePoolConfig(db.connectionString, { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000, connectTimeoutMs: 5_000, maxConnections: 1 });
    expect(cfg.max).toBe(1);
    const client = new pg.Client(cfg);
    await client.connect();
    try {
      const show = async (name: string) => (await client.query(`SHOW ${name}`)).rows[0][name];
      expect(await show('default_transaction_read_only')).toBe('on');
      expect(await show('statement_timeout')).toBe('5s');
      expect(await show('lock_timeout')).toBe('1s');
      expect(await show('application_name')).toBe(USAGE_APPLICATION_NAME);
      await expect(client.query(`INSERT INTO generation_jobs (user_id, type) VALUES (gen_random_uuid(), 'image_generation')`)).rejects.toMatchObject({ code: '25006' });
      for (const sql of readTransactionStatements(5_000, 1_000)) await client.query(sql);
      expect(await show('transaction_read_only')).toBe('on');
      expect(await show('transaction_isolation')).toBe('repeatable read');
      await expect(client.query('DELETE FROM generation_jobs')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await client.end();
    }
  });

  it('re-assert the limits even when the connection string tries to lift them', async () => {
    const loose = `${db.connectionString}?options=${encodeURIComponent('-c default_transaction_read_only=off -c statement_timeout=0')}`;
    const cfg = usagePoolConfig(loose, { statementTimeoutMs: 1_234, lockTimeoutMs: 567, connectTimeoutMs: 5_000, maxConnections: 1 });
    const client = new pg.Client(cfg);
    await client.connect();
    try {
      for (const sql of readTransactionStatements(1_234, 567)) await client.query(sql);
      const { rows } = await client.query(`SELECT current_setting('transaction_read_only') ro, current_setting('statement_timeout') st, current_setting('lock_timeout') lt`);
      expect(rows[0]).toEqual({ ro: 'on', st: '1234ms', lt: '567ms' });
    } finally {
      await client.end();
    }
  });
});

describe('usage collector when the schema differs', () => {
  it('reports a schema error naming the missing column, over HTTP and in the log', async () => {
    const url = await seededDatabase('drifted', 3);
    await withClient(url, (c) => c.query('ALTER TABLE generation_jobs DROP COLUMN started_at'));
    const { logger, snap, samples } = await refreshAndScrape(url);
    expect(snap.up).toBe(false);
    expect(snap.lastError?.reason).toBe('schema');
    expect(snap.lastError?.message).toContain('started_at');
    expect(valueOf(samples, 'genprobe_usage_up')).toBe(0);
    expect(valueOf(samples, 'genprobe_usage_read_errors_total', { reason: 'schema' })).toBe(1);
    expect(valueOf(samples, 'genprobe_usage_read_errors_total', { reason: 'query' })).toBe(0);
    expect(valueOf(samples, 'genprobe_usage_last_success_timestamp_seconds')).toBe(0);
    const errorLines = logger.lines.filter((l) => JSON.parse(l).level === 'error');
    expect(errorLines).toHaveLength(1);
    expect(JSON.parse(errorLines[0])).toMatchObject({ reason: 'schema', missingColumns: ['started_at'] });
    expect(errorLines[0]).toContain('missing column started_at');
    // Known series are still exported (at 0) so dashboards do not go blank.
    expect(valueOf(samples, 'genprobe_usage_jobs', { provider: 'modal', type: 'image_generation', status: 'completed', window: '1d' })).toBe(0);
  });

  it('reports a missing table as a schema error', async () => {
    await createDatabase(db.connectionString, 'empty');
    const { logger, collector } = collectorFor(db.connectionStringFor('empty'));
    const snap = await collector.refresh();
    rememberForLeakCheck(JSON.stringify(snap), ...logger.lines);
    expect(snap.lastError).toMatchObject({ reason: 'schema' });
    expect(snap.lastError?.message).toContain('generation_jobs not found');
  });
});

describe('usage collector with a slow or locked database', () => {
  it('hits the statement timeout on a slow query and reports reason timeout', async () => {
    const url = await seededDatabase('slow', 2);
    // Same columns, but every read of generation_jobs sleeps far longer than the statement timeout.
    await withClient(url, (c) =>
      c.query(`ALTER TABLE generation_jobs RENAME TO generation_jobs_data;
               CREATE VIEW generation_jobs AS SELECT d.* FROM generation_jobs_data d CROSS JOIN pg_sleep(60) AS s`),
    );
    const { snap, samples } = await refreshAndScrape(url, { statementTimeoutMs: 400 });
    expect(snap.lastError?.reason).toBe('timeout');
    expect(snap.lastError?.message).toMatch(/statement timeout/);
    expect(snap.lastReadDurationSec!).toBeLessThan(30);
    expect(valueOf(samples, 'genprobe_usage_read_errors_total', { reason: 'timeout' })).toBe(1);
    expect(valueOf(samples, 'genprobe_usage_up')).toBe(0);
    // The cancelled statement left nothing running under the collector's name.
    const active = await withClient(url, (c) =>
      c.query(`SELECT count(*)::int n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, [USAGE_APPLICATION_NAME]),
    );
    expect(active.rows[0].n).toBe(0);
  });

  it('waits on a table lock only up to lock_timeout, holding nothing but AccessShareLocks, and releases everything', async () => {
    const { logger, collector } = collectorFor(db.connectionString, { lockTimeoutMs: 3_000, statementTimeoutMs: 20_000 });
    const holder = new pg.Client({ connectionString: db.connectionString });
    const observer = new pg.Client({ connectionString: db.connectionString });
    await holder.connect();
    await observer.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE generation_jobs IN ACCESS EXCLUSIVE MODE');
      const reading = collector.refresh();
      const locksOfCollector = () =>
        observer.query<{ relation: string | null; mode: string; granted: boolean; locktype: string }>(
          `SELECT l.relation::regclass::text AS relation, l.mode, l.granted, l.locktype
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE a.application_name = $1`,
          [USAGE_APPLICATION_NAME],
        );
      let waiting: Array<{ relation: string | null; mode: string; granted: boolean; locktype: string }> = [];
      for (let i = 0; i < 200 && waiting.length === 0; i++) {
        const { rows } = await locksOfCollector();
        waiting = rows;
        if (!rows.some((r) => !r.granted)) {
          waiting = [];
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      // Caught it waiting: the only lock it asks for on the table is AccessShareLock, and every
      // relation lock it holds is AccessShareLock too (catalog reads of the schema check).
      expect(waiting.filter((r) => !r.granted)).toEqual([{ relation: 'generation_jobs', mode: 'AccessShareLock', granted: false, locktype: 'relation' }]);
      expect(waiting.filter((r) => r.locktype === 'relation' && r.mode !== 'AccessShareLock')).toEqual([]);
      const snap = await reading;
      rememberForLeakCheck(JSON.stringify(snap), ...logger.lines);
      expect(snap.lastError?.reason).toBe('timeout');
      expect(snap.lastError?.message).toMatch(/lock timeout/);
      const { rows: afterwards } = await locksOfCollector();
      expect(afterwards).toEqual([]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await observer.end();
    }
    // Lock gone: the next read succeeds.
    expect((await collector.refresh()).up).toBe(true);
  });
});

describe('scrapes while the database is slow', () => {
  it('serve the last values instead of waiting for a read that is stuck', async () => {
    const { registry, collector } = collectorFor(db.connectionString, {
      cacheTtlMs: 0,
      scrapeWaitMs: 200,
      lockTimeoutMs: 60_000,
      statementTimeoutMs: 60_000,
    });
    const server = await serveMetrics(registry);
    servers.push(server);
    expect((await collector.refresh()).up).toBe(true);
    const holder = new pg.Client({ connectionString: db.connectionString });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE generation_jobs IN ACCESS EXCLUSIVE MODE');
      // This scrape starts a read that blocks on the lock; the scrape itself must come back anyway.
      const { status, samples } = await server.scrape();
      expect(status).toBe(200);
      expect(valueOf(samples, 'genprobe_usage_up')).toBe(1);
      expect(valueOf(samples, 'genprobe_usage_jobs', { provider: 'modal', type: 'image_generation', status: 'completed', window: '1d' })).toBe(3);
      // Proof the read was still stuck when the scrape answered: joining it now, it has not settled.
      const joined = collector.refresh();
      const settled = await Promise.race([joined.then(() => true), new Promise((r) => setImmediate(() => r(false)))]);
      expect(settled).toBe(false);
      await holder.query('ROLLBACK');
      const snap = await joined;
      expect(snap.up).toBe(true);
      expect(snap.reads).toBe(2);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });
});

describe('secrets', () => {
  it('a wrong password, a bad host and a malformed URL fail with redacted messages', async () => {
    const wrong = db.connectionString.replace(db.password, `${db.password}-wrong`);
    const a = collectorFor(wrong, { connectTimeoutMs: 3_000 });
    const snapA = await a.collector.refresh();
    expect(snapA.lastError?.reason).toBe('connect');
    expect(snapA.lastError?.message).toMatch(/password authentication failed/);

    const refused = `postgresql://postgres:${db.password}@127.0.0.1:1/ryla`;
    const b = collectorFor(refused, { connectTimeoutMs: 3_000 });
    const snapB = await b.collector.refresh();
    expect(snapB.lastError?.reason).toBe('connect');
    expect(snapB.lastError?.message).toMatch(/ECONNREFUSED/);

    const malformed = `postgresql://postgres:${db.password}@127.0.0.1:99999999/ryla`;
    const c = collectorFor(malformed, { connectTimeoutMs: 3_000 });
    const snapC = await c.collector.refresh();
    expect(snapC.lastError?.reason).toBe('connect');

    const err: string[] = [];
    const code = await runUsageCommand({ connectionString: refused, out: () => {}, err: (t) => err.push(t) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/cannot read generation_jobs \(connect\)/);

    for (const made of [a, b, c]) {
      rememberForLeakCheck(JSON.stringify(made.collector.snapshot()), await made.registry.metrics(), ...made.logger.lines);
    }
    rememberForLeakCheck(...err);
    expect(await runUsageCommand({ connectionString: '  ', out: () => {}, err: () => {} })).toBe(2);
  });

  it('the password never appears in logs, errors, snapshots, tables or metrics', () => {
    expect(leakCheck.length).toBeGreaterThan(20);
    const leaks = leakCheck.filter((t) => t.includes(db.password) || t.includes(db.connectionString));
    expect(leaks).toEqual([]);
  });
});

/**
 * The database goes away mid-run and comes back: the HTTP server keeps answering, the collector
 * says it is down and why, keeps the last values and their timestamp, and recovers with fresh
 * values. Scrape-driven (cacheTtlMs 0) so every scrape is exactly one read and counts are exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createUsageCollector, type UsageCollector } from '../../src/usage/collector.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { REALISTIC_MIX, captureLogger, insertJobs, loadSchema, serveMetrics, valueOf, type MetricsServer } from './helpers.ts';

let db: TestPostgres;
let collector: UsageCollector;
let server: MetricsServer;
const logger = captureLogger();

const modalCompleted1d = { provider: 'modal', type: 'image_generation', status: 'completed', window: '1d' };

beforeAll(async () => {
  db = await startTestPostgres({ database: 'ryla' });
  await loadSchema(db.connectionString);
  await insertJobs(db.connectionString, REALISTIC_MIX);
  const registry = new Registry();
  collector = createUsageCollector({
    connectionString: db.connectionString,
    registry,
    intervalMs: 0,
    cacheTtlMs: 0,
    scrapeWaitMs: 30_000,
    connectTimeoutMs: 5_000,
    logger,
  });
  server = await serveMetrics(registry);
});

afterAll(async () => {
  await collector?.stop();
  await server?.close();
  await db?.destroy();
});

describe('database outage', () => {
  let lastSuccessBefore: number;

  it('reads while the database is up', async () => {
    const { status, samples } = await server.scrape();
    expect(status).toBe(200);
    expect(valueOf(samples, 'genprobe_usage_up')).toBe(1);
    expect(valueOf(samples, 'genprobe_usage_reads_total')).toBe(1);
    expect(valueOf(samples, 'genprobe_usage_jobs', modalCompleted1d)).toBe(3);
    lastSuccessBefore = valueOf(samples, 'genprobe_usage_last_success_timestamp_seconds')!;
    expect(lastSuccessBefore).toBeGreaterThan(0);
  });

  it('keeps serving when the database stops: up 0, connect errors counted, last values and timestamp kept', async () => {
    await db.stop();
    const first = await server.scrape();
    expect(first.status).toBe(200);
    expect(valueOf(first.samples, 'genprobe_usage_up')).toBe(0);
    expect(valueOf(first.samples, 'genprobe_usage_read_errors_total', { reason: 'connect' })).toBe(1);
    expect(valueOf(first.samples, 'genprobe_usage_read_errors_total', { reason: 'timeout' })).toBe(0);
    expect(valueOf(first.samples, 'genprobe_usage_read_errors_total', { reason: 'query' })).toBe(0);
    expect(valueOf(first.samples, 'genprobe_usage_last_success_timestamp_seconds')).toBe(lastSuccessBefore);
    expect(valueOf(first.samples, 'genprobe_usage_jobs', modalCompleted1d)).toBe(3);

    const second = await server.scrape();
    expect(valueOf(second.samples, 'genprobe_usage_read_errors_total', { reason: 'connect' })).toBe(2);
    expect(valueOf(second.samples, 'genprobe_usage_reads_total')).toBe(3);

    // The rest of the service is unaffected.
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);

    const snap = collector.snapshot();
    expect(snap.up).toBe(false);
    expect(snap.lastError?.reason).toBe('connect');
    expect(snap.windows[0].totals.jobs).toBe(18);
    const errors = logger.lines.filter((l) => JSON.parse(l).level === 'error');
    expect(errors).toHaveLength(2);
    expect(JSON.parse(errors[0])).toMatchObject({ reason: 'connect' });
  });

  it('recovers with fresh values when the database returns', async () => {
    await db.start();
    await insertJobs(db.connectionString, [
      { note: 'after restart', type: 'image_generation', status: 'completed', provider: 'modal', jobId: 'modal_after-restart', agoMin: 1, started: true, completedAfterSec: null, updatedAfterSec: 42 },
    ]);
    const { status, samples } = await server.scrape();
    expect(status).toBe(200);
    expect(valueOf(samples, 'genprobe_usage_up')).toBe(1);
    expect(valueOf(samples, 'genprobe_usage_jobs', modalCompleted1d)).toBe(4);
    expect(valueOf(samples, 'genprobe_usage_jobs', { ...modalCompleted1d, window: '1h' })).toBe(2);
    expect(valueOf(samples, 'genprobe_usage_read_errors_total', { reason: 'connect' })).toBe(2);
    expect(valueOf(samples, 'genprobe_usage_last_success_timestamp_seconds')!).toBeGreaterThan(lastSuccessBefore);
    expect(collector.snapshot().lastError).toBeNull();
    expect(logger.lines.some((l) => JSON.parse(l).message === 'usage database readable again')).toBe(true);
  });

  it('never logged the password while it happened', () => {
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.filter((l) => l.includes(db.password))).toEqual([]);
  });
});

describe('schedule', () => {
  it('start() reads now and on every interval; stop() ends the schedule and unregisters the metrics', async () => {
    const registry = new Registry();
    const scheduled = createUsageCollector({ connectionString: db.connectionString, registry, intervalMs: 150, cacheTtlMs: 60_000, logger: captureLogger() });
    scheduled.start();
    try {
      const deadline = Date.now() + 30_000;
      while (scheduled.snapshot().reads < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(scheduled.snapshot().reads).toBeGreaterThanOrEqual(3);
      expect(scheduled.snapshot().up).toBe(true);
    } finally {
      await scheduled.stop();
    }
    const readsAtStop = scheduled.snapshot().reads;
    await new Promise((r) => setTimeout(r, 400));
    expect(scheduled.snapshot().reads).toBe(readsAtStop);
    expect(await registry.metrics()).not.toContain('genprobe_usage_');
  });
});

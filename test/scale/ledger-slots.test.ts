/**
 * The coordination pieces against a real PostgreSQL, in process: concurrent reservations from
 * several ledgers never pass the budget together; settling adds (actual − reserved) once;
 * perRegion lets each region take a slot once, and without it one runner in all does; a holder
 * whose session dies lets a waiting runner take the slot.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, SlotCoordinator, SpendLedger } from '../../src/coordination/index.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
let pool: pg.Pool;
beforeAll(async () => {
  server = await startTestPostgres();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 20 });
  // The killed session below ends pooled connections' peers too: an idle client's error is expected.
  pool.on('error', () => undefined);
  await Promise.all([ensureSchema(pool), ensureSchema(pool), ensureSchema(pool)]);
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await server?.destroy();
});

describe('SpendLedger', () => {
  it('40 concurrent reservations from 4 runners stop at the budget, and settle once', async () => {
    const ledgers = ['a', 'b', 'c', 'd'].map((r) => new SpendLedger(pool, { runner: r, region: 'x' }, { daily: 1, monthly: 10 }));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => ledgers[i % 4].reserve(`ep-${i}`, 0.3)));
    expect(results.filter((r) => r.ok).length).toBe(3);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, period: 'daily', limitUsd: 1 });
    const { rows } = await pool.query('SELECT max(s) AS peak FROM (SELECT sum(usd) OVER (ORDER BY id) AS s FROM genprobe_spend) x');
    expect(Number(rows[0].peak)).toBeCloseTo(0.9, 9);
    const first = results.find((r) => r.ok) as { ok: true; id: string };
    await ledgers[0].settle(first.id, 0.05);
    await ledgers[0].settle(first.id, 0.05);
    expect((await ledgers[0].spent()).daily).toBeCloseTo(0.65, 9);
    await expect(pool.query('DELETE FROM genprobe_spend')).rejects.toThrow(/append-only/);
  });
});

describe('SlotCoordinator', () => {
  const coordinator = (runner: string, regionKey: string) => new SlotCoordinator(pool, { runner, regionKey, pollMs: 10 });

  it('one runner in all probes a slot; with perRegion, one per region', async () => {
    let calls = 0;
    const probe = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
      return 'pass';
    };
    const all = await Promise.all(['r1', 'r2', 'r3'].map((r) => coordinator(r, '*').once('flux', 's1', 5_000, probe, (v) => v)));
    expect(all.filter((r) => r.ran).length).toBe(1);
    expect(all.filter((r) => !r.ran && r.reason === 'done').length).toBe(2);
    expect(calls).toBe(1);
    calls = 0;
    const regions = await Promise.all([['r1', 'eu'], ['r2', 'eu'], ['r3', 'us'], ['r4', 'us'], ['r5', 'ap']].map(([r, g]) => coordinator(r, g).once('flux', 's2', 5_000, probe, (v) => v)));
    expect(calls).toBe(3);
    const { rows } = await pool.query("SELECT region FROM genprobe_slots WHERE slot = 's2' ORDER BY region");
    expect(rows.map((r) => r.region)).toEqual(['ap', 'eu', 'us']);
    expect(regions.filter((r) => r.ran).length).toBe(3);
  });

  it('a holder whose session dies mid-probe lets a waiting runner take the slot', async () => {
    // The "dying" holder: its own client holds the session lock, then the connection is destroyed.
    const holder = new pg.Client({ connectionString: server.connectionString });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('SELECT pg_try_advisory_lock($1, hashtext($2))', [0x67e0, 'flux|s3|*']);
    const waiting = coordinator('r2', '*').once('flux', 's3', 10_000, async () => 'pass', (v) => v);
    await new Promise((r) => setTimeout(r, 200));
    (holder as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const r = await waiting;
    expect(r.ran).toBe(true);
    const { rows } = await pool.query("SELECT runner FROM genprobe_slots WHERE slot = 's3'");
    expect(rows).toEqual([{ runner: 'r2' }]);
  });

  it('a runner\'s own trouble writes no record: the next runner takes the slot', async () => {
    const first = await coordinator('r1', '*').once('flux', 's4', 1_000, async () => 'busy', () => undefined);
    expect(first.ran).toBe(true);
    const second = await coordinator('r2', '*').once('flux', 's4', 1_000, async () => 'pass', (v) => v);
    expect(second.ran).toBe(true);
  });
});

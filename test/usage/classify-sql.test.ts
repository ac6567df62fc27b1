/**
 * The SQL twins of the classification rules run in a real PostgreSQL and must give the same answer
 * as the TypeScript functions for every hand-written case and for a few hundred generated rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  DURATION_SQL,
  JOB_STATUSES,
  JOB_TYPES,
  PROVIDER_SQL,
  STORED_LABEL_SQL,
  classifyProvider,
  jobDurationSec,
  storedLabel,
} from '../../src/usage/classify.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { DURATION_CASES, PROVIDER_CASES } from './classify-cases.ts';
import { loadSchema } from './helpers.ts';

let db: TestPostgres;
let client: pg.Client;

beforeAll(async () => {
  db = await startTestPostgres({ database: 'classify' });
  await loadSchema(db.connectionString);
  client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await db?.destroy();
});

it("the loaded schema's enums are classify.ts's JOB_TYPES and JOB_STATUSES, in order", async () => {
  const values = async (type: string) => (await client.query(`SELECT unnest(enum_range(NULL::${type}))::text AS v`)).rows.map((r) => r.v);
  expect(await values('job_type')).toEqual([...JOB_TYPES]);
  expect(await values('job_status')).toEqual([...JOB_STATUSES]);
});

async function insertRow(provider: string | null, jobId: string | null, status = 'completed', times: { s: number | null; c: number | null; u: number } = { s: null, c: null, u: 0 }): Promise<void> {
  // Times as UTC wall-clock offsets from a fixed base; the node side rebuilds the same Dates.
  await client.query(
    `INSERT INTO generation_jobs (user_id, type, status, external_provider, external_job_id, started_at, completed_at, updated_at)
     VALUES (gen_random_uuid(), 'image_generation', $1::job_status, $2, $3,
             timestamp '2026-02-06 12:00:00' + make_interval(secs => $4::float8),
             timestamp '2026-02-06 12:00:00' + make_interval(secs => $5::float8),
             timestamp '2026-02-06 12:00:00' + make_interval(secs => $6::float8))`,
    [status, provider, jobId, times.s, times.c, times.u],
  );
}

interface ReadBack {
  external_provider: string | null;
  external_job_id: string | null;
  status: string;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
  sql_provider: string;
  sql_stored: string;
  sql_duration: number | null;
}

async function readBack(): Promise<ReadBack[]> {
  const { rows } = await client.query<ReadBack>(
    `SELECT external_provider, external_job_id, status::text AS status, started_at, completed_at, updated_at,
            ${PROVIDER_SQL} AS sql_provider, ${STORED_LABEL_SQL} AS sql_stored, ${DURATION_SQL} AS sql_duration
       FROM generation_jobs`,
  );
  return rows;
}

describe('SQL and TypeScript classification agree', () => {
  it('on every hand-written provider case, and both match the expected answer', async () => {
    await client.query('TRUNCATE generation_jobs');
    for (const c of PROVIDER_CASES) await insertRow(c.provider, c.jobId);
    const rows = await readBack();
    expect(rows).toHaveLength(PROVIDER_CASES.length);
    for (const r of rows) {
      const c = PROVIDER_CASES.find((x) => x.provider === r.external_provider && x.jobId === r.external_job_id)!;
      const ts = classifyProvider(r);
      expect({ case: c.why, sql: r.sql_provider, ts, stored: r.sql_stored }).toEqual({ case: c.why, sql: c.expected, ts: c.expected, stored: c.stored });
      expect(storedLabel(r.external_provider)).toBe(r.sql_stored);
    }
  });

  it('on every duration case', async () => {
    await client.query('TRUNCATE generation_jobs');
    for (const [i, c] of DURATION_CASES.entries()) await insertRow('modal', `modal_case_${i}`, c.status, { s: c.started, c: c.completed, u: c.updated });
    const rows = await readBack();
    expect(rows).toHaveLength(DURATION_CASES.length);
    for (const r of rows) {
      const c = DURATION_CASES[Number(r.external_job_id!.slice('modal_case_'.length))];
      const ts = jobDurationSec(r);
      expect({ case: c.why, sql: r.sql_duration, ts }).toEqual({ case: c.why, sql: c.expected, ts: c.expected });
    }
  });

  it('on 400 generated rows mixing labels, id prefixes, statuses and times', async () => {
    await client.query('TRUNCATE generation_jobs');
    const labels = [null, '', ' ', 'modal', 'MODAL', ' fal', 'comfyui', 'ComfyUI ', 'runpod', 'replicate', 'other', 'modal_'];
    const ids = [null, '', '  ', 'modal_1', 'modal', 'fal_1', 'fal_profile:x', 'fal_job_y', 'FAL_1', 'uuid-1', 'modal%x', 'fal\\_z'];
    const statuses = ['queued', 'processing', 'completed', 'failed', 'cancelled'];
    const times = [null, 0, 7, 30.25, 3600];
    let seed = 12345;
    const pick = <T>(xs: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return xs[Math.floor(seed / 65_536) % xs.length];
    };
    for (let i = 0; i < 400; i++) {
      await insertRow(pick(labels), pick(ids), pick(statuses), { s: pick(times), c: pick(times), u: pick(times) ?? 0 });
    }
    const rows = await readBack();
    expect(rows).toHaveLength(400);
    const disagreements = rows.filter(
      (r) => classifyProvider(r) !== r.sql_provider || storedLabel(r.external_provider) !== r.sql_stored || jobDurationSec(r) !== r.sql_duration,
    );
    expect(disagreements).toEqual([]);
    // The generator really exercised every outcome.
    expect(new Set(rows.map((r) => r.sql_provider))).toEqual(new Set(['modal', 'comfyui', 'fal', 'runpod', 'unknown']));
  });
});

/**
 * The shared GPU-spend ledger: append-only rows in PostgreSQL. Before a probe, a runner reserves
 * the most the probe can plausibly cost (every call running to its deadline at the GPU's price);
 * the budget check and the reserve row happen in one transaction under pg_advisory_xact_lock, so N
 * runners checking at once are serialised and never overspend together. After the probe a
 * settling row adds (actual − reserved). A runner that dies between the two leaves its full
 * reservation counted: the ledger errs on the side of not spending.
 */
import type { Pool } from 'pg';

/** Advisory-lock keys (two int4: a namespace and a key) of genprobe's coordination. */
export const LOCK_NAMESPACE = 0x67e0; // "genprobe"
export const LEDGER_LOCK = 1;
export const SCHEMA_LOCK = 2;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS genprobe_spend (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  runner      text NOT NULL,
  region      text NOT NULL,
  endpoint    text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('reserve', 'settle')),
  usd         double precision NOT NULL,
  reservation bigint REFERENCES genprobe_spend (id),
  CHECK ((kind = 'reserve') = (reservation IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS genprobe_spend_one_settle ON genprobe_spend (reservation) WHERE kind = 'settle';
CREATE INDEX IF NOT EXISTS genprobe_spend_at ON genprobe_spend (at);
CREATE OR REPLACE FUNCTION genprobe_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'genprobe_spend is append-only'; END $$;
DROP TRIGGER IF EXISTS genprobe_spend_append_only ON genprobe_spend;
CREATE TRIGGER genprobe_spend_append_only BEFORE UPDATE OR DELETE ON genprobe_spend FOR EACH ROW EXECUTE FUNCTION genprobe_append_only();
CREATE TABLE IF NOT EXISTS genprobe_slots (
  endpoint text NOT NULL,
  slot     text NOT NULL,
  region   text NOT NULL,
  runner   text NOT NULL,
  result   text NOT NULL,
  done_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint, slot, region)
);`;

/** Create the tables once, whichever runner comes first (serialised: CREATE … IF NOT EXISTS races). */
export async function ensureSchema(pool: Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, SCHEMA_LOCK]);
    await c.query(SCHEMA_SQL);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

export type Period = 'daily' | 'monthly';
export type Reservation = { ok: true; id: string; reservedUsd: number } | { ok: false; period: Period; spentUsd: number; limitUsd: number; estimateUsd: number };

/** Spend of the current UTC day and month, reservations and settlements together. */
const SPENT_SQL = `SELECT
  COALESCE(SUM(usd) FILTER (WHERE at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0) AS daily,
  COALESCE(SUM(usd) FILTER (WHERE at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0) AS monthly
  FROM genprobe_spend WHERE at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

export class SpendLedger {
  constructor(
    readonly pool: Pool,
    readonly identity: { runner: string; region: string },
    readonly limits: Record<Period, number>,
  ) {}

  async spent(): Promise<Record<Period, number>> {
    const { rows } = await this.pool.query(SPENT_SQL);
    return { daily: Number(rows[0].daily), monthly: Number(rows[0].monthly) };
  }

  /** Check the budget and append the reserve row in one transaction, serialised across runners. */
  async reserve(endpoint: string, maxUsd: number): Promise<Reservation> {
    const usd = Math.max(0, maxUsd);
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LEDGER_LOCK]);
      const { rows } = await c.query(SPENT_SQL);
      for (const period of ['daily', 'monthly'] as const) {
        const spentUsd = Number(rows[0][period]);
        if (spentUsd + usd > this.limits[period]) {
          await c.query('ROLLBACK');
          return { ok: false, period, spentUsd, limitUsd: this.limits[period], estimateUsd: usd };
        }
      }
      const ins = await c.query("INSERT INTO genprobe_spend (runner, region, endpoint, kind, usd) VALUES ($1, $2, $3, 'reserve', $4) RETURNING id", [this.identity.runner, this.identity.region, endpoint, usd]);
      await c.query('COMMIT');
      return { ok: true, id: String(ins.rows[0].id), reservedUsd: usd };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  /** Append the settling row: what the probe really cost minus what was reserved (once per reservation). */
  async settle(reservationId: string, actualUsd: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO genprobe_spend (runner, region, endpoint, kind, usd, reservation)
       SELECT runner, region, endpoint, 'settle', $2::double precision - usd, id FROM genprobe_spend WHERE id = $1 AND kind = 'reserve'
       ON CONFLICT DO NOTHING`,
      [reservationId, Math.max(0, actualUsd)],
    );
  }
}

/**
 * Coordination of several probe runners through one PostgreSQL (config `coordination`): the
 * shared spend ledger (ledger.ts) and single flight per (endpoint, schedule slot) (slots.ts).
 * Without it a runner is on its own: probes.budget and its JSON state file (src/probes/budget.ts).
 */
import pg from 'pg';
import { coordinationUrl, type CoordinationConfig } from '../config/coordination.ts';
import { ConfigError } from '../config/index.ts';
import { ensureSchema, SpendLedger, type Period } from './ledger.ts';
import { SlotCoordinator } from './slots.ts';

export { SpendLedger, ensureSchema, SCHEMA_SQL, type Reservation } from './ledger.ts';
export { SlotCoordinator, type SlotResult } from './slots.ts';

export interface Coordination {
  ledger: SpendLedger;
  slots: SlotCoordinator;
  close(): Promise<void>;
}

export async function connectCoordination(cfg: CoordinationConfig, env: NodeJS.ProcessEnv, who: { runner?: string; region?: string }, limits: Record<Period, number>): Promise<Coordination> {
  const { url, from } = coordinationUrl(cfg, env);
  if (!url) throw new ConfigError(`coordination: ${from} is not set`);
  // Several runners must tell their rows apart: a name is required once they share a database.
  if (!who.runner) throw new ConfigError('coordination: runner.name (or --runner) is required when runners coordinate');
  if (cfg.perRegion && !who.region) throw new ConfigError('coordination.perRegion: runner.region (or --region) is required');
  // application_name: an operator (and the scale test) sees in pg_stat_activity which runner holds which lock.
  const pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 10_000, application_name: `genprobe-${who.runner}` });
  // An idle client's error (the server restarting) must not crash the runner: the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await ensureSchema(pool);
  } catch (err) {
    await pool.end();
    // The message of a connection error can hold the host, never the password; the URL itself is not quoted.
    throw new Error(`coordination database: ${(err as Error).message}`);
  }
  const region = who.region ?? '';
  return {
    ledger: new SpendLedger(pool, { runner: who.runner, region }, limits),
    slots: new SlotCoordinator(pool, { runner: who.runner, regionKey: cfg.perRegion ? region : '*', pollMs: cfg.pollMs }),
    close: () => pool.end(),
  };
}

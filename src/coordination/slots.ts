/**
 * Single flight per (endpoint, schedule slot): of the runners whose schedule fires for a slot, the
 * one that takes pg_try_advisory_lock on its own session connection probes it and writes a
 * done-record; the others wait, looking again every pollMs, until the record is there. A runner
 * that dies mid-probe drops its connection, PostgreSQL releases its session lock, and a waiting
 * runner takes the lock, finds no record and probes the slot itself. With perRegion the key holds
 * the region: each region probes the slot once.
 */
import type { Pool, PoolClient } from 'pg';
import { LOCK_NAMESPACE } from './ledger.ts';

export type SlotResult<T> = { ran: true; value: T } | { ran: false; reason: 'done' | 'timeout'; by?: string };

export interface SlotOptions {
  runner: string;
  /** The region key of done-records: the runner's region with perRegion, else '*' (once in all). */
  regionKey: string;
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class SlotCoordinator {
  constructor(
    readonly pool: Pool,
    readonly opts: SlotOptions,
  ) {}

  #key(endpoint: string, slot: string): string {
    return `${endpoint}|${slot}|${this.opts.regionKey}`;
  }

  async #doneBy(endpoint: string, slot: string): Promise<string | undefined> {
    const { rows } = await this.pool.query('SELECT runner FROM genprobe_slots WHERE endpoint = $1 AND slot = $2 AND region = $3', [endpoint, slot, this.opts.regionKey]);
    return rows[0]?.runner;
  }

  /**
   * Run `probe` for this (endpoint, slot) unless another runner did or is doing it; wait up to
   * `patienceMs` for a holder to finish (or die). `resultOf` names the outcome in the done-record,
   * or says undefined when it was this runner's own trouble (busy, its queue timed out): no record,
   * and a waiting runner takes the slot.
   */
  async once<T>(endpoint: string, slot: string, patienceMs: number, probe: () => Promise<T>, resultOf: (v: T) => string | undefined): Promise<SlotResult<T>> {
    const sleep = this.opts.sleep ?? delay;
    const deadline = Date.now() + patienceMs;
    const key = this.#key(endpoint, slot);
    for (;;) {
      const by = await this.#doneBy(endpoint, slot);
      if (by) return { ran: false, reason: 'done', by };
      const session: PoolClient = await this.pool.connect();
      let locked = false;
      try {
        const { rows } = await session.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [LOCK_NAMESPACE, key]);
        locked = rows[0].got === true;
        if (locked) {
          // The holder before us may have finished between our look and our lock.
          const done = await this.#doneBy(endpoint, slot);
          if (done) return { ran: false, reason: 'done', by: done };
          const value = await probe();
          const result = resultOf(value);
          // No ON CONFLICT: a second record for a slot would be a double probe, and must be loud.
          if (result !== undefined) await this.pool.query('INSERT INTO genprobe_slots (endpoint, slot, region, runner, result) VALUES ($1, $2, $3, $4, $5)', [endpoint, slot, this.opts.regionKey, this.opts.runner, result]);
          return { ran: true, value };
        }
      } finally {
        // A session whose unlock failed is destroyed, not pooled: closing it releases the lock.
        const unlocked = !locked || (await session.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, key]).then(() => true, () => false));
        session.release(unlocked ? undefined : true);
      }
      if (Date.now() + this.opts.pollMs > deadline) return { ran: false, reason: 'timeout' };
      await sleep(this.opts.pollMs);
    }
  }
}

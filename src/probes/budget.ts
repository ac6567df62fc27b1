/**
 * GPU spend of probing, held to a daily and a monthly budget (UTC periods). Probing is not free:
 * one sweep of the documented endpoints is ~$0.64 on L40S and a probe keeps a container warm
 * (anchors.md §2.3), so a probe that would take a period over its budget is skipped, not run.
 *
 * Cost of a call = its real-fleet wall time × the GPU's price (src/runner/cost.ts): the endpoint's
 * X-Cost-USD is cross-checked, never charged, so no answer moves the budget further than the time
 * it took. A time-scaled target (the emulator) is priced at the real-fleet seconds it stands for:
 * measured / timeScale. Every call is charged, retries included.
 *
 * The spend can be persisted to a small JSON state file so a restart does not reset it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { GenprobeError } from '../errors/index.ts';

/**
 * Write-then-rename so a crash mid-write never leaves a truncated state file. The temp file has an
 * unpredictable name in the same directory (rename stays on one file system) and is created
 * exclusively without following symlinks, so a neighbour who plants a link there cannot make
 * genprobe write through it; rename replaces a link at the final name instead of following it.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

export type BudgetPeriod = 'daily' | 'monthly';
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['daily', 'monthly'];

export function utcDayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
export function utcMonthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

interface PeriodState {
  /** `YYYY-MM-DD` or `YYYY-MM` (UTC). */
  key: string;
  spentUsd: number;
}

/** On-disk format of the state file (version 1). */
export interface BudgetState {
  version: 1;
  daily: PeriodState;
  monthly: PeriodState;
}

export interface BudgetOptions {
  dailyUsd: number;
  monthlyUsd: number;
  /** JSON file the spend is kept in across restarts; none = in memory only. */
  stateFile?: string;
  now?: () => number;
}

export type Affordability = { ok: true } | { ok: false; period: BudgetPeriod; spentUsd: number; limitUsd: number; estimateUsd: number };

export class BudgetStateError extends GenprobeError {
  constructor(message: string) {
    super(message, 'GENPROBE_BUDGET_STATE');
  }
}

export class Budget {
  readonly limits: Readonly<Record<BudgetPeriod, number>>;
  readonly #stateFile?: string;
  readonly #now: () => number;
  #state: BudgetState;

  constructor(opts: BudgetOptions) {
    for (const p of ['dailyUsd', 'monthlyUsd'] as const) {
      if (!(Number.isFinite(opts[p]) && opts[p] >= 0)) throw new RangeError(`budget ${p} must be a non-negative number, got ${String(opts[p])}`);
    }
    this.limits = Object.freeze({ daily: opts.dailyUsd, monthly: opts.monthlyUsd });
    this.#stateFile = opts.stateFile;
    this.#now = opts.now ?? Date.now;
    const t = this.#now();
    this.#state = { version: 1, daily: { key: utcDayKey(t), spentUsd: 0 }, monthly: { key: utcMonthKey(t), spentUsd: 0 } };
    if (this.#stateFile && existsSync(this.#stateFile)) this.#state = readState(this.#stateFile);
    this.#roll();
  }

  /** Spend of the current period (periods roll over at 00:00 UTC / the 1st of the month). */
  spent(period: BudgetPeriod): number {
    this.#roll();
    return this.#state[period].spentUsd;
  }

  remaining(period: BudgetPeriod): number {
    return Math.max(0, this.limits[period] - this.spent(period));
  }

  /** Whether a probe estimated to cost `estimateUsd` fits in both periods. */
  canAfford(estimateUsd: number): Affordability {
    const estimate = Math.max(0, estimateUsd);
    for (const period of BUDGET_PERIODS) {
      const spentUsd = this.spent(period);
      if (spentUsd + estimate > this.limits[period]) return { ok: false, period, spentUsd, limitUsd: this.limits[period], estimateUsd: estimate };
    }
    return { ok: true };
  }

  /** Charge spend to both periods (and persist it). */
  charge(usd: number): void {
    if (!(Number.isFinite(usd) && usd > 0)) return;
    this.#roll();
    this.#state.daily.spentUsd += usd;
    this.#state.monthly.spentUsd += usd;
    this.#save();
  }

  snapshot(): { period: BudgetPeriod; key: string; spentUsd: number; limitUsd: number; remainingUsd: number }[] {
    this.#roll();
    return BUDGET_PERIODS.map((period) => ({
      period,
      key: this.#state[period].key,
      spentUsd: this.#state[period].spentUsd,
      limitUsd: this.limits[period],
      remainingUsd: Math.max(0, this.limits[period] - this.#state[period].spentUsd),
    }));
  }

  #roll(): void {
    const t = this.#now();
    let changed = false;
    for (const [period, key] of [['daily', utcDayKey(t)], ['monthly', utcMonthKey(t)]] as const) {
      if (this.#state[period].key !== key) {
        this.#state[period] = { key, spentUsd: 0 };
        changed = true;
      }
    }
    if (changed) this.#save();
  }

  #save(): void {
    if (!this.#stateFile) return;
    mkdirSync(path.dirname(this.#stateFile), { recursive: true });
    writeFileAtomic(this.#stateFile, `${JSON.stringify(this.#state, null, 2)}\n`);
  }
}

function readState(file: string): BudgetState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BudgetStateError(`budget state file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const s = raw as Partial<BudgetState>;
  const okPeriod = (p: unknown, re: RegExp): p is PeriodState =>
    !!p && typeof p === 'object' && typeof (p as PeriodState).key === 'string' && re.test((p as PeriodState).key) && Number.isFinite((p as PeriodState).spentUsd) && (p as PeriodState).spentUsd >= 0;
  if (s?.version !== 1) throw new BudgetStateError(`budget state file ${file}: version must be 1`);
  if (!okPeriod(s.daily, /^\d{4}-\d{2}-\d{2}$/)) throw new BudgetStateError(`budget state file ${file}: daily must be {key: "YYYY-MM-DD", spentUsd: number ≥ 0}`);
  if (!okPeriod(s.monthly, /^\d{4}-\d{2}$/)) throw new BudgetStateError(`budget state file ${file}: monthly must be {key: "YYYY-MM", spentUsd: number ≥ 0}`);
  return { version: 1, daily: { ...s.daily }, monthly: { ...s.monthly } };
}

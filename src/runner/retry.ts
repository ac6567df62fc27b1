import type { CallFailure } from '../client/types.ts';

/** What the retry decision knows about the answer besides its failure class. */
export interface RetryContext {
  /** HTTP status of the answer, null when none arrived. */
  status?: number | null;
  /** Statuses the case's contract expects (a negative or removed-route case); absent for a happy path. */
  expectedStatuses?: readonly number[];
}

/**
 * A retry budget shared by a whole gate run. Only failures that are not the app's fault are
 * retried (network blips, Modal's edge: 408 on cold start, modal-http errors); a contract failure
 * is never retried into a pass, and an answer the contract expects is never retried at all.
 */
export class RetryBudget {
  private used = 0;
  constructor(
    readonly total: number,
    readonly perCall: number,
  ) {}
  static isRetryable(f: CallFailure | undefined, ctx: RetryContext = {}): boolean {
    if (!f || (f.class !== 'network' && f.class !== 'modal-platform')) return false;
    const status = ctx.status ?? f.status ?? null;
    if (status !== null && ctx.expectedStatuses?.includes(status)) return false;
    // Modal's 404s (`modal-http: invalid function call` for an undeployed app or function, "app for
    // invoked web endpoint is stopped") answer the same on every attempt: a removed route's or an
    // undeployed app's expected outcome, never a blip (jatidevelopments/ryla@57209b5:
    // apps/modal/docs/status/SPLIT-APPS-TEST-RESULTS.json; docs/fleet.md §1).
    return status !== 404;
  }
  /** Take one retry for a call that has already retried `attemptsSoFar - 1` times. */
  take(failure: CallFailure | undefined, attemptsSoFar: number, ctx: RetryContext = {}): boolean {
    if (!RetryBudget.isRetryable(failure, ctx)) return false;
    if (attemptsSoFar > this.perCall || this.used >= this.total) return false;
    this.used++;
    return true;
  }
  get spent(): number {
    return this.used;
  }
}

import type { CallFailure } from '../client/types.ts';

/**
 * A retry budget shared by a whole gate run. Only failures that are not the app's fault are
 * retried (network blips, Modal's edge: 408 on cold start, modal-http errors); a contract failure
 * is never retried into a pass.
 */
export class RetryBudget {
  private used = 0;
  constructor(
    readonly total: number,
    readonly perCall: number,
  ) {}
  static isRetryable(f: CallFailure | undefined): boolean {
    return !!f && (f.class === 'network' || f.class === 'modal-platform');
  }
  /** Take one retry for a call that has already retried `attemptsSoFar - 1` times. */
  take(failure: CallFailure | undefined, attemptsSoFar: number): boolean {
    if (!RetryBudget.isRetryable(failure)) return false;
    if (attemptsSoFar > this.perCall || this.used >= this.total) return false;
    this.used++;
    return true;
  }
  get spent(): number {
    return this.used;
  }
}

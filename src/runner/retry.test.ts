import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry.ts';

describe('RetryBudget', () => {
  it('retries only network and modal-platform failures, within the per-call and total budget', () => {
    const b = new RetryBudget(2, 1);
    expect(b.take({ class: 'app-error', message: 'x' }, 1)).toBe(false);
    expect(b.take({ class: 'timeout', message: 'x' }, 1)).toBe(false);
    expect(b.take(undefined, 1)).toBe(false);
    expect(b.take({ class: 'modal-platform', message: '408' }, 1)).toBe(true);
    expect(b.take({ class: 'modal-platform', message: '408' }, 2)).toBe(false); // per call: 1 retry
    expect(b.take({ class: 'network', message: 'reset' }, 1)).toBe(true);
    expect(b.take({ class: 'network', message: 'reset' }, 1)).toBe(false); // total: 2
    expect(b.spent).toBe(2);
  });
});

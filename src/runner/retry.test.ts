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

describe('RetryBudget never spends a retry on an expected answer', () => {
  const invalidCall = { class: 'modal-platform' as const, message: 'modal-http: invalid function call', status: 404 };
  it("a removed route's or undeployed app's 404 modal-http: invalid function call is not retried", () => {
    const b = new RetryBudget(10, 3);
    expect(b.take(invalidCall, 1, { status: 404, expectedStatuses: [404] })).toBe(false);
    expect(b.take(invalidCall, 1, { status: 404 })).toBe(false); // happy path on an undeployed app: same answer every time
    expect(b.take({ class: 'modal-platform', message: 'app for invoked web endpoint is stopped' }, 1, { status: 404 })).toBe(false);
    expect(b.spent).toBe(0);
  });
  it('a status the case expects is never retried; a 408 on a happy path still is', () => {
    const b = new RetryBudget(10, 3);
    expect(b.take({ class: 'modal-platform', message: '408', status: 408 }, 1, { status: 408, expectedStatuses: [408] })).toBe(false);
    expect(b.take({ class: 'modal-platform', message: '408', status: 408 }, 1, { status: 408 })).toBe(true);
    expect(b.spent).toBe(1);
  });
});

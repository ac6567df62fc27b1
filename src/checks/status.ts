import { fail, pass, withFinding, type CheckResult } from './types.ts';

/** The final HTTP status against the statuses the contract allows. */
export function checkStatus(status: number | null, expectedStatuses: readonly number[]): CheckResult {
  const expected = [...expectedStatuses];
  if (status === null) return withFinding(fail('status', `no response status (expected ${expected.join('/')})`, null, expected), 'no-status');
  if (expected.includes(status)) return pass('status', `status ${status}`, status, expected);
  return withFinding(fail('status', `status ${status}, expected ${expected.join(' or ')}`, status, expected), 'unexpected-status', { status });
}

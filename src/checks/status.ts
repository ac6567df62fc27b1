import { fail, pass, type CheckResult } from './types.ts';

/** The final HTTP status against the statuses the contract allows. */
export function checkStatus(status: number | null, expectedStatuses: readonly number[]): CheckResult {
  const expected = [...expectedStatuses];
  if (status === null) return fail('status', `no response status (expected ${expected.join('/')})`, null, expected);
  if (expected.includes(status)) return pass('status', `status ${status}`, status, expected);
  return fail('status', `status ${status}, expected ${expected.join(' or ')}`, status, expected);
}

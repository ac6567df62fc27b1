import { always, type CheckDefinition } from './definition.ts';
import { fail, pass, withFinding, type CheckResult } from './types.ts';

/** The final HTTP status against the statuses the contract allows. */
export function checkStatus(status: number | null, expectedStatuses: readonly number[]): CheckResult {
  const expected = [...expectedStatuses];
  if (status === null) return withFinding(fail('status', `no response status (expected ${expected.join('/')})`, null, expected), 'no-status');
  if (expected.includes(status)) return pass('status', `status ${status}`, status, expected);
  return withFinding(fail('status', `status ${status}, expected ${expected.join(' or ')}`, status, expected), 'unexpected-status', { status });
}

const STATUS_BODY_EXCERPT_CHARS = 200;

/**
 * A failed status says what came back instead: the start of the body (an HTML error page, a
 * truncated `{"error":`), one line, control characters escaped, so the finding names the problem.
 */
export function withBodyExcerpt(status: CheckResult, body: Uint8Array): CheckResult {
  if (status.verdict !== 'fail' || body.length === 0) return status;
  const text = Buffer.from(body.subarray(0, STATUS_BODY_EXCERPT_CHARS * 4)).toString('utf8');
  const chars = [...text];
  const excerpt = JSON.stringify(chars.slice(0, STATUS_BODY_EXCERPT_CHARS).join(''));
  const more = body.length > STATUS_BODY_EXCERPT_CHARS || chars.length > STATUS_BODY_EXCERPT_CHARS ? ` (${body.length} bytes)` : '';
  return { ...status, message: `${status.message}; body ${excerpt}${more}` };
}

/** The gate of every output check: without a healthy status there is no output to judge. */
export const statusCheck: CheckDefinition = {
  name: 'status',
  needs: 'response',
  appliesTo: always,
  run: ({ input }) => withBodyExcerpt(checkStatus(input.response.status, input.expectedStatuses ?? [200]), input.response.body),
  blocks: (result, { input }) => (result.verdict === 'pass' ? null : `no output to judge: status ${input.response.status ?? 'none'}`),
};

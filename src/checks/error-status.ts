import type { ErrorCase } from '../catalog/types.ts';
import { matchesAnswer } from './error-body.ts';
import { fail, pass, withFinding, type CheckResult } from './types.ts';

/**
 * Bad input must get a client error (the promise, `expect.status`): a caller cannot tell its own
 * mistake from a server failure otherwise, and may retry and pay for it. A 5xx is this check's
 * failure; its finding says whether it is the known defect the catalog records as built
 * (`known-5xx`, waivable) or a new one (`new-5xx`). Any other status is `unexpected-status`.
 * Parameters: the status and the field the case is about (from the catalog's promise).
 */
export function checkErrorStatus(status: number | null, body: Uint8Array, errorCase: ErrorCase): CheckResult {
  const promised = errorCase.expect.status;
  const want = promised.join(' or ');
  if (status === null) return withFinding(fail('error-status', `no response status (promised ${want})`, null, promised), 'no-status');
  if (promised.includes(status)) return pass('error-status', `status ${status}: a client error, as promised`, status, promised);
  const asBuilt = errorCase.asBuilt;
  if (status >= 500) {
    const known = matchesAnswer(status, Buffer.from(body).toString('utf8'), asBuilt);
    const how = known ? `as the fleet does today (${asBuilt!.source})` : asBuilt ? `not the answer recorded as built (${asBuilt.status.join('/')} ${asBuilt.body})` : 'not recorded as built';
    return withFinding(fail('error-status', `bad input answered ${status}, a server error ${how}; promised ${want}`, status, promised), known ? 'known-5xx' : 'new-5xx', params(status, errorCase));
  }
  return withFinding(fail('error-status', `bad input answered ${status}; promised ${want}`, status, promised), 'unexpected-status', params(status, errorCase));
}

function params(status: number, errorCase: ErrorCase): Record<string, string | number> {
  return errorCase.expect.contains === undefined ? { status } : { status, field: errorCase.expect.contains };
}

import type { EndpointEntry } from '../catalog/types.ts';
import { matchesAnswer } from './error-body.ts';
import { fail, pass, withFinding, type CheckResult } from './types.ts';

/**
 * A registered route must work: its sample request gets a 2xx. Used for routes the catalog records
 * as failing today (`asBuiltFailure`), in place of the plain status check, so the class has its own
 * name and a waiver can target it. The finding says whether the failure is the recorded one
 * (`known-failure`) or a new one (`new-failure`).
 */
export function checkRouteBroken(status: number | null, body: Uint8Array, asBuilt: EndpointEntry['asBuiltFailure']): CheckResult {
  if (status !== null && status >= 200 && status < 300) return pass('route-broken', `status ${status}: the registered route works`, status, [200]);
  const text = Buffer.from(body.subarray(0, 4096)).toString('utf8');
  const known = matchesAnswer(status, text, asBuilt);
  const how = known ? `as recorded as built (${asBuilt!.source})` : 'not the failure recorded as built';
  const excerpt = JSON.stringify([...text].slice(0, 160).join(''));
  return withFinding(
    fail('route-broken', `registered route answers ${status ?? 'nothing'} to its sample request, ${how}; body ${excerpt}`, status, [200]),
    known ? 'known-failure' : 'new-failure',
    { status: status ?? 0 },
  );
}

import { pass, skip, warn, withFinding, type CheckResult } from './types.ts';

/**
 * A removed route callers are still told about (the fleet's docs or client list it): a warning,
 * because the route is correctly gone but a caller following the docs or the client gets a 404.
 * Judged once the 404 confirms the route is gone; a route that answers otherwise is the status
 * check's business.
 */
export function checkDocDrift(status: number | null, stillListedBy: readonly string[] | undefined): CheckResult {
  if (status !== 404) return skip('doc-drift', `not judged: the removed route answered ${status ?? 'nothing'}, not 404`);
  if (!stillListedBy?.length) return pass('doc-drift', 'removed, and no fleet doc or client lists it');
  return withFinding(
    warn('doc-drift', `removed (404) but callers are still told it exists: ${stillListedBy.join('; ')}`, [...stillListedBy], []),
    'removed-route-listed',
    { listings: stillListedBy.length },
  );
}

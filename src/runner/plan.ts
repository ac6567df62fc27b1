/**
 * What a contract run does for one endpoint, derived from its catalog entry:
 * a registered route (live, or 'incompatible' = recorded as failing today) → the happy path with
 * the documented defaults plus each negative case, because every registered route is promised to
 * work; removed → only "the route is gone" (404), plus doc-drift when callers are still told it exists.
 */
import type { EndpointEntry, ErrorCase, SampleRequest } from '../catalog/types.ts';
import { checkNamesFor } from '../checks/index.ts';
import type { CheckName } from '../checks/types.ts';
import type { EndpointOverride } from '../config/endpoint.ts';
import type { CaseKind, CaseReport } from '../report/types.ts';

export interface PlannedCase {
  name: string;
  kind: CaseKind;
  sample: SampleRequest;
  /** For negative/removed cases: what the fleet promises to answer (and answers today). */
  errorCase?: ErrorCase;
}

export function applyErrorCase(sample: SampleRequest, ec: ErrorCase): SampleRequest {
  const out: SampleRequest = { ...sample };
  for (const k of ec.omit ?? []) delete out[k];
  return { ...out, ...(ec.override ?? {}) };
}

export function planContract(entry: EndpointEntry, override: EndpointOverride = {}, opts: { negativeCases?: boolean } = {}): PlannedCase[] {
  const sample: SampleRequest = { ...entry.sample, ...((override.request ?? {}) as SampleRequest) };
  const errorKind: CaseKind = entry.lifecycle === 'removed' ? 'removed' : 'negative';
  const errorCases = entry.errors.map((ec) => ({ name: ec.name, kind: errorKind, sample: applyErrorCase(sample, ec), errorCase: ec }));
  if (entry.lifecycle === 'removed') return errorCases;
  const happy: PlannedCase = { name: 'happy path', kind: 'happy', sample };
  return opts.negativeCases === false ? [happy] : [happy, ...errorCases];
}

/**
 * The checks a case must report for its contract to have run: the suites assert each is present
 * and, unless a waived known defect explains it, not skipped. Output checks that depend on the
 * output kind or the request are left to the registry; these are the ones every such case has.
 */
export function contractChecks(entry: EndpointEntry, planned: PlannedCase): CheckName[] {
  if (planned.kind === 'removed') return ['status', 'error-body', 'doc-drift'];
  if (planned.kind === 'negative') return ['error-status', 'error-body'];
  const checks: CheckName[] = [entry.asBuiltFailure ? 'route-broken' : 'status', 'media-type', 'declared-type', 'decodable', 'file-size', 'latency'];
  if (entry.headers.cost !== 'none') checks.push('cost-headers');
  if (entry.headers.surviving) checks.push('surviving-headers');
  return checks;
}

/**
 * Every check a case can report: the registry's checks that apply to it (the status check becomes
 * route-broken on a route recorded as failing today); an error case reports the registry's
 * call-stage checks (transport) and its contract checks.
 */
export function caseCheckNames(entry: EndpointEntry, planned: PlannedCase): CheckName[] {
  const subject = { output: entry.output, headers: entry.headers, face: entry.face, sent: planned.sample };
  if (planned.kind !== 'happy') return [...checkNamesFor(subject, ['call']), ...contractChecks(entry, planned)];
  return checkNamesFor(subject).map((n): CheckName => (n === 'status' && entry.asBuiltFailure ? 'route-broken' : n));
}

/**
 * What keeps a case from counting as its contract having run: a contract check missing, or skipped
 * with no waived known defect in the case to explain it. Empty when the contract ran.
 */
export function contractGaps(entry: EndpointEntry, planned: PlannedCase, got: Pick<CaseReport, 'checks'>): string[] {
  const knownDefect = got.checks.some((c) => c.waived);
  const gaps: string[] = [];
  for (const name of contractChecks(entry, planned)) {
    const check = got.checks.find((c) => c.check === name);
    if (!check) gaps.push(`${name} did not run`);
    else if (check.verdict === 'skip' && !knownDefect) gaps.push(`${name} skipped without a known defect to explain it: ${check.message}`);
  }
  return gaps;
}

/**
 * What a contract run does for one endpoint, derived from its catalog entry:
 * live → the happy path with the documented defaults plus each negative case;
 * removed → only "the route is gone" (404); incompatible → only the documented failure.
 */
import type { EndpointEntry, ErrorCase, SampleRequest } from '../catalog/types.ts';
import type { EndpointOverride } from '../config/endpoint.ts';
import type { CaseKind } from './report.ts';

export interface PlannedCase {
  name: string;
  kind: CaseKind;
  sample: SampleRequest;
  /** For negative/removed/incompatible cases: what the fleet must answer. */
  errorCase?: ErrorCase;
}

export function applyErrorCase(sample: SampleRequest, ec: ErrorCase): SampleRequest {
  const out: SampleRequest = { ...sample };
  for (const k of ec.omit ?? []) delete out[k];
  return { ...out, ...(ec.override ?? {}) };
}

export function planContract(entry: EndpointEntry, override: EndpointOverride = {}, opts: { negativeCases?: boolean } = {}): PlannedCase[] {
  const sample: SampleRequest = { ...entry.sample, ...((override.request ?? {}) as SampleRequest) };
  const errorKind: CaseKind = entry.lifecycle === 'removed' ? 'removed' : entry.lifecycle === 'incompatible' ? 'incompatible' : 'negative';
  const errorCases = entry.errors.map((ec) => ({ name: ec.name, kind: errorKind, sample: applyErrorCase(sample, ec), errorCase: ec }));
  if (entry.lifecycle !== 'live') return errorCases;
  const happy: PlannedCase = { name: 'happy path', kind: 'happy', sample };
  return opts.negativeCases === false ? [happy] : [happy, ...errorCases];
}

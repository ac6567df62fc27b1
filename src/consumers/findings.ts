/**
 * Typed findings of consumer verification. Each names the consumer, its method, the route and,
 * where there is one, the exact field or header — a finding a person can act on without reading
 * genprobe's code. The code doubles as the check name in gate reports, so a waiver targets one
 * class of drift (`check: field-unknown`) on one call (`endpoint: "studio-api.generateFluxPuLID"`).
 */
export const FINDING_CODES = [
  'route-missing', // the catalog has no live route at this path (never existed, or removed → 404)
  'route-incompatible', // the route is registered but documented to fail (e.g. 501)
  'route-unregistered', // live: the app is up but does not register the route (FastAPI Not Found / not in openapi.json)
  'app-not-deployed', // the app is not in the fleet, removed, or (live) answers Modal's `invalid function call`
  'app-deployment-unknown', // the fleet does not say whether the app is deployed (warning)
  'wrong-app', // the route is served by another app than the consumer's endpoint→app map says
  'method-mismatch', // GET vs POST (FastAPI answers 405)
  'field-missing', // the route requires a field the consumer never sends
  'field-optional', // the route requires a field the consumer's type lets it omit (warning)
  'field-unknown', // the consumer sends a field the route ignores (unknown keys are dropped silently)
  'type-mismatch', // wrong type: a string where a list is required, a number where a string is…
  'header-never-sent', // the consumer reads a response header the route never sends
  'body-kind-mismatch', // the consumer reads bytes from a JSON route, or JSON from a media route
  'timeout-too-short', // the consumer gives up before a warm call is due to finish
  'timeout-cold-start', // the consumer gives up before a cold call (cold start included) is due (warning)
  'redirect-not-followed', // the call outlives Modal's 150 s window but the consumer does not follow the 303
  'route-uncatalogued', // inventory: an app registers a route no catalog entry covers (or one the catalog says is removed)
  'rejection-mismatch', // live: a bad request was not rejected the way the catalog documents
  'generation-failed', // live --generate: the consumer's real payload did not produce what it reads
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'fail' | 'warn';

export interface ConsumerFinding {
  code: FindingCode;
  severity: Severity;
  consumer: string;
  method: string;
  app: string;
  path: string;
  /** The request field (or header, prefixed `header:`) the finding is about. */
  field?: string;
  /** Why, when genprobe knows a fixed reason (e.g. `copy-loop-drop`): waivers can match on it. */
  cause?: string;
  message: string;
  expected?: unknown;
  measured?: unknown;
}

/** What one verified call produced: its findings, and the checks that passed (for reports). */
export interface CallVerdict {
  consumer: string;
  method: string;
  app: string;
  path: string;
  httpMethod: string;
  /** Catalog id of the route, when the catalog knows it. */
  routeId?: string;
  findings: ConsumerFinding[];
  /** Each finding class that was checked on this call and held, with what held (reports list them as passes). */
  passed: Array<{ code: FindingCode; message: string }>;
}

/** `studio-api.generateFlux` — the id a call has in reports and waivers. */
export function callId(consumer: string, method: string): string {
  return `${consumer}.${method}`;
}

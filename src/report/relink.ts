/**
 * In a gate's report an endpoint's `checks` are its cases' check objects (run-endpoint.ts), so a
 * waiver marks each result once. A JSON round-trip (a shard's report file, a cached result) makes
 * them separate copies that waivers would mark and count twice: link them back when they are equal.
 */
import type { EndpointReport } from './types.ts';

export function relinkChecks<T extends EndpointReport>(ep: T): T {
  const fromCases = ep.cases.flatMap((c) => c.checks);
  return JSON.stringify(ep.checks) === JSON.stringify(fromCases) ? { ...ep, checks: fromCases } : ep;
}

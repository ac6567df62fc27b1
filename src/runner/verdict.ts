import type { CaseReport, EndpointReport, EndpointVerdict, ReportedCheck } from '../report/types.ts';

/** fail > waived > warn > pass, counting a waived failure or warning (a known defect) as waived. */
export function verdictOfChecks(checks: ReportedCheck[]): Exclude<EndpointVerdict, 'skipped'> {
  if (checks.some((c) => c.verdict === 'fail' && !c.waived)) return 'fail';
  if (checks.some((c) => (c.verdict === 'fail' || c.verdict === 'warn') && c.waived)) return 'waived';
  if (checks.some((c) => c.verdict === 'warn')) return 'warn';
  return 'pass';
}

const SEVERITY: Record<CaseReport['verdict'], number> = { fail: 3, waived: 2, warn: 1, pass: 0 };

/** An endpoint's verdict is its worst case's (fail > waived > warn > pass). */
export function worstCaseVerdict(cases: CaseReport[]): CaseReport['verdict'] {
  return cases.reduce<CaseReport['verdict']>((v, c) => (SEVERITY[c.verdict] > SEVERITY[v] ? c.verdict : v), 'pass');
}

/** Recompute case and endpoint verdicts (after waivers were applied). */
export function settleVerdicts(ep: EndpointReport): void {
  if (ep.verdict === 'skipped') return;
  for (const c of ep.cases) c.verdict = verdictOfChecks(c.checks);
  ep.verdict = worstCaseVerdict(ep.cases);
}

/**
 * The registry's list of output checks (outputCheckNames) is the one the skip list after a failed
 * status, the contract plan and the probes' metric label sets derive from; this pins that they
 * agree with CHECK_NAMES and with what a run really reports.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, getEndpoint } from '../catalog/index.ts';
import { checksFor } from '../probes/metrics.ts';
import { caseCheckNames, planContract } from '../runner/plan.ts';
import { outputCheckNames, runOutputChecks } from './index.ts';
import { OUTPUT_CHECKS, RUNNER_CHECK_NAMES } from './registry.ts';
import { CHECK_NAMES } from './types.ts';

describe('check names', () => {
  it('CHECK_NAMES is the registry\'s output checks plus the runner-level names, each once', () => {
    const derived = [...OUTPUT_CHECKS.map((c) => c.name), ...RUNNER_CHECK_NAMES];
    expect(new Set(derived).size).toBe(derived.length);
    expect([...derived].sort()).toEqual([...CHECK_NAMES].sort());
  });

  it('every name the registry, the plan and the metrics use is in CHECK_NAMES', () => {
    const used = new Set(CATALOG.flatMap((e) => [...outputCheckNames(e.output, e.headers), ...checksFor(e), ...planContract(e).flatMap((c) => caseCheckNames(e, c))]));
    expect([...used].filter((n) => !(CHECK_NAMES as readonly string[]).includes(n))).toEqual([]);
  });

  it('the skip list after a failed status is the registry list: no cost-headers where a route has cost none, surviving-headers where it applies', async () => {
    for (const entry of CATALOG) {
      const results = await runOutputChecks({ output: entry.output, headers: entry.headers, request: {}, response: { status: 500, headers: {}, body: new Uint8Array(), declaredType: null } });
      expect(results.map((r) => r.check), entry.id).toEqual(outputCheckNames(entry.output, entry.headers));
      expect(results.slice(1).every((r) => r.verdict === 'skip'), entry.id).toBe(true);
    }
    expect(CATALOG.some((e) => e.headers.cost === 'none')).toBe(true);
  });

  it("the probes' metric label sets cover every check a probe can report, golden-drift included", () => {
    const flux = getEndpoint('flux');
    expect(checksFor(flux)).toEqual(expect.arrayContaining([...outputCheckNames(flux.output, flux.headers), 'transport', 'latency', 'health', 'error-status', 'error-body']));
    for (const entry of CATALOG.filter((e) => (e.output.kind === 'png' || e.output.kind === 'jpeg') && typeof e.sample.seed === 'number' && e.lifecycle !== 'removed')) {
      expect(checksFor(entry), entry.id).toContain('golden-drift');
    }
    for (const entry of CATALOG.filter((e) => e.headers.cost === 'none')) expect(checksFor(entry), entry.id).not.toContain('cost-headers');
    for (const entry of CATALOG.filter((e) => e.face && e.lifecycle !== 'removed')) expect(checksFor(entry), entry.id).toEqual(expect.arrayContaining(['face-present', 'face-match']));
  });
});

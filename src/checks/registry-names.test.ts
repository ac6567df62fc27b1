/**
 * The registry (registry.ts) is the one list the runner runs and the skip list after a failed
 * status, the contract plan and the probes' metric label sets derive from; this pins that they
 * agree with CHECK_NAMES and with what a run really reports.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, getEndpoint, latencyBudget } from '../catalog/index.ts';
import { checksFor } from '../probes/metrics.ts';
import { caseCheckNames, planContract } from '../runner/plan.ts';
import { CHECK_NEEDS, reportedNames, type CheckNeeds, type OutputCheckInput } from './definition.ts';
import { checkNamesFor, runCallChecks, runOutputChecks } from './index.ts';
import { CHECKS, RUNNER_CHECK_NAMES } from './registry.ts';
import { CHECK_NAMES, pass } from './types.ts';

const OUTPUT_STAGES: readonly CheckNeeds[] = ['response', 'bytes', 'typed-bytes', 'decoded', 'frames'];
const subjectOf = (entry: (typeof CATALOG)[number]) => ({ output: entry.output, headers: entry.headers, face: entry.face, sent: entry.sample as Record<string, unknown> });

/** A 500 with every stage the runner supplies supplied, counting how often the start type is asked. */
function failedStatusInput(entry: (typeof CATALOG)[number], asked: { n: number }): OutputCheckInput {
  return {
    ...subjectOf(entry),
    request: {},
    response: { status: 500, headers: {}, body: new Uint8Array(), declaredType: null },
    transport: { failure: { class: 'app-error', message: 'status 500', status: 500 } },
    faceModel: { model: async () => [pass('face-match', 'never asked')], reference: new Uint8Array(1), targetPct: 80 },
    golden: { update: false, read: () => new Uint8Array(1), write: () => undefined, onDrift: 'warn' },
    timing: { totalMs: 1000, budget: latencyBudget(entry), startType: () => (asked.n++, 'warm'), timeScale: 1, overheadMs: 0 },
  };
}

describe('check names', () => {
  it("CHECK_NAMES is the registry's names plus the runner-level names, each once", () => {
    const derived = [...CHECKS.flatMap(reportedNames), ...RUNNER_CHECK_NAMES];
    expect(new Set(derived).size).toBe(derived.length);
    expect([...derived].sort()).toEqual([...CHECK_NAMES].sort());
  });

  it('transport, face, golden-drift and latency are registry definitions at their stages, in report order', () => {
    const stageOf = Object.fromEntries(CHECKS.map((c) => [c.name, c.needs]));
    expect(stageOf).toMatchObject({ transport: 'call', 'face-match': 'face-model', 'golden-drift': 'golden-image', latency: 'timing' });
    expect(CHECKS.every((c) => CHECK_NEEDS.includes(c.needs))).toBe(true);
    expect([CHECKS[0]!.name, CHECKS.at(-1)!.name]).toEqual(['transport', 'latency']);
    for (const c of CHECKS) expect(reportedNames(c), c.name).toContain(c.name);
  });

  it('every name the registry, the plan and the metrics use is in CHECK_NAMES', () => {
    const used = new Set(CATALOG.flatMap((e) => [...checkNamesFor(subjectOf(e)), ...checksFor(e), ...planContract(e).flatMap((c) => caseCheckNames(e, c))]));
    expect([...used].filter((n) => !(CHECK_NAMES as readonly string[]).includes(n))).toEqual([]);
  });

  it("the plan's happy path is the registry's list (route-broken for status where the route is recorded as failing)", () => {
    for (const entry of CATALOG.filter((e) => e.lifecycle !== 'removed')) {
      const happy = planContract(entry)[0]!;
      expect(caseCheckNames(entry, happy), entry.id).toEqual(checkNamesFor(subjectOf(entry)).map((n) => (n === 'status' && entry.asBuiltFailure ? 'route-broken' : n)));
      expect(checksFor(entry), entry.id).toEqual(expect.arrayContaining(caseCheckNames(entry, happy)));
    }
  });

  it('the skip list after a failed status is the registry list: no cost-headers where a route has cost none, surviving-headers where it applies', async () => {
    for (const entry of CATALOG) {
      const asked = { n: 0 };
      const input = failedStatusInput(entry, asked);
      expect(await runCallChecks(input), entry.id).toEqual([]);
      const results = await runOutputChecks(input);
      // The output's checks skip; face and golden need decoded media and are left out; latency is judged, once.
      expect(results.map((r) => r.check), entry.id).toEqual([...checkNamesFor(subjectOf(entry), OUTPUT_STAGES), 'latency']);
      expect(results.slice(1, -1).every((r) => r.verdict === 'skip'), entry.id).toBe(true);
      expect(asked.n, entry.id).toBe(1);
    }
    expect(CATALOG.some((e) => e.headers.cost === 'none')).toBe(true);
    expect(CATALOG.some((e) => e.headers.surviving)).toBe(true);
  });

  it('a failed transport is the one result of the call stage, and a stage the runner does not supply is not run', async () => {
    const flux = getEndpoint('flux');
    const input = { ...failedStatusInput(flux, { n: 0 }), transport: { failure: { class: 'timeout', message: 'deadline' } } };
    expect((await runCallChecks(input)).map((r) => [r.check, r.verdict])).toEqual([['transport', 'fail']]);
    const { timing: _t, ...untimed } = input;
    expect((await runOutputChecks(untimed)).map((r) => r.check)).not.toContain('latency');
  });

  it("the probes' metric label sets cover every check a probe can report, golden-drift included", () => {
    const flux = getEndpoint('flux');
    expect(checksFor(flux)).toEqual(expect.arrayContaining([...checkNamesFor(subjectOf(flux)), 'transport', 'latency', 'health', 'error-status', 'error-body']));
    for (const entry of CATALOG.filter((e) => (e.output.kind === 'png' || e.output.kind === 'jpeg') && typeof e.sample.seed === 'number' && e.lifecycle !== 'removed')) {
      expect(checksFor(entry), entry.id).toContain('golden-drift');
    }
    for (const entry of CATALOG.filter((e) => e.headers.cost === 'none')) expect(checksFor(entry), entry.id).not.toContain('cost-headers');
    for (const entry of CATALOG.filter((e) => e.face && e.lifecycle !== 'removed')) expect(checksFor(entry), entry.id).toEqual(expect.arrayContaining(['face-present', 'face-match']));
  });
});

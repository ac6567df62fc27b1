import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCostHeaders } from '../checks/cost-headers.ts';
import type { CheckResult } from '../checks/types.ts';
import type { EndpointReport, Waiver } from '../report/types.ts';
import { PROJECT_ROOT } from '../runner/fixtures.ts';
import { settleVerdicts } from '../runner/verdict.ts';
import { applyWaivers, knownDefects, parseWaivers, waiverKey, WaiverFileError } from './index.ts';

type Result = Pick<CheckResult, 'check' | 'verdict' | 'message' | 'finding'>;

function endpoint(id: string, checks: Result[], verdict: EndpointReport['verdict'] = 'pass'): EndpointReport {
  const reported = checks.map((c) => ({ ...c, case: 'happy path' })) as EndpointReport['checks'];
  return {
    id, app: 'ryla-flux', path: `/${id}`, gpu: 'L40S', lifecycle: 'live', verdict, latencyMs: 1, redirects: 0, hops: [], costUsd: 0,
    checks: reported,
    cases: [{ name: 'happy path', kind: 'happy', verdict: 'pass', status: 200, latencyMs: 1, hops: [], attempts: 1, checks: reported }],
  };
}
const NOW = new Date('2026-12-01T00:00:00Z');

/** Waives `endpoints` as a gate on `target` at `now` does, then settles their verdicts; the waiver findings. */
function judge(endpoints: EndpointReport[], waivers: Waiver[], target = 'https://x', now = NOW) {
  const findings = applyWaivers(endpoints, waivers, target, now);
  for (const ep of endpoints) settleVerdicts(ep);
  return findings;
}
const dropped: Result = { check: 'cost-headers', verdict: 'fail', message: 'missing', finding: { code: 'cost-headers-dropped', params: { missing: 'X-Cost-USD,X-Execution-Time-Sec,X-GPU-Type' } } };

const yaml = `waivers:
  - endpoint: "*"
    check: cost-headers
    finding: cost-headers-dropped
    reason: cost headers dropped by the copy loop
    expires: "2027-03-31"
  - endpoint: "flux*"
    check: error-status
    finding: { code: known-5xx, params: { field: prompt } }
    reason: missing prompt is a KeyError answered 500
    expires: "2027-03-31"
`;

describe('waivers match on what genprobe decided', () => {
  it("waives a failure with the waiver's finding code: the endpoint is waived, not failed", () => {
    const ep = endpoint('flux', [dropped, { check: 'image-size', verdict: 'pass', message: 'ok' }]);
    const findings = judge([ep], parseWaivers(yaml));
    expect(ep.verdict).toBe('waived');
    expect(ep.checks[0].waived).toMatchObject({ expires: '2027-03-31', waiver: '* / cost-headers / cost-headers-dropped' });
    // the error-status waiver covers flux but no error-status ran there: not judged
    expect(findings).toEqual([]);
  });

  it('matches finding parameters exactly and ignores other codes and checks', () => {
    const w = parseWaivers(yaml);
    const other5xx = endpoint('flux-dev', [{ check: 'error-status', verdict: 'fail', message: 'x', finding: { code: 'known-5xx', params: { status: 500, field: 'image' } } }]);
    const newFailure = endpoint('flux', [{ check: 'error-status', verdict: 'fail', message: 'x', finding: { code: 'new-5xx', params: { status: 500, field: 'prompt' } } }]);
    const missing = endpoint('flux-pulid', [{ check: 'cost-headers', verdict: 'fail', message: 'missing', finding: { code: 'cost-headers-missing' } }]);
    const prompt = endpoint('flux-dev-lora', [{ check: 'error-status', verdict: 'fail', message: 'x', finding: { code: 'known-5xx', params: { status: 500, field: 'prompt' } } }]);
    judge([other5xx, newFailure, missing, prompt], w);
    expect([other5xx.verdict, newFailure.verdict, missing.verdict, prompt.verdict]).toEqual(['fail', 'fail', 'fail', 'waived']);
  });

  it("issue 13.8: a header whose text is the old waiver phrase does not waive /flux-pulid's cost-header failure", () => {
    // /flux-pulid sends its cost headers (catalog: 'present'); a hostile or broken one sends this text.
    const result = checkCostHeaders({ 'x-cost-usd': 'dropped by the copy loop' }, 'present');
    expect(result.verdict).toBe('fail');
    expect(result.message).toContain('dropped by the copy loop'); // the message quotes the value…
    expect(result.finding?.code).toBe('cost-headers-malformed'); // …the finding does not
    const ep = endpoint('flux-pulid', [{ ...result }]);
    const shipped = parseWaivers(readFileSync(`${PROJECT_ROOT}/waivers.yaml`, 'utf8'));
    judge([ep], shipped, 'https://ryla--ryla-instantid-comfyui-fastapi-app.modal.run');
    expect(ep.checks[0].waived).toBeUndefined();
    expect(ep.verdict).toBe('fail');
    // every shipped waiver names a finding code, so none can match on message text
    for (const w of shipped) expect(w.finding?.code, waiverKey(w)).toBeTruthy();
  });

  it('refuses the old `contains` key with what to use instead, and unknown check names', () => {
    const old = 'waivers:\n  - endpoint: "*"\n    check: cost-headers\n    contains: dropped by the copy loop\n    reason: cost headers dropped\n    expires: "2027-03-31"\n';
    expect(() => parseWaivers(old)).toThrowError(WaiverFileError);
    expect(() => parseWaivers(old)).toThrow(/waivers\.0\.contains: waivers no longer match message text.*use `finding: <code>`/s);
    expect(() => parseWaivers(old)).not.toThrow(/Unrecognized key/);
    expect(() => parseWaivers('waivers:\n  - endpoint: x\n    check: cost-headerz\n    reason: a long enough reason\n    expires: "2027-03-31"\n')).toThrow(/waivers\.0\.check: must be a check name/);
    expect(() => parseWaivers('waivers:\n  - endpoint: x\n    check: status\n    finding: { code: x, extra: 1 }\n    reason: a long enough reason\n    expires: "2027-03-31"\n')).toThrow(/waivers\.0\.finding/);
  });

  it('waives a warning (doc-drift) as a known defect', () => {
    const ep = endpoint('sdxl-turbo', [{ check: 'doc-drift', verdict: 'warn', message: 'still listed', finding: { code: 'removed-route-listed', params: { listings: 4 } } }]);
    judge([ep], parseWaivers('waivers:\n  - endpoint: "sdxl-*"\n    check: doc-drift\n    finding: removed-route-listed\n    reason: the client still lists it\n    expires: "2027-03-31"\n'));
    expect(ep.verdict).toBe('waived');
  });
});

describe('waiver findings', () => {
  it('reports a waiver as no longer needed only when every endpoint it covers ran and none matched', () => {
    const w = parseWaivers(yaml);
    const fixed = endpoint('flux', [{ check: 'cost-headers', verdict: 'pass', message: 'present' }]);
    const universe = ['flux', 'flux-dev'];
    // --only flux: flux-dev did not run, so the "*" waiver is not judged (issue 19.4 trap)
    expect(applyWaivers([fixed], w, 'https://x', NOW, { universe })).toEqual([]);
    // all ran, nothing matched: no longer needed
    const alsoFixed = endpoint('flux-dev', [{ check: 'cost-headers', verdict: 'pass', message: 'present' }]);
    const all = applyWaivers([fixed, alsoFixed], w, 'https://x', NOW, { universe });
    expect(all.map((f) => [f.finding, f.waiver.check])).toEqual([['no-longer-needed', 'cost-headers']]);
    // a skipped endpoint did not run either
    const skipped = { ...endpoint('flux-dev', []), verdict: 'skipped' as const, cases: [] };
    expect(applyWaivers([fixed, skipped], w, 'https://x', NOW, { universe })).toEqual([]);
    // a case that never got an answer (not sent, timed out) says nothing about the defect
    const unanswered = endpoint('flux-dev', [{ check: 'cost-headers', verdict: 'pass', message: 'present' }]);
    unanswered.cases.push({ name: 'missing prompt', kind: 'negative', verdict: 'fail', status: null, latencyMs: 0, hops: [], attempts: 1, checks: [{ check: 'transport', verdict: 'fail', message: 'timeout', case: 'missing prompt' }] });
    expect(applyWaivers([fixed, unanswered], w, 'https://x', NOW, { universe })).toEqual([]);
  });

  it('reports an expired waiver and stops waiving with it', () => {
    const ep = endpoint('flux', [dropped]);
    const findings = judge([ep], parseWaivers(yaml), 'https://x', new Date('2027-04-01T00:00:00Z'));
    expect(findings.map((f) => f.finding)).toEqual(['expired', 'expired']);
    expect(ep.verdict).toBe('fail');
  });

  it('is valid through its expiry day', () => {
    const ep = endpoint('flux', [dropped]);
    const findings = applyWaivers([ep], parseWaivers(yaml), 'https://x', new Date('2027-03-31T23:59:00Z'));
    expect(findings.filter((f) => f.finding === 'expired')).toEqual([]);
  });

  it('re-applying is idempotent and a removed waiver un-waives', () => {
    const ep = endpoint('flux', [dropped]);
    const w = parseWaivers(yaml);
    applyWaivers([ep], w, 'https://x', NOW);
    applyWaivers([ep], w, 'https://x', NOW);
    expect(ep.checks[0].waived).toBeDefined();
    applyWaivers([ep], w.slice(1), 'https://x', NOW);
    expect(ep.checks[0].waived).toBeUndefined();
  });

  it('names the bad field of a bad waiver file', () => {
    expect(() => parseWaivers('waivers:\n  - endpoint: x\n    check: status\n    reason: short\n    expires: soon\n')).toThrowError(WaiverFileError);
    expect(() => parseWaivers('waivers:\n  - endpoint: x\n    check: status\n    reason: short\n    expires: soon\n')).toThrow(/waivers\.0\.expires: must be a date/);
    expect(() => parseWaivers('waivers: [')).toThrow(/not valid YAML/);
  });

  it('scopes a waiver to a target', () => {
    const w = parseWaivers(`waivers:\n  - endpoint: "*"\n    check: cost-headers\n    reason: only on the real fleet\n    expires: "2027-03-31"\n    target: modal.run\n`);
    const ep = endpoint('flux', [dropped]);
    judge([ep], w, 'http://127.0.0.1:1/{app}');
    expect(ep.verdict).toBe('fail');
  });
});

describe('knownDefects', () => {
  it('groups what each waiver accepted: class, finding, expiry and the endpoints it covered', () => {
    const w = parseWaivers(yaml);
    const eps = [endpoint('flux', [dropped]), endpoint('flux-dev', [dropped]), endpoint('wan2.6', [{ check: 'cost-headers', verdict: 'pass', message: 'ok' }])];
    applyWaivers(eps, w, 'https://x', NOW);
    expect(knownDefects(eps, w)).toEqual([
      { class: 'cost-headers', finding: 'cost-headers-dropped', waiver: '* / cost-headers / cost-headers-dropped', reason: 'cost headers dropped by the copy loop', expires: '2027-03-31', endpoints: ['flux', 'flux-dev'], results: 2 },
    ]);
  });
});

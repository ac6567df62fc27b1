import { describe, expect, it } from 'vitest';
import type { EndpointReport } from '../runner/report.ts';
import { settleVerdicts } from '../runner/verdict.ts';
import { applyWaivers, parseWaivers, WaiverFileError } from './index.ts';

function endpoint(id: string, checks: Array<{ check: string; verdict: 'pass' | 'fail' | 'warn'; message: string }>): EndpointReport {
  const reported = checks.map((c) => ({ ...c, case: 'happy path' })) as EndpointReport['checks'];
  return {
    id, app: 'ryla-flux', path: `/${id}`, gpu: 'L40S', lifecycle: 'live', verdict: 'pass', latencyMs: 1, redirects: 0, hops: [], costUsd: 0,
    checks: reported,
    cases: [{ name: 'happy path', kind: 'happy', verdict: 'pass', status: 200, latencyMs: 1, hops: [], attempts: 1, checks: reported }],
  };
}

const yaml = `waivers:
  - endpoint: "*"
    check: cost-headers
    reason: cost headers dropped by the copy loop
    expires: "2027-03-31"
  - endpoint: "flux*"
    check: declared-type
    contains: PNG bytes
    reason: PNG served as image/jpeg by ComfyUI
    expires: "2027-03-31"
`;

describe('waivers', () => {
  it('waives a matching failure: the endpoint is waived, not failed', () => {
    const ep = endpoint('flux', [{ check: 'cost-headers', verdict: 'fail', message: 'X-Cost-USD missing' }, { check: 'image-size', verdict: 'pass', message: 'ok' }]);
    const findings = applyWaivers([ep], parseWaivers(yaml), 'https://x', new Date('2026-12-01T00:00:00Z'));
    settleVerdicts(ep);
    expect(ep.verdict).toBe('waived');
    expect(ep.checks[0].waived?.expires).toBe('2027-03-31');
    // the declared-type waiver ran against a flux endpoint with no declared-type check: not "no longer needed"
    expect(findings).toEqual([]);
  });

  it('does not waive other checks or non-matching messages', () => {
    const ep = endpoint('flux-dev', [{ check: 'declared-type', verdict: 'fail', message: 'declared video/mp4 but bytes are jpeg' }]);
    applyWaivers([ep], parseWaivers(yaml), 'https://x', new Date('2026-12-01T00:00:00Z'));
    settleVerdicts(ep);
    expect(ep.verdict).toBe('fail');
  });

  it('reports a waiver whose check now passes as no longer needed', () => {
    const ep = endpoint('flux', [{ check: 'cost-headers', verdict: 'pass', message: 'present' }]);
    const findings = applyWaivers([ep], parseWaivers(yaml), 'https://x', new Date('2026-12-01T00:00:00Z'));
    expect(findings.map((f) => f.finding)).toEqual(['no-longer-needed']);
  });

  it('reports an expired waiver and stops waiving with it', () => {
    const ep = endpoint('flux', [{ check: 'cost-headers', verdict: 'fail', message: 'missing' }]);
    const findings = applyWaivers([ep], parseWaivers(yaml), 'https://x', new Date('2027-04-01T00:00:00Z'));
    settleVerdicts(ep);
    expect(findings.map((f) => f.finding)).toEqual(['expired', 'expired']);
    expect(ep.verdict).toBe('fail');
  });

  it('is valid through its expiry day', () => {
    const ep = endpoint('flux', [{ check: 'cost-headers', verdict: 'fail', message: 'missing' }]);
    const findings = applyWaivers([ep], parseWaivers(yaml), 'https://x', new Date('2027-03-31T23:59:00Z'));
    expect(findings.filter((f) => f.finding === 'expired')).toEqual([]);
  });

  it('names the bad field of a bad waiver file', () => {
    expect(() => parseWaivers('waivers:\n  - endpoint: x\n    check: y\n    reason: short\n    expires: soon\n')).toThrowError(WaiverFileError);
    expect(() => parseWaivers('waivers:\n  - endpoint: x\n    check: y\n    reason: short\n    expires: soon\n')).toThrow(/waivers\.0\.expires: must be a date/);
    expect(() => parseWaivers('waivers: [')).toThrow(/not valid YAML/);
  });

  it('scopes a waiver to a target', () => {
    const w = parseWaivers(`waivers:\n  - endpoint: "*"\n    check: cost-headers\n    reason: only on the real fleet\n    expires: "2027-03-31"\n    target: modal.run\n`);
    const ep = endpoint('flux', [{ check: 'cost-headers', verdict: 'fail', message: 'missing' }]);
    applyWaivers([ep], w, 'http://127.0.0.1:1/{app}', new Date('2026-12-01T00:00:00Z'));
    settleVerdicts(ep);
    expect(ep.verdict).toBe('fail');
  });
});

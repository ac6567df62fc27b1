import { describe, expect, it } from 'vitest';
import { getEndpoint } from '../catalog/index.ts';
import { contractChecks, contractGaps, planContract } from './plan.ts';
import type { ReportedCheck } from '../report/types.ts';

const check = (name: string, verdict: ReportedCheck['verdict'] = 'pass', waived = false): ReportedCheck =>
  ({ check: name, verdict, message: `${name} ${verdict}`, case: 'x', ...(waived ? { waived: { reason: 'r', expires: '2027-03-31' } } : {}) }) as ReportedCheck;

describe('planContract', () => {
  it('plans registered-but-failing routes like live ones (happy path first), removed ones as the 404 only', () => {
    expect(planContract(getEndpoint('z-image-pulid')).map((c) => [c.name, c.kind])).toEqual([['happy path', 'happy'], ['missing reference_image', 'negative']]);
    expect(planContract(getEndpoint('sdxl-turbo')).map((c) => [c.name, c.kind])).toEqual([['route removed', 'removed']]);
  });
});

describe('contractGaps: did the contract run?', () => {
  const flux = getEndpoint('flux');
  const [happy, negative] = planContract(flux);
  it('names a missing check and an unexplained skip; a skip beside a waived known defect is explained', () => {
    const ran = contractChecks(flux, happy).map((n) => check(n));
    expect(contractGaps(flux, happy, { checks: ran })).toEqual([]);
    expect(contractGaps(flux, happy, { checks: ran.filter((c) => c.check !== 'latency') })).toEqual(['latency did not run']);
    expect(contractGaps(flux, negative, { checks: [check('error-status', 'fail'), check('error-body', 'skip')] })).toEqual([
      'error-body skipped without a known defect to explain it: error-body skip',
    ]);
    expect(contractGaps(flux, negative, { checks: [check('error-status', 'fail', true), check('error-body', 'skip')] })).toEqual([]);
    expect(contractGaps(getEndpoint('z-image-pulid'), happy, { checks: [check('status')] })[0]).toBe('route-broken did not run');
  });
});

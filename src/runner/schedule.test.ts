import { describe, expect, it } from 'vitest';
import { APPS, getEndpoint } from '../catalog/index.ts';
import { selectEndpoints } from './gate.ts';
import { chainSec, expectedCallSec, lptMakespan, NEGATIVE_CASE_SEC, planGate, warmUpRequests } from './schedule.ts';

describe('gate plan on serial containers', () => {
  it('packs tasks longest first', () => {
    expect(lptMakespan([5, 4, 3, 3, 3], 1)).toBe(18);
    expect(lptMakespan([5, 4, 3, 3, 3], 2)).toBe(10);
    expect(lptMakespan([7], 3)).toBe(7);
  });

  it('estimates a chain from the documented time and the error cases', () => {
    const e = getEndpoint('wan22-i2v-faceswap');
    expect(expectedCallSec(e)).toBe(425);
    expect(chainSec(e)).toBe(425 + e.errors.length * NEGATIVE_CASE_SEC);
    expect(chainSec(e, false)).toBe(425);
    expect(expectedCallSec(getEndpoint('loras'))).toBeLessThan(5); // a JSON route
  });

  it('warms a second container only where one would outlast the slowest chain', () => {
    const plan = planGate(selectEndpoints());
    expect(plan.criticalId).toBe('wan22-i2v-faceswap');
    // /wan22-i2v (240 s) after /wan22-i2v-faceswap (425 s) on one container would end far past it.
    expect(plan.lanes.get('ryla-wan22-i2v')).toBe(2);
    expect(plan.lanes.get('ryla-seedvr2')).toBe(1);
    expect(plan.lanes.get('ryla-flux')).toBe(1);
    for (const [app, lanes] of plan.lanes) {
      const chains = selectEndpoints().filter((e) => e.app === app).map((e) => plan.chainSec.get(e.id)!);
      // Every app starts with its own cold start and ends within the slowest chain.
      expect(APPS[app].coldStartSec + lptMakespan(chains, lanes), app).toBeLessThanOrEqual(plan.targetSec);
    }
    // One endpoint alone never needs more than one container.
    expect(planGate([getEndpoint('wan22-i2v-faceswap')]).lanes.get('ryla-wan22-i2v')).toBe(1);
  });

  it('opens the n-th container with (n-1) × max_inputs + 1 concurrent requests', () => {
    expect(warmUpRequests('ryla-flux', 1)).toBe(1);
    expect(warmUpRequests('ryla-flux', 2)).toBe(6);
    expect(warmUpRequests('ryla-wan22-i2v', 2)).toBe(4);
  });
});

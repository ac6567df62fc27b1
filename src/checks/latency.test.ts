import { describe, expect, it } from 'vitest';
import { checkLatency, latencyVerdict } from './latency.ts';

const budget = { warmSec: 45, coldSec: 105, hardSec: 1800 };

describe('checkLatency', () => {
  it('passes within the warm budget', () => {
    expect(checkLatency(30_000, budget, 'warm').verdict).toBe('pass');
  });
  it('is degraded (warn) over the warm budget but a cold start may take longer', () => {
    expect(checkLatency(60_000, budget, 'warm')).toMatchObject({ verdict: 'warn', measured: { verdict: 'degraded' } });
    expect(checkLatency(60_000, budget, 'cold').verdict).toBe('pass');
  });
  it('fails over the hard limit', () => {
    expect(checkLatency(1_900_000, budget, 'cold').verdict).toBe('fail');
  });
  it('scales budgets for a time-scaled target and adds overhead', () => {
    expect(latencyVerdict(500, budget, 'warm', 0.01)).toBe('degraded');
    expect(latencyVerdict(500, budget, 'warm', 0.01, 100)).toBe('ok');
  });
});

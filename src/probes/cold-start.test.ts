/** Cold/warm classification of a probe's warm-up and of the call itself. */
import { describe, expect, it } from 'vitest';
import { classifyCall, classifyWarmUp, WarmBaseline } from './cold-start.ts';

describe('classifyWarmUp', () => {
  const base = { coldStartMs: 600, scaledownWindowMs: 3000 };
  it('is cold when /health took at least half the documented container start', () => {
    expect(classifyWarmUp({ ...base, durationMs: 650, idleMs: null }).start).toBe('cold');
    expect(classifyWarmUp({ ...base, durationMs: 300, idleMs: 100 }).start).toBe('cold');
  });
  it('is warm when /health answered fast, even after the idle window (other traffic kept it up)', () => {
    const c = classifyWarmUp({ ...base, durationMs: 20, idleMs: 10_000 });
    expect(c.start).toBe('warm');
    expect(c.reason).toMatch(/past its scaledown window/);
  });
});

describe('classifyCall', () => {
  const base = { fallbackBaselineMs: 400, coldStartMs: 600, scaledownWindowMs: 3000 };
  it('calls cold a call that exceeds its warm baseline by half a container start', () => {
    const c = classifyCall({ ...base, callMs: 1000, warmBaselineMs: 300, idleMs: 100 });
    expect(c.start).toBe('cold');
    expect(c.reason).toMatch(/0\.70 s over its warm baseline/);
  });
  it('needs less excess when genprobe has not used the app within the scaledown window', () => {
    const input = { ...base, callMs: 500, warmBaselineMs: 300 };
    expect(classifyCall({ ...input, idleMs: 100 }).start).toBe('warm'); // 200 ms < 300 ms
    expect(classifyCall({ ...input, idleMs: 5000 }).start).toBe('cold'); // 200 ms ≥ 150 ms
    expect(classifyCall({ ...input, idleMs: null }).start).toBe('cold');
  });
  it('trusts a successful warm-up unless the call itself shows a container start', () => {
    const warmUp = { durationMs: 650, start: 'cold' as const };
    const warm = classifyCall({ ...base, callMs: 350, warmBaselineMs: 300, idleMs: null, warmUp });
    expect(warm.start).toBe('warm');
    expect(warm.reason).toMatch(/warmed by GET \/health first \(cold, 0\.65 s\)/);
    expect(classifyCall({ ...base, callMs: 1000, warmBaselineMs: 300, idleMs: null, warmUp }).start).toBe('cold');
  });
  it('falls back to the catalog warm budget without history', () => {
    const c = classifyCall({ ...base, callMs: 450, warmBaselineMs: null, idleMs: 100 });
    expect(c.start).toBe('warm');
    expect(c.reason).toMatch(/catalog warm budget 0\.40 s/);
  });
  it('WarmBaseline is a bounded rolling median', () => {
    const b = new WarmBaseline(3);
    expect(b.median('x')).toBeNull();
    for (const ms of [100, 300, 200]) b.add('x', ms);
    expect(b.median('x')).toBe(200);
    b.add('x', 1000); // drops 100
    expect(b.median('x')).toBe(300);
    b.add('y', 5);
    expect(b.median('y')).toBe(5);
  });
});

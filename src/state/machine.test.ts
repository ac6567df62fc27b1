import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, INITIAL, nextState, replay, validateThresholds, type EndpointState, type Observation, type Thresholds } from './machine.ts';
import { observationOf, PASS_WINDOW, StateTracker } from './tracker.ts';

const P: Observation = 'pass';
const D: Observation = 'degraded';
const F: Observation = 'fail';
const M: Observation = 'maintenance';
const O: Observation = 'prober-offline';

interface Row {
  name: string;
  obs: Observation[];
  states: EndpointState[];
  t?: Thresholds;
}

// Defaults: down after 3 failures in a row, up after 2 passes in a row.
const TABLE: Row[] = [
  { name: 'healthy endpoint stays up', obs: [P, P, P], states: ['up', 'up', 'up'] },
  { name: 'a cold start that timed out once is pending, then up again', obs: [P, F, P], states: ['up', 'pending', 'up'] },
  { name: 'one Modal 408 never pages', obs: [P, P, F, P, P], states: ['up', 'up', 'pending', 'up', 'up'] },
  { name: 'a failing first probe is pending, not down', obs: [F, P], states: ['pending', 'up'] },
  { name: 'two failures in a row are still pending', obs: [P, F, F, P], states: ['up', 'pending', 'pending', 'up'] },
  { name: 'a confirmed outage goes down on the third failure', obs: [P, F, F, F, F], states: ['up', 'pending', 'pending', 'down', 'down'] },
  { name: 'flapping pass/fail never goes down', obs: [F, P, F, P, F, P, F, P], states: ['pending', 'up', 'pending', 'up', 'pending', 'up', 'pending', 'up'] },
  { name: 'flapping fail-fail-pass never goes down', obs: [F, F, P, F, F, P], states: ['pending', 'pending', 'up', 'pending', 'pending', 'up'] },
  { name: 'recovery needs two passes in a row', obs: [F, F, F, P, P], states: ['pending', 'pending', 'down', 'down', 'up'] },
  { name: 'a failure during recovery restarts the count', obs: [F, F, F, P, F, P, P], states: ['pending', 'pending', 'down', 'down', 'down', 'down', 'up'] },
  { name: 'slow but working is degraded', obs: [P, D, D, P], states: ['up', 'degraded', 'degraded', 'up'] },
  { name: 'degraded then failing goes pending, then down', obs: [D, F, F, F], states: ['degraded', 'pending', 'pending', 'down'] },
  { name: 'recovering degraded comes back degraded', obs: [F, F, F, D, D], states: ['pending', 'pending', 'down', 'down', 'degraded'] },
  { name: 'a maintenance window is its own state, failures inside do not count', obs: [P, M, M, M, P], states: ['up', 'maintenance', 'maintenance', 'maintenance', 'up'] },
  { name: 'failures before a window do not carry over', obs: [F, F, M, F, F], states: ['pending', 'pending', 'maintenance', 'pending', 'pending'] },
  { name: 'down before a deploy window starts afresh after it', obs: [F, F, F, M, P], states: ['pending', 'pending', 'down', 'maintenance', 'up'] },
  { name: 'prober offline leaves the state alone', obs: [P, O, O, O, P], states: ['up', 'up', 'up', 'up', 'up'] },
  { name: 'prober offline neither confirms nor clears a pending failure', obs: [F, O, F, O, F], states: ['pending', 'pending', 'pending', 'pending', 'down'] },
  { name: 'threshold 1 pages on the first failure', obs: [P, F, P], states: ['up', 'down', 'up'], t: { failuresToDown: 1, passesToUp: 1 } },
  { name: 'threshold 5 tolerates four failures', obs: [F, F, F, F, F], states: ['pending', 'pending', 'pending', 'pending', 'down'], t: { failuresToDown: 5, passesToUp: 2 } },
];

describe('endpoint state machine', () => {
  it.each(TABLE)('$name', ({ obs, states, t }) => {
    expect(replay(obs, t).map((s) => s.state)).toEqual(states);
  });

  it('knows nothing before the first observation, and prober-offline does not change that', () => {
    expect(INITIAL.state).toBeNull();
    expect(nextState(INITIAL, 'prober-offline').state).toBeNull();
  });

  it('is pure: the same input gives the same output and the input is not mutated', () => {
    const prev = { state: 'pending' as const, failures: 2, passes: 0 };
    const copy = { ...prev };
    expect(nextState(prev, 'fail')).toEqual(nextState(prev, 'fail'));
    expect(prev).toEqual(copy);
  });

  it('defaults keep one or two bad probes from paging', () => {
    expect(DEFAULT_THRESHOLDS.failuresToDown).toBeGreaterThanOrEqual(3);
    expect(DEFAULT_THRESHOLDS.passesToUp).toBeGreaterThanOrEqual(2);
  });

  it('rejects thresholds that are not positive integers', () => {
    expect(() => validateThresholds({ failuresToDown: 0, passesToUp: 1 })).toThrow(/failuresToDown/);
    expect(() => validateThresholds({ failuresToDown: 2, passesToUp: 1.5 })).toThrow(/passesToUp/);
  });
});

describe('observationOf', () => {
  it.each([
    [{ result: 'pass' as const, latencyVerdict: 'ok' as const }, 'pass'],
    [{ result: 'warn' as const, latencyVerdict: 'degraded' as const }, 'degraded'],
    [{ result: 'pass' as const, latencyVerdict: 'ok' as const, warnings: [{ check: 'golden-drift' }] }, 'degraded'],
    [{ result: 'fail' as const, latencyVerdict: 'failed' as const }, 'fail'],
    [{ result: 'fail' as const, maintenance: { reason: 'deploy', until: 1 } }, 'maintenance'],
    [{ result: 'fail' as const, proberOffline: true }, 'prober-offline'],
    [{ result: 'skipped' as const }, null],
  ])('%o → %s', (outcome, expected) => {
    expect(observationOf(outcome)).toBe(expected);
  });
});

describe('StateTracker', () => {
  it('tracks since, thresholds per endpoint and the windowed pass ratio', () => {
    const tracker = new StateTracker((e) => (e === 'strict' ? { failuresToDown: 1, passesToUp: 1 } : DEFAULT_THRESHOLDS));
    expect(tracker.observe('flux', 'ryla-flux', { result: 'pass' }, 1000)?.state).toBe('up');
    expect(tracker.observe('flux', 'ryla-flux', { result: 'fail' }, 2000)).toMatchObject({ state: 'pending', since: 2000, failures: 1, passRatio: 0.5 });
    expect(tracker.observe('flux', 'ryla-flux', { result: 'fail' }, 3000)).toMatchObject({ state: 'pending', since: 2000, failures: 2 });
    expect(tracker.observe('strict', 'ryla-flux', { result: 'fail' }, 3000)?.state).toBe('down');
    expect(tracker.observe('flux', 'ryla-flux', { result: 'skipped' }, 4000)?.at).toBe(3000);
    expect(tracker.all().map((s) => s.endpoint).sort()).toEqual(['flux', 'strict']);
  });

  it('keeps the window to the last probes and leaves maintenance and offline probes out of it', () => {
    const tracker = new StateTracker();
    for (let i = 0; i < PASS_WINDOW; i++) tracker.observe('x', 'a', { result: 'fail' }, i);
    for (let i = 0; i < PASS_WINDOW / 2; i++) tracker.observe('x', 'a', { result: 'pass' }, 100 + i);
    tracker.observe('x', 'a', { result: 'fail', maintenance: { reason: 'deploy', until: null } }, 200);
    const s = tracker.observe('x', 'a', { result: 'fail', proberOffline: true }, 201);
    expect(s).toMatchObject({ state: 'maintenance', passRatio: 0.5, windowProbes: PASS_WINDOW, maintenance: { reason: 'deploy' } });
  });

  it('does not start tracking on prober-offline', () => {
    const tracker = new StateTracker();
    expect(tracker.observe('x', 'a', { result: 'fail', proberOffline: true }, 1)).toBeUndefined();
    expect(tracker.all()).toEqual([]);
  });
});

/** /api/status's JSON for one endpoint: what of the probe and the state it shows, times as ISO strings. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../state/machine.ts';
import { endpointStatusJson, type EndpointStatus, type ProbeOutcome } from './app.ts';

const T = Date.UTC(2026, 0, 2, 3, 4, 5);
const iso = (ms: number) => new Date(ms).toISOString();

const outcome = (maintenance?: ProbeOutcome['maintenance']): ProbeOutcome => ({
  endpoint: 'flux', app: 'ryla-flux', gpu: 'L40S', kind: 'smoke', startedAt: T - 1000, finishedAt: T,
  result: 'pass', latencyMs: 1000, costUsd: 0.0012345678, redirects: 1, failedChecks: [], warmUps: [], ...(maintenance ? { maintenance } : {}),
});

const status = (maintenance?: ProbeOutcome['maintenance']): EndpointStatus => ({
  endpoint: 'flux', app: 'ryla-flux', gpu: 'L40S', history: [], last: outcome(maintenance),
  state: { endpoint: 'flux', app: 'ryla-flux', state: maintenance ? 'maintenance' : 'up', since: T - 60_000, at: T, failures: 0, passes: 2, thresholds: DEFAULT_THRESHOLDS, lastObservation: 'pass', passRatio: 1, windowProbes: 2, ...(maintenance ? { maintenance } : {}) },
});

describe('endpointStatusJson', () => {
  it.each([
    { window: { reason: 'deploy', until: T + 600_000 }, shown: { reason: 'deploy', until: iso(T + 600_000) } },
    { window: { reason: 'open-ended', until: null }, shown: { reason: 'open-ended', until: null } },
    { window: undefined, shown: null },
  ])('a maintenance window of $window.reason shows the same on the probe and on the state', ({ window, shown }) => {
    const json = endpointStatusJson(status(window));
    expect(json.lastProbe?.maintenance).toEqual(shown);
    expect(json.state?.maintenance).toEqual(shown);
  });

  it("shows the state's counts and since, not its ids or last observation", () => {
    const json = endpointStatusJson(status());
    expect(json.state).toEqual({ state: 'up', since: iso(T - 60_000), failures: 0, passes: 2, thresholds: DEFAULT_THRESHOLDS, passRatio: 1, windowProbes: 2, maintenance: null });
    expect(json.lastProbe).toMatchObject({ at: iso(T), costUsd: 0.001235, start: null, error: null });
  });
});

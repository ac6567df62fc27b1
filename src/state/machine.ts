/**
 * An endpoint's state with hysteresis, as a pure function of the previous state and one probe's
 * observation. Five states (the OpenMetrics StateSet exported as genprobe_endpoint_state{state}):
 *
 *   up          the contract held and the call was within its latency budget
 *   degraded    the contract held, but the call was slower than the catalog's budget (documented or
 *               measured time × 1.5, see latencyBudgetSec) or a check warned: it works, slowly
 *   pending     failing, not yet confirmed: fewer than `failuresToDown` failures in a row
 *   down        `failuresToDown` failures in a row; stays down until `passesToUp` passes in a row
 *   maintenance the probe ran inside a maintenance window: recorded, never counted as a failure
 *
 * Why hysteresis: one cold start that times out, one Modal 408 or one dropped connection is a single
 * failed probe, and must never page (Gatus failure-threshold / success-threshold, Uptime Kuma's
 * PENDING). A `prober-offline` observation (the prober cannot reach its own canaries) says nothing
 * about the endpoint and leaves the state as it was.
 */

export const ENDPOINT_STATES = ['up', 'degraded', 'pending', 'down', 'maintenance'] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

export const OBSERVATIONS = ['pass', 'degraded', 'fail', 'maintenance', 'prober-offline'] as const;
export type Observation = (typeof OBSERVATIONS)[number];

export interface Thresholds {
  /** Consecutive failures that turn pending into down (1 = no pending state). */
  failuresToDown: number;
  /** Consecutive passes (or degraded results) that bring a down endpoint back. */
  passesToUp: number;
}

/** Gatus' defaults (failure-threshold 3, success-threshold 2): one bad probe, even two, never pages. */
export const DEFAULT_THRESHOLDS: Thresholds = { failuresToDown: 3, passesToUp: 2 };

export interface MachineState {
  /** null before the first observation: nothing is known, nothing is exported as 1. */
  state: EndpointState | null;
  /** Failures in a row (reset by a pass, a degraded result or a maintenance window). */
  failures: number;
  /** Passes in a row while down (what recovery counts). */
  passes: number;
}

export const INITIAL: MachineState = { state: null, failures: 0, passes: 0 };

export function validateThresholds(t: Thresholds): Thresholds {
  for (const [k, v] of Object.entries(t)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  return t;
}

/** The healthy state a working probe maps to (pass → up, degraded → degraded). */
function healthy(obs: 'pass' | 'degraded'): EndpointState {
  return obs === 'pass' ? 'up' : 'degraded';
}

/** One step of the state machine. Pure: the same inputs always give the same state. */
export function nextState(prev: MachineState, obs: Observation, t: Thresholds = DEFAULT_THRESHOLDS): MachineState {
  switch (obs) {
    case 'prober-offline':
      return prev;
    case 'maintenance':
      // Failures before or inside a window do not carry over; the window is its own state.
      return { state: 'maintenance', failures: 0, passes: 0 };
    case 'fail': {
      const failures = prev.failures + 1;
      if (prev.state === 'down' || failures >= t.failuresToDown) return { state: 'down', failures, passes: 0 };
      return { state: 'pending', failures, passes: 0 };
    }
    case 'pass':
    case 'degraded': {
      if (prev.state !== 'down') return { state: healthy(obs), failures: 0, passes: 0 };
      const passes = prev.passes + 1;
      if (passes >= t.passesToUp) return { state: healthy(obs), failures: 0, passes: 0 };
      return { state: 'down', failures: 0, passes };
    }
  }
}

/** Fold a sequence of observations (tests and replay). */
export function replay(observations: readonly Observation[], t: Thresholds = DEFAULT_THRESHOLDS, from: MachineState = INITIAL): MachineState[] {
  const out: MachineState[] = [];
  let s = from;
  for (const o of observations) out.push((s = nextState(s, o, t)));
  return out;
}

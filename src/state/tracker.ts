/**
 * The state machine of every probed endpoint, fed one observation per probe, plus a windowed pass
 * ratio (the last PASS_WINDOW counted probes). The probe runner feeds it; /metrics, /api/status and
 * the status page read it.
 */
import { DEFAULT_THRESHOLDS, INITIAL, nextState, validateThresholds, type EndpointState, type MachineState, type Observation, type Thresholds } from './machine.ts';

/** Probes in the pass-ratio window (maintenance and prober-offline probes are not counted). */
export const PASS_WINDOW = 20;

/** What a probe's outcome must say for its observation to be derived (a ProbeOutcome fits). */
export interface ObservedOutcome {
  result: 'pass' | 'warn' | 'fail' | 'skipped';
  latencyVerdict?: 'ok' | 'degraded' | 'failed';
  warnings?: readonly { check: string }[];
  maintenance?: { reason: string; until: number | null };
  proberOffline?: boolean;
}

/**
 * The observation of one probe, or null when it says nothing (a skipped probe). Degraded: the
 * contract held but the call was over its latency budget, or a check warned (known defects that a
 * waiver accepts are not warnings: they stay in `waived`).
 */
export function observationOf(o: ObservedOutcome): Observation | null {
  if (o.proberOffline) return 'prober-offline';
  if (o.maintenance) return 'maintenance';
  if (o.result === 'skipped') return null;
  if (o.result === 'fail') return 'fail';
  if (o.result === 'warn' || o.latencyVerdict === 'degraded' || (o.warnings?.length ?? 0) > 0) return 'degraded';
  return 'pass';
}

export interface EndpointStateSnapshot {
  endpoint: string;
  app: string;
  state: EndpointState;
  /** Unix ms when the endpoint entered this state. */
  since: number;
  /** Unix ms of the last observation. */
  at: number;
  failures: number;
  passes: number;
  thresholds: Thresholds;
  lastObservation: Observation;
  /** Passing share of the last probes (null before any counted probe). */
  passRatio: number | null;
  windowProbes: number;
  /** The maintenance window the last probe ran in, when in maintenance. */
  maintenance?: { reason: string; until: number | null };
}

interface Tracked {
  app: string;
  machine: MachineState;
  since: number;
  at: number;
  last: Observation;
  window: boolean[];
  maintenance?: { reason: string; until: number | null };
}

export class StateTracker {
  readonly #byId = new Map<string, Tracked>();
  readonly #thresholdsFor: (endpoint: string) => Thresholds;

  constructor(thresholdsFor: (endpoint: string) => Thresholds = () => DEFAULT_THRESHOLDS) {
    this.#thresholdsFor = (e) => validateThresholds(thresholdsFor(e));
  }

  /** Feed one probe; returns the new snapshot, or the old one when the probe said nothing. */
  observe(endpoint: string, app: string, outcome: ObservedOutcome, at: number): EndpointStateSnapshot | undefined {
    const obs = observationOf(outcome);
    const t = this.#byId.get(endpoint);
    if (obs === null) return t ? this.#snapshot(endpoint, t) : undefined;
    const prev = t?.machine ?? INITIAL;
    const machine = nextState(prev, obs, this.#thresholdsFor(endpoint));
    // prober-offline before anything is known leaves nothing known.
    if (machine.state === null) return undefined;
    const tracked: Tracked = t ?? { app, machine, since: at, at, last: obs, window: [] };
    if (machine.state !== prev.state) tracked.since = at;
    Object.assign(tracked, { app, machine, at, last: obs, maintenance: machine.state === 'maintenance' ? (outcome.maintenance ?? tracked.maintenance) : undefined });
    if (obs === 'pass' || obs === 'degraded' || obs === 'fail') {
      tracked.window.push(obs !== 'fail');
      if (tracked.window.length > PASS_WINDOW) tracked.window.splice(0, tracked.window.length - PASS_WINDOW);
    }
    this.#byId.set(endpoint, tracked);
    return this.#snapshot(endpoint, tracked);
  }

  get(endpoint: string): EndpointStateSnapshot | undefined {
    const t = this.#byId.get(endpoint);
    return t ? this.#snapshot(endpoint, t) : undefined;
  }

  all(): EndpointStateSnapshot[] {
    return [...this.#byId.entries()].map(([id, t]) => this.#snapshot(id, t));
  }

  #snapshot(endpoint: string, t: Tracked): EndpointStateSnapshot {
    const passed = t.window.filter(Boolean).length;
    return {
      endpoint,
      app: t.app,
      state: t.machine.state as EndpointState,
      since: t.since,
      at: t.at,
      failures: t.machine.failures,
      passes: t.machine.passes,
      thresholds: this.#thresholdsFor(endpoint),
      lastObservation: t.last,
      passRatio: t.window.length ? passed / t.window.length : null,
      windowProbes: t.window.length,
      ...(t.maintenance ? { maintenance: t.maintenance } : {}),
    };
  }
}

/**
 * genprobe_endpoint_state{state} (an OpenMetrics StateSet: one gauge per state, 1 for the current
 * one) and genprobe_endpoint_pass_ratio, set from the tracker at every scrape or push. An endpoint
 * nobody has probed yet has no series: absence means "not known", never "down".
 */
import { Gauge, type Registry } from 'prom-client';
import { METRICS } from '../metrics/names.ts';
import { ENDPOINT_STATES } from './machine.ts';
import type { StateTracker } from './tracker.ts';

/** What the prober-online gauge reads: the last self-check, none before the first unanswered probe. */
export interface SelfCheckSource {
  readonly last?: { online: boolean };
}

export function registerStateMetrics(registry: Registry, tracker: StateTracker, selfCheck?: SelfCheckSource): void {
  const state = METRICS.endpointState;
  new Gauge({
    name: state.name,
    help: state.help,
    labelNames: [...state.labels],
    registers: [registry],
    collect(this: Gauge<'endpoint' | 'app' | 'state'>) {
      for (const s of tracker.all()) for (const name of ENDPOINT_STATES) this.set({ endpoint: s.endpoint, app: s.app, state: name }, s.state === name ? 1 : 0);
    },
  });
  const ratio = METRICS.passRatio;
  new Gauge({
    name: ratio.name,
    help: ratio.help,
    labelNames: [...ratio.labels],
    registers: [registry],
    collect(this: Gauge<'endpoint' | 'app'>) {
      for (const s of tracker.all()) if (s.passRatio !== null) this.set({ endpoint: s.endpoint, app: s.app }, s.passRatio);
    },
  });
  const online = METRICS.proberOnline;
  new Gauge({
    name: online.name,
    help: online.help,
    registers: [registry],
    // 1 until a self-check says otherwise: the check only runs when a probe got no answer.
    collect(this: Gauge) {
      this.set(selfCheck?.last?.online === false ? 0 : 1);
    },
  });
}

/**
 * genprobe_endpoint_state{state} (an OpenMetrics StateSet: one gauge per state, 1 for the current
 * one) and genprobe_endpoint_pass_ratio, set from the tracker at every scrape or push. An endpoint
 * nobody has probed yet has no series: absence means "not known", never "down".
 */
import type { Registry } from 'prom-client';
import { METRICS } from '../metrics/names.ts';
import { gaugeFor } from '../metrics/prom.ts';
import { ENDPOINT_STATES } from './machine.ts';
import type { StateTracker } from './tracker.ts';

/** What the prober-online gauge reads: the last self-check, none before the first unanswered probe. */
export interface SelfCheckSource {
  readonly last?: { online: boolean };
}

export function registerStateMetrics(registry: Registry, tracker: StateTracker, selfCheck?: SelfCheckSource): void {
  gaugeFor(METRICS.endpointState, registry, function () {
    for (const s of tracker.all()) for (const name of ENDPOINT_STATES) this.set({ endpoint: s.endpoint, app: s.app, state: name }, s.state === name ? 1 : 0);
  });
  gaugeFor(METRICS.passRatio, registry, function () {
    for (const s of tracker.all()) if (s.passRatio !== null) this.set({ endpoint: s.endpoint, app: s.app }, s.passRatio);
  });
  // 1 until a self-check says otherwise: the check only runs when a probe got no answer.
  gaugeFor(METRICS.proberOnline, registry, function () {
    this.set(selfCheck?.last?.online === false ? 0 : 1);
  });
}

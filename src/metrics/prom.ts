/**
 * prom-client metrics built from their definitions in names.ts, so a metric's name, help and label
 * names are written once: `gaugeFor(METRICS.passRatio, registry)`. A definition of the wrong type
 * (a counter's built as a gauge) is refused by name.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MetricDef } from './names.ts';

export type LabelsOf<D extends MetricDef> = D['labels'][number];

function checkType(def: MetricDef, type: MetricDef['type']): void {
  if (def.type !== type) throw new Error(`${def.name} is defined as a ${def.type}, not a ${type} (src/metrics/names.ts)`);
}

function base<D extends MetricDef>(def: D, registry: Registry) {
  return { name: def.name, help: def.help, labelNames: [...def.labels] as LabelsOf<D>[], registers: [registry] };
}

/** A gauge; `collect` (optional) runs before each read of its values, with the gauge as `this`. */
export function gaugeFor<D extends MetricDef>(def: D, registry: Registry, collect?: (this: Gauge<LabelsOf<D>>) => void | Promise<void>): Gauge<LabelsOf<D>> {
  checkType(def, 'gauge');
  return new Gauge({ ...base(def, registry), ...(collect ? { collect } : {}) });
}

/** A counter; `collect` as for gaugeFor. */
export function counterFor<D extends MetricDef>(def: D, registry: Registry, collect?: (this: Counter<LabelsOf<D>>) => void | Promise<void>): Counter<LabelsOf<D>> {
  checkType(def, 'counter');
  return new Counter({ ...base(def, registry), ...(collect ? { collect } : {}) });
}

/** A histogram with the definition's buckets. */
export function histogramFor<D extends MetricDef>(def: D, registry: Registry): Histogram<LabelsOf<D>> {
  checkType(def, 'histogram');
  if (!def.buckets?.length) throw new Error(`${def.name} is a histogram without buckets (src/metrics/names.ts)`);
  return new Histogram({ ...base(def, registry), buckets: [...def.buckets] });
}

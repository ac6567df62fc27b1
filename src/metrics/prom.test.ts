import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { METRICS } from './names.ts';
import { counterFor, gaugeFor, histogramFor } from './prom.ts';

describe('metrics from their definitions', () => {
  it('register name, help, labels and buckets as names.ts defines them, and run collect before a read', async () => {
    const registry = new Registry();
    const ratio = gaugeFor(METRICS.passRatio, registry, function () {
      this.set({ endpoint: 'flux', app: 'ryla-flux' }, 0.75);
    });
    counterFor(METRICS.probesTotal, registry).inc({ endpoint: 'flux', app: 'ryla-flux', kind: 'smoke', result: 'pass' });
    histogramFor(METRICS.requestDuration, registry).observe({ endpoint: 'flux', app: 'ryla-flux', gpu: 'L40S', start: 'warm' }, 3);
    const text = await registry.metrics();
    expect(text).toContain(`# HELP ${METRICS.passRatio.name} ${METRICS.passRatio.help}`);
    expect(text).toContain(`${METRICS.passRatio.name}{endpoint="flux",app="ryla-flux"} 0.75`);
    expect(text).toContain(`${METRICS.probesTotal.name}{endpoint="flux",app="ryla-flux",kind="smoke",result="pass"} 1`);
    for (const le of METRICS.requestDuration.buckets) expect(text).toContain(`${METRICS.requestDuration.name}_bucket{le="${le}",endpoint="flux"`);
    expect((await ratio.get()).values).toHaveLength(1);
  });

  it('refuses a definition of another type, naming the metric', () => {
    const registry = new Registry();
    expect(() => gaugeFor(METRICS.probesTotal, registry)).toThrow('genprobe_probes_total is defined as a counter, not a gauge (src/metrics/names.ts)');
    expect(() => counterFor(METRICS.passRatio, registry)).toThrow(/genprobe_endpoint_pass_ratio is defined as a gauge, not a counter/);
    expect(() => histogramFor(METRICS.passRatio, registry)).toThrow(/not a histogram/);
  });
});

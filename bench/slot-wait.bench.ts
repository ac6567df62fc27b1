/**
 * How long healthy apps wait for a probe slot while two apps hang (issue 13.3).
 *
 * One fan-out of smoke probes (what a `match: '*'` tick does) against the emulator in its own
 * process, twice: the healthy apps alone, then every live endpoint with ryla-flux and
 * ryla-qwen-image hung (the `slow` fault: every generation call 303s until the 1800 s function
 * timeout, so each of their probes holds its slot for its whole deadline). The waits are read from
 * genprobe_slot_wait_seconds, per app, as /metrics shows them. A probe waits only behind its own
 * app's other probes (one call per app at a time: the fleet's containers are serial), so the healthy
 * apps' waits must be the same in both runs. (The baseline leaves the two apps out rather than
 * probing them healthy: their renders would load the emulator's CPU, which the hung run does not.)
 */
import type { Histogram } from 'prom-client';
import { liveEndpoints } from '../src/catalog/index.ts';
import { parseConfig } from '../src/config/index.ts';
import { createProbeService } from '../src/probes/service.ts';
import type { ProbeOutcome } from '../src/probes/status.ts';
import { round, withEmulatorProcess, type BenchEmulator, type Benchmark, type BenchResult } from './lib.ts';

const TIME_SCALE = 0.01;
/** Room for the emulator's own unscaled work (JSON bodies of a few MB, encoding): waits are the subject here. */
const OVERHEAD_MS = 5000;
const HUNG_APPS = ['ryla-flux', 'ryla-qwen-image'];
/** Healthy apps' mean wait with two apps hung may exceed the healthy-fleet run by this much. */
const GOAL_RATIO = 1.1;
const GOAL_SLACK_SEC = 0.25;

interface AppWaits {
  count: number;
  sumSec: number;
  meanSec: number;
  /** Upper bound of the histogram bucket holding the longest wait. */
  maxBucketSec: number | string;
}

async function post(emu: BenchEmulator, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
}

async function waitsByApp(h: Histogram<string>): Promise<Map<string, AppWaits>> {
  const { values } = await h.get();
  const out = new Map<string, AppWaits>();
  const get = (app: string) => out.get(app) ?? out.set(app, { count: 0, sumSec: 0, meanSec: 0, maxBucketSec: 0 }).get(app)!;
  const buckets = new Map<string, { le: number | string; value: number }[]>();
  for (const v of values) {
    const app = String(v.labels.app);
    if (v.metricName?.endsWith('_count')) get(app).count = v.value;
    else if (v.metricName?.endsWith('_sum')) get(app).sumSec = round(v.value, 3);
    else if (v.metricName?.endsWith('_bucket')) buckets.set(app, [...(buckets.get(app) ?? []), { le: v.labels.le as number | string, value: v.value }]);
  }
  for (const [app, w] of out) {
    w.meanSec = w.count ? round(w.sumSec / w.count, 3) : 0;
    const bs = buckets.get(app) ?? [];
    w.maxBucketSec = bs.find((b) => b.value >= w.count)?.le ?? '+Inf';
  }
  return out;
}

async function tick(emu: BenchEmulator, hung: boolean) {
  await emu.control('/reset', 'POST');
  if (hung) for (const app of HUNG_APPS) await post(emu, '/faults', { match: { app }, fault: 'slow' });
  const config = parseConfig({
    target: { url: `${emu.url}/{app}`, timeScale: TIME_SCALE, overheadMs: OVERHEAD_MS },
    probes: { schedules: [], budget: { dailyUsd: 10_000, monthlyUsd: 100_000 } },
  });
  const service = await createProbeService({ config, log: () => undefined, defaultMetrics: false });
  const entries = liveEndpoints().filter((e) => hung || !HUNG_APPS.includes(e.app));
  const t0 = performance.now();
  const outcomes: ProbeOutcome[] = await Promise.all(entries.map((e) => service.runner.probe(e, 'smoke')));
  const wallMs = Math.round(performance.now() - t0);
  const waits = await waitsByApp(service.metrics.slotWait as unknown as Histogram<string>);
  const healthyOutcomes = outcomes.filter((o) => !HUNG_APPS.includes(o.app));
  return {
    wallMs,
    waits,
    healthy: {
      probes: healthyOutcomes.length,
      passedOrWarned: healthyOutcomes.filter((o) => o.result === 'pass' || o.result === 'warn').length,
      failed: healthyOutcomes.filter((o) => o.result === 'fail').map((o) => `${o.endpoint}: ${o.error ?? ''}`.slice(0, 160)),
      skipped: healthyOutcomes.filter((o) => o.result === 'skipped').map((o) => `${o.endpoint}: ${o.skip?.reason}`),
    },
    hungApps: HUNG_APPS.map((app) => {
      const os = outcomes.filter((o) => o.app === app);
      return { app, probes: os.length, queueTimeouts: os.filter((o) => o.skip?.reason === 'queue-timeout').length, failed: os.filter((o) => o.result === 'fail').length };
    }),
  };
}

function healthyMean(waits: Map<string, AppWaits>): { sumSec: number; count: number; meanSec: number } {
  let sum = 0;
  let count = 0;
  for (const [app, w] of waits) if (!HUNG_APPS.includes(app)) (sum += w.sumSec), (count += w.count);
  return { sumSec: round(sum, 3), count, meanSec: count ? round(sum / count, 3) : 0 };
}

export const slotWaitBench: Benchmark = {
  name: 'slot-wait',
  title: 'how long healthy apps wait for a probe slot while two apps hang',
  async run(ctx): Promise<BenchResult> {
    return withEmulatorProcess(['--time-scale', String(TIME_SCALE), '--seed', '5'], async (emu) => {
      ctx.log('slot-wait: priming tick (renders cached)');
      await tick(emu, false);
      ctx.log('slot-wait: the healthy apps alone');
      const base = await tick(emu, false);
      ctx.log(`slot-wait: ${HUNG_APPS.join(' and ')} hung`);
      const hung = await tick(emu, true);
      const b = healthyMean(base.waits);
      const h = healthyMean(hung.waits);
      const perApp = Object.fromEntries(
        [...hung.waits.keys()].filter((a) => !HUNG_APPS.includes(a)).map((app) => [app, { healthyAppsAloneMeanSec: base.waits.get(app)?.meanSec ?? 0, twoAppsHungMeanSec: hung.waits.get(app)?.meanSec ?? 0, maxBucketSec: hung.waits.get(app)?.maxBucketSec }]),
      );
      const met = h.meanSec <= b.meanSec * GOAL_RATIO + GOAL_SLACK_SEC && hung.healthy.failed.length === 0 && hung.healthy.skipped.length === 0;
      return {
        measures: 'slot waits (genprobe_slot_wait_seconds) of the healthy apps’ probes in one smoke fan-out over every live endpoint with two apps hung, vs the healthy apps alone',
        unit: 's (mean wait per call or warm-up of a healthy app)',
        values: {
          healthyAppsMeanWaitSec: { healthyAppsAlone: b.meanSec, twoAppsHung: h.meanSec },
          healthyAppsWaits: { healthyAppsAlone: b, twoAppsHung: h },
          perHealthyApp: perApp,
          healthyProbes: { healthyAppsAlone: base.healthy, twoAppsHung: hung.healthy },
          hungApps: hung.hungApps,
          tickWallMs: { healthyAppsAlone: base.wallMs, twoAppsHung: hung.wallMs },
        },
        comparedTo: 'the same probes of the healthy apps without the hung apps: a probe waits only behind its own app’s probes, so hung apps must not lengthen the healthy apps’ waits',
        goal: `healthy apps’ mean slot wait with two apps hung ≤ ${GOAL_RATIO}× the healthy-apps-alone run + ${GOAL_SLACK_SEC} s, and every healthy probe sent and judged`,
        met,
        setup: { timeScale: TIME_SCALE, hungApps: HUNG_APPS, fault: 'slow (303s until the 1800 s function timeout)', probes: 'smoke, every live endpoint at once', concurrency: 8, overheadMs: OVERHEAD_MS },
        notes: ['A wait is counted from when a probe asks for its app’s slot to when it gets it (or gives up: queue-timeout). Healthy apps with several endpoints wait behind their own probes: the fleet runs one job per container.'],
      };
    });
  },
};

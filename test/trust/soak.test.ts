/**
 * Soak (issue 7 item 4): the probe service wired as `genprobe serve` wires it (createProbeService
 * with its cron schedules, createServer on a loopback port) probes the emulator, time-scaled hard
 * (0.001: a 60 s cold start takes 60 ms), while a rotation injects a random fault every couple of
 * seconds through the emulator's control API. It runs GENPROBE_SOAK_CYCLES (default 1000) finished
 * probes, scrapes /metrics and /api/status as Prometheus and the status page would, polls /healthz
 * throughout, and samples RSS, heap and active handles. The curve goes to test-results/soak-curve.json.
 *
 * Flat means: the median of the last quarter of samples is within 60 MB RSS and 20 handles of the
 * median of the second quarter (the first quarter is warm-up: module loading, JIT, caches filling).
 *
 * Before each sample every heap is collected, the client thread's too (src/client/off-thread.ts):
 * its garbage, never collected by this thread's gc(), read as a creep of ~25 MB per 1 000 cycles
 * that a collection there removes. The rotation's first fault is the endless body (`oversized`): it
 * is the one that takes the process to its high-water mark (the cap's worth of read buffers on the
 * client thread, which glibc keeps for reuse: +25 MB once, later ones reuse it), so it lands in the
 * warm-up; drawn at random it came anywhere, and a first one in the last half read as 50–67 MB of
 * growth (a body cut at the cap was also kept whole then, src/client/body.ts).
 *
 * It runs under the runtime image's MALLOC_ARENA_MAX (deploy/Dockerfile; vitest.config.ts passes it to
 * the test processes). With glibc's default of 8 arenas a core, the client thread's arena keeps the
 * fragments of bodies it read and the main thread freed later: RSS climbed in steps (177 → ~270 MB,
 * spikes past 400 MB around an endless body) and the growth measured 21.7, 33.5 and 66.1 MB in three
 * runs, with the JS heaps of both threads flat. With 2 arenas: flat at ~200 MB, growth 5.3 MB.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createEmulator, FAULT_NAMES, type FaultName } from '../../src/emulator/index.ts';
import { collectClientThreadGarbage } from '../../src/client/off-thread.ts';
import { createProbeService, type ProbeService } from '../../src/probes/index.ts';
import { createServer, listen } from '../../src/server/app.ts';
import { runtimeEnv } from '../support/runtime-image.ts';

const CYCLES = Number(process.env.GENPROBE_SOAK_CYCLES ?? 1000);
const TIME_SCALE = 0.001;
/** The run must reach CYCLES within this (per 1000 cycles); a stall is a failure, not a slow pass. */
const WALL_MS_PER_1000 = 170_000;
const MAX_RSS_GROWTH_MB = 60;
const MAX_HANDLE_GROWTH = 20;
const SAMPLE_EVERY_MS = 1000;
const FAULT_EVERY_MS = 2000;
/** Apps the rotation picks a fault for (those the schedules below probe). */
const FAULT_APPS = ['ryla-flux', 'ryla-qwen-image', 'ryla-z-image', 'ryla-wan26', 'ryla-instantid'];
/** `slow-drip` trickles in real time; the deadline cuts it, which is still a fault, just a slow one to show. */
const ROTATED_FAULTS: FaultName[] = FAULT_NAMES.filter((f) => f !== 'slow-drip');
/** Injected first, in the warm-up: the fault that takes RSS to its high-water mark (see above). */
const HIGH_WATER_FAULT: FaultName = 'oversized';

/**
 * A full GC before each sample, so the curve shows memory the service retains, not how lazily V8
 * collects (heap grows until pressure, which looks like a leak and is not one).
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

interface Sample {
  iterations: number;
  time: number;
  rss: number;
  heapUsed: number;
  handles: number;
}

let emulator: { url: string; close(): Promise<void> };
let service: ProbeService;
let http: Awaited<ReturnType<typeof listen>>;
let probesFinished = 0;
let probesSkipped = 0;
const results = new Map<string, number>();

beforeAll(async () => {
  // The soak measures the process as the image runs it.
  const arenas = runtimeEnv().MALLOC_ARENA_MAX;
  if (!arenas) throw new Error('deploy/Dockerfile sets no MALLOC_ARENA_MAX; the soak measures the process as the image runs it');
  if (process.env.MALLOC_ARENA_MAX !== arenas) {
    throw new Error(`the soak needs MALLOC_ARENA_MAX=${arenas} from process start, as deploy/Dockerfile runs genprobe (vitest.config.ts sets it); got ${process.env.MALLOC_ARENA_MAX ?? 'unset'}`);
  }
  if (!Number.isInteger(CYCLES) || CYCLES < 100) throw new Error(`GENPROBE_SOAK_CYCLES must be an integer ≥ 100, got ${process.env.GENPROBE_SOAK_CYCLES}`);
  emulator = await createEmulator({ timeScale: TIME_SCALE, renderCacheBytes: 32 * 1024 * 1024 }).listen(0);
  const config = parseConfig({
    target: { url: `${emulator.url}/{app}`, timeScale: TIME_SCALE, overheadMs: 1500, maxBodyBytes: 32 * 1024 * 1024 },
    server: { host: '127.0.0.1', port: 0 },
    probes: {
      budget: { dailyUsd: 1e6, monthlyUsd: 1e7 },
      schedules: [
        { match: 'tag:cheap', cron: '* * * * * *', kind: 'health' },
        { match: 'loras', cron: '* * * * * *', kind: 'smoke' },
        { match: 'debug/test', cron: '* * * * * *', kind: 'smoke' },
        { match: 'flux', cron: '* * * * * *', kind: 'smoke' },
        { match: 'z-image-danrisi', cron: '*/2 * * * * *', kind: 'smoke' },
      ],
    },
  });
  // Exactly serve's wiring (src/cli/serve.ts), with a counting logger instead of stdout.
  service = await createProbeService({
    config,
    log: (line) => {
      if (line.event === 'probe') {
        probesFinished++;
        results.set(String(line.result), (results.get(String(line.result)) ?? 0) + 1);
      } else if (line.event === 'probe-skipped') probesSkipped++;
    },
    env: {},
  });
  const app = await createServer({ config, registry: service.metrics.registry, extraRegistries: [service.metrics.defaults], statusSource: service.status, env: {} });
  http = await listen(app, config.server.host, config.server.port);
});

afterAll(async () => {
  await service?.stop(true);
  await http?.close();
  await emulator?.close();
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

async function control(method: string, p: string, body?: unknown): Promise<void> {
  const res = await fetch(`${emulator.url}/__emulator${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`emulator ${method} ${p} answered ${res.status}`);
}

describe(`soak: ${CYCLES} probe cycles of the serve wiring against a faulty emulator`, () => {
  it(
    'RSS and handles stay flat, /healthz answers throughout, /metrics and /api/status keep serving',
    async () => {
      const curve: Sample[] = [];
      let clientThreadCollected = 0;
      const healthz = { ok: 0, failed: [] as string[] };
      const scrapes = { metrics: 0, status: 0, failed: [] as string[] };
      const faultsInjected = new Map<string, number>();
      const t0 = Date.now();
      const wallLimit = (WALL_MS_PER_1000 * CYCLES) / 1000;
      let stop = false;

      const pollHealthz = async () => {
        while (!stop) {
          try {
            const res = await fetch(`${http.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
            const body = (await res.json()) as { status?: string };
            if (res.status === 200 && body.status === 'ok') healthz.ok++;
            else healthz.failed.push(`${res.status} ${JSON.stringify(body)}`);
          } catch (err) {
            healthz.failed.push((err as Error).message);
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      const scrape = async () => {
        while (!stop) {
          for (const [name, p] of [['metrics', '/metrics'], ['status', '/api/status']] as const) {
            try {
              const res = await fetch(`${http.url}${p}`, { signal: AbortSignal.timeout(10_000) });
              const text = await res.text();
              if (res.status !== 200) scrapes.failed.push(`${p} ${res.status}`);
              else if (name === 'metrics' && !text.includes('genprobe_probes_total')) scrapes.failed.push('/metrics without genprobe_probes_total');
              else if (name === 'status' && !Array.isArray((JSON.parse(text) as { endpoints?: unknown }).endpoints)) scrapes.failed.push('/api/status without endpoints');
              else scrapes[name]++;
            } catch (err) {
              scrapes.failed.push(`${p}: ${(err as Error).message}`);
            }
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      const rotateFaults = async () => {
        while (!stop) {
          await control('DELETE', '/faults');
          const fault = faultsInjected.size === 0 ? HIGH_WATER_FAULT : ROTATED_FAULTS[Math.floor(Math.random() * ROTATED_FAULTS.length)];
          const app = FAULT_APPS[Math.floor(Math.random() * FAULT_APPS.length)];
          await control('POST', '/faults', { match: { app }, fault, times: 3 });
          faultsInjected.set(fault, (faultsInjected.get(fault) ?? 0) + 1);
          // Now and then every app goes cold, as after a quiet night.
          if (Math.random() < 0.2) await control('POST', '/scale-down', {});
          await new Promise((r) => setTimeout(r, FAULT_EVERY_MS));
        }
      };

      service.start();
      const background = [pollHealthz(), scrape(), rotateFaults()];
      try {
        while (probesFinished < CYCLES) {
          if (Date.now() - t0 > wallLimit) throw new Error(`only ${probesFinished} of ${CYCLES} probes finished in ${wallLimit} ms`);
          await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
          collectGarbage();
          clientThreadCollected += Number(await collectClientThreadGarbage());
          const m = process.memoryUsage();
          curve.push({ iterations: probesFinished, time: Date.now() - t0, rss: m.rss, heapUsed: m.heapUsed, handles: process.getActiveResourcesInfo().length });
        }
      } finally {
        stop = true;
        await service.scheduler.stop(true);
        await Promise.allSettled(background);
      }

      mkdirSync('test-results', { recursive: true });
      const out = path.join('test-results', 'soak-curve.json');
      writeFileSync(
        out,
        `${JSON.stringify({ cycles: probesFinished, skipped: probesSkipped, results: Object.fromEntries(results), timeScale: TIME_SCALE, faultsInjected: Object.fromEntries(faultsInjected), healthz, scrapes: { metrics: scrapes.metrics, status: scrapes.status, failed: scrapes.failed.length }, samples: curve }, null, 1)}\n`,
      );

      const q = Math.floor(curve.length / 4);
      const second = curve.slice(q, 2 * q);
      const last = curve.slice(3 * q);
      const rssGrowthMb = (median(last.map((s) => s.rss)) - median(second.map((s) => s.rss))) / 2 ** 20;
      const handleGrowth = median(last.map((s) => s.handles)) - median(second.map((s) => s.handles));
      const summary = `${probesFinished} probes (${JSON.stringify(Object.fromEntries(results))}), ${probesSkipped} skipped, ${faultsInjected.size} fault kinds injected, RSS Δ ${rssGrowthMb.toFixed(1)} MB, handles Δ ${handleGrowth}, healthz ${healthz.ok} ok; curve in ${out}`;
      console.log(`soak: ${summary}`);

      expect(curve.length, 'samples').toBeGreaterThanOrEqual(8);
      // The client thread runs from the first probe on: every sample but the first few collected it.
      expect(clientThreadCollected, 'samples after a collection on the client thread').toBeGreaterThanOrEqual(curve.length - 3);
      expect(healthz.failed, 'failed /healthz polls').toEqual([]);
      expect(healthz.ok).toBeGreaterThan(10);
      expect(scrapes.failed, 'failed scrapes').toEqual([]);
      expect(scrapes.metrics).toBeGreaterThan(5);
      // Faults really were hit and found, and healthy probes still passed alongside them.
      expect(results.get('fail') ?? 0).toBeGreaterThan(0);
      expect(results.get('pass') ?? 0).toBeGreaterThan(CYCLES / 4);
      expect(rssGrowthMb, summary).toBeLessThan(MAX_RSS_GROWTH_MB);
      expect(handleGrowth, summary).toBeLessThanOrEqual(MAX_HANDLE_GROWTH);
    },
    (WALL_MS_PER_1000 * CYCLES) / 1000 + 60_000,
  );
});

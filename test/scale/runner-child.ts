/**
 * One probe runner of the scale test, as its own process (so it can be killed mid-probe): the real
 * probe service with coordination through PostgreSQL, its /metrics on loopback, and a schedule
 * driven by a time-scaled clock — every runner fires cycle c at startAt + c × cycleMs, the slot
 * key every runner computes alike (cron cannot fire faster than once a second).
 * Argument: JSON { name, region, emulatorUrl, only, dailyUsd, cycleMs, cycles, startAt }.
 */
import { parseConfig } from '../../src/config/index.ts';
import { createProbeService } from '../../src/probes/service.ts';
import { createServer, listen } from '../../src/server/app.ts';

const a = JSON.parse(process.argv[2]) as { name: string; region: string; emulatorUrl: string; only: string[]; dailyUsd: number; cycleMs: number; cycles: number; startAt: number };
const log = (l: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ runner: a.name, ...l })}\n`);

const config = parseConfig({
  target: { url: `${a.emulatorUrl}/{app}`, timeScale: 0.01, overheadMs: 1500 },
  server: { host: '127.0.0.1', port: 0 },
  runner: { name: a.name, region: a.region },
  coordination: { pollMs: 20 },
  probes: { warmUp: false, budget: { dailyUsd: a.dailyUsd, monthlyUsd: a.dailyUsd * 30 }, schedules: a.only.map((id) => ({ match: id, cron: '0 0 1 1 *', kind: 'smoke' as const })) },
});
const service = await createProbeService({ config, log, env: process.env, defaultMetrics: true });
const app = await createServer({ config, registry: service.metrics.registry, extraRegistries: [service.metrics.defaults], statusSource: service.status, env: {} });
const http = await listen(app, '127.0.0.1', 0);
log({ event: 'listening', url: http.url });

const running: Promise<unknown>[] = [];
for (let c = 0; c < a.cycles; c++) {
  const wait = a.startAt + c * a.cycleMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  for (let i = 0; i < a.only.length; i++) running.push(service.scheduler.runNow(i, { slot: `cycle-${c}`, patienceMs: a.cycleMs * 20 }));
}
await Promise.all(running);
log({ event: 'cycles-done' });
process.on('SIGTERM', () => {
  void service.stop(false).then(() => http.close()).then(() => process.exit(0));
});

/**
 * Issue 13.3: hung apps must not starve every probe. Two apps answer every call with an endless
 * 303 chain (the emulator's slow fault: a 303 every 150 s until the 1800 s function timeout) and
 * their probes are held to a long deadline; a
 * healthy app's probe must still be sent and judged at once, not after a hung call gives up. Waits
 * for a slot have a patience (the queued hung probes are skipped as queue-timeout) and show in
 * /metrics as genprobe_slot_wait_seconds.
 *
 * No wall-clock race: the assertion is structural — the healthy probe finished while every call
 * the hung apps were sent was still in flight (they can only end at their 1500 s deadline, 7.5 s
 * here), which is impossible when the hung calls hold every global slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, getEndpoint } from '../../src/catalog/index.ts';
import { ModalClient } from '../../src/client/index.ts';
import type { CallRequest } from '../../src/client/modal-client.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createProbeService, type ProbeService } from '../../src/probes/service.ts';
import type { ProbeOutcome } from '../../src/probes/status.ts';
import { sample, startEmulator, waitFor } from './helpers.ts';

const TIME_SCALE = 0.005;

const HUNG_APPS = ['ryla-flux', 'ryla-qwen-image'] as const;
const hung = CATALOG.filter((e) => e.lifecycle === 'live' && (HUNG_APPS as readonly string[]).includes(e.app));
const healthy = getEndpoint('z-image-danrisi');

let emu: Awaited<ReturnType<typeof startEmulator>>;
let service: ProbeService;
/** Calls genprobe sent to the hung apps that have returned, whatever their answer. */
const endedHungCalls: string[] = [];

beforeAll(async () => {
  emu = await startEmulator(TIME_SCALE);
  for (const app of HUNG_APPS) await emu.control('/faults', { match: { app }, fault: 'slow' });
  const config = parseConfig({
    target: { url: `${emu.url}/{app}`, timeScale: TIME_SCALE, overheadMs: 1500 },
    probes: { warmUp: false, schedules: [] },
    // A hung call holds its slot for its whole deadline: 1500 s of fleet time, 7.5 s here.
    endpoints: Object.fromEntries(hung.map((e) => [e.id, { deadlineSec: 1500 }])),
  });
  const real = ModalClient.forTarget(config.target);
  const client = new Proxy(real, {
    get(target, prop) {
      if (prop === 'call') {
        return async (req: CallRequest) => {
          const r = await target.call(req);
          if ((HUNG_APPS as readonly string[]).includes(req.app)) endedHungCalls.push(`${req.app}${req.path}`);
          return r;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  service = await createProbeService({ config, client, log: () => undefined, defaultMetrics: false });
  await fetch(`${emu.url}/ryla-z-image/health`); // the healthy app is warm, as a fleet in use is
});
afterAll(async () => {
  await emu?.close(); // ends the hung calls (connection closed) so nothing outlives the test
});

describe('two apps hang', () => {
  it('a healthy app is still probed at once; the hung apps hold only their own slots', async () => {
    const { runner } = service;
    // Today's global cap of 8 against 14 hung probes: every slot would be taken by hung calls.
    expect(service.config.gate.concurrency).toBe(8);
    const settled: ProbeOutcome[] = [];
    for (const e of hung) void runner.probe(e, 'smoke', { patienceMs: 2000 }).then((o) => settled.push(o));
    // Each hung app has its call in flight (an endless 303 chain) before the healthy probe starts.
    await waitFor('a call in flight on each hung app', async () => {
      const state = await emu.control('/state');
      return HUNG_APPS.every((app) => state.calls.some((c: { app: string }) => c.app === app));
    });

    const outcome = await runner.probe(healthy, 'smoke');
    expect(endedHungCalls).toEqual([]);
    expect(outcome.result).toBe('pass');
    expect(outcome.latencyVerdict).toBe('ok');

    // The hung apps' other probes waited for their app's slot and gave up after their patience,
    // unsent, as queue-timeout skips; the waits are in /metrics per app.
    // The first probe of each app holds its slot; every other one gives up after its patience.
    await waitFor('the queued hung probes to give up', async () => settled.length >= hung.length - HUNG_APPS.length, 6000, 100);
    const text = await service.metrics.exposition();
    for (const app of HUNG_APPS) {
      const count = sample(text, 'genprobe_slot_wait_seconds_count', { app }) ?? 0;
      expect(count, app).toBeGreaterThan(0);
      expect(sample(text, 'genprobe_slot_wait_seconds_sum', { app })!, app).toBeGreaterThan(1.5 * (count - 1));
    }
    expect(sample(text, 'genprobe_slot_wait_seconds_count', { app: healthy.app })).toBe(1);
    expect(sample(text, 'genprobe_slot_wait_seconds_bucket', { app: healthy.app, le: '0.5' })).toBe(1);
    expect(settled.map((o) => o.skip?.reason)).toEqual(settled.map(() => 'queue-timeout'));
    expect(endedHungCalls).toEqual([]);
    expect(sample(text, 'genprobe_probes_skipped_total', { endpoint: settled[0].endpoint, reason: 'queue-timeout' })).toBe(1);
    // Nothing was sent for a skipped probe: each hung app got exactly one call.
    const state = await emu.control('/state');
    for (const app of HUNG_APPS) expect(state.calls.filter((c: { app: string }) => c.app === app).length, app).toBe(1);
  }, 60_000);
});

/**
 * Issue 19.2: the gate's own load must not make a healthy fleet fail. The emulator runs as the
 * fleet does — one job at a time per container, up to max_inputs requests queued on it, another
 * container only when every one holds max_inputs, cold starts inside the 150 s limit — and the
 * budgets are at a time scale where queueing matters: 0.05 with 2 s of local slack for the
 * emulator's own unscaled work (ffprobe of input videos, encoding): a 160 s /wan2.6-i2v-faceswap is
 * 8 s, the warm budget of /wan2.6-i2v 2.6 s + 2 s and its deadline 11.25 s + 2 s, so a call queued
 * behind it is degraded, and behind it and a neighbour timed out.
 *
 * The video routes of ryla-wan26 (five endpoints on one app) and ryla-qwen-image are gated:
 *  - healthy: nothing fails, nothing is degraded, and no generation call ever queued inside a
 *    container (genprobe kept one call per warm container; its own waits are reported as queueMs);
 *  - a real slowdown of /wan2.6-i2v (its generation takes 4× as long, every call) degrades exactly
 *    that endpoint.
 * One unmeasured run first fills the emulator's render cache: its local sharp/ffmpeg encoding is
 * not time-scaled and is not what is being judged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type GenprobeConfig } from '../../src/config/index.ts';
import { startEmulatorProcess, type EmulatorProcess } from '../../src/emulator/process.ts';
import { runGate } from '../../src/runner/gate.ts';
import type { GateReport } from '../../src/report/types.ts';

const TIME_SCALE = 0.05;
const SLACK_MS = 2000;
const VIDEO_ROUTES = ['wan2.6', 'wan2.6-r2v', 'wan2.6-i2v', 'wan2.6-i2v-faceswap', 'wan2.6-lora', 'video-faceswap', 'batch-video-faceswap'];

interface CallRecord {
  app: string;
  path: string;
  method: string;
  container: number;
  queueMs: number;
}

let emu: EmulatorProcess;
let config: GenprobeConfig;

async function control<T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${emu.url}/__emulator${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A gate of the video routes on a cold fleet (every app scaled to zero, no calls recorded). */
async function gate(): Promise<{ report: GateReport; calls: CallRecord[] }> {
  await control('/reset', {});
  const { report } = await runGate({ config, only: VIDEO_ROUTES });
  const { calls } = await control<{ calls: CallRecord[] }>('/state');
  return { report, calls };
}

const latencyOf = (r: GateReport, id: string) => r.endpoints.find((e) => e.id === id)!.cases.find((c) => c.kind === 'happy')!.checks.find((c) => c.check === 'latency')!;

beforeAll(async () => {
  emu = await startEmulatorProcess({ timeScale: TIME_SCALE, args: ['--seed', '3'] });
  const state = await control<{ serialContainers: boolean }>('/state');
  expect(state.serialContainers).toBe(true); // the default: the fleet as built
  // Priming run with room for the emulator's first renders.
  config = parseConfig({ target: { url: `${emu.url}/{app}`, timeScale: TIME_SCALE, overheadMs: 30_000 } });
  await runGate({ config, only: VIDEO_ROUTES });
  config = parseConfig({ target: { url: `${emu.url}/{app}`, timeScale: TIME_SCALE, overheadMs: SLACK_MS } });
}, 180_000);
afterAll(async () => {
  await emu?.close();
});

describe('gate on a fleet whose containers run one job at a time', () => {
  it('fails and degrades nothing healthy: its calls never queue on a container', async () => {
    const { report, calls } = await gate();
    const judged = report.endpoints.map((e) => ({ id: e.id, verdict: e.verdict, unwaived: e.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip' && !c.waived).map((c) => `${c.case} › ${c.check}: ${c.message}`) }));
    expect(judged.filter((e) => e.unwaived.length > 0)).toEqual([]);
    for (const id of VIDEO_ROUTES) expect(latencyOf(report, id).verdict, id).toBe('pass');
    // Generation calls and error cases found their container idle: genprobe stacked nothing.
    const generation = calls.filter((c) => c.path !== '/health');
    expect(generation.length).toBeGreaterThan(VIDEO_ROUTES.length);
    expect(generation.filter((c) => c.queueMs > 5).map((c) => `${c.app}${c.path} queued ${Math.round(c.queueMs)} ms on container ${c.container}`)).toEqual([]);
    // ryla-wan26's five chains (160 s + 4 × 35–47 s) need more than one container to end within the slowest one.
    expect(new Set(generation.filter((c) => c.app === 'ryla-wan26').map((c) => c.container)).size).toBeGreaterThan(1);
    // genprobe's own wait for a lane is reported apart from the latency it judged.
    const cases = report.endpoints.flatMap((e) => e.cases);
    expect(cases.every((c) => typeof c.queueMs === 'number')).toBe(true);
    expect(cases.some((c) => c.queueMs! > 0)).toBe(true);
  }, 120_000);

  it('a real slowdown of /wan2.6-i2v degrades exactly that endpoint', async () => {
    await control('/reset', {});
    await control('/slowdown', { app: 'ryla-wan26', path: '/wan2.6-i2v', factor: 4 });
    const { report } = await runGate({ config, only: VIDEO_ROUTES });
    const slowed = latencyOf(report, 'wan2.6-i2v');
    expect(slowed.verdict, slowed.message).toBe('warn');
    expect(slowed.message).toMatch(/degraded/);
    for (const id of VIDEO_ROUTES.filter((x) => x !== 'wan2.6-i2v')) expect(latencyOf(report, id).verdict, `${id}: ${latencyOf(report, id).message}`).toBe('pass');
    expect(report.endpoints.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual([]);
  }, 120_000);
});

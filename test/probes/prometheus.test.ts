/**
 * The real binaries end to end: `genprobe serve --emulator` scraped by a real Debian Prometheus,
 * and `genprobe probe --once --emulator` pushing to a real prometheus-pushgateway; both queried
 * over their HTTP APIs. A missing binary fails the test (the project's setup installs them).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { instantQuery, startPrometheus, type InstantVectorSample, type RunningPrometheus } from '../support/prometheus.ts';
import { freePort, getText, sample, spawnChild, waitFor, type Child } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/genprobe.mjs');
const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'genprobe-probes-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function genprobe(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawnChild(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  cleanup.push(() => child.stop());
  return child;
}

describe('Prometheus scraping genprobe serve', () => {
  it('scrapes genprobe_probe_success from scheduled probes of the emulator', async () => {
    const dir = await tempDir();
    const configFile = path.join(dir, 'genprobe.config.mjs');
    await writeFile(
      configFile,
      `export default ${JSON.stringify({
        probes: { schedules: [{ match: 'flux', cron: '*/2 * * * * *', kind: 'smoke' }], budget: { dailyUsd: 50, monthlyUsd: 500 } },
        server: { host: '127.0.0.1', port: 0 },
      })};\n`,
    );
    const serve = genprobe(['serve', '--emulator', '--time-scale', '0.01', '--config', configFile, '--no-face']);
    const listening = await waitFor('genprobe serve to listen', async () => {
      if (serve.proc.exitCode !== null) throw new Error(`genprobe serve exited ${serve.proc.exitCode}: ${serve.stderr()}`);
      return serve.lines.find((l) => l.event === 'listening');
    });
    const url = String(listening.url);
    expect((await getText(`${url}/healthz`)).status).toBe(200);

    const prom: RunningPrometheus = await startPrometheus({ scrapeTargets: [`${url}/metrics`], scrapeIntervalSec: 1 });
    cleanup.push(() => prom.stop());

    const result = await waitFor(
      'Prometheus to hold genprobe_probe_success for flux',
      async () => {
        const r = await instantQuery(prom.url, 'genprobe_probe_success{endpoint="flux",kind="smoke"}');
        const v = (r.data?.result ?? []) as InstantVectorSample[];
        return v.length > 0 && v;
      },
      60_000,
      500,
    );
    expect(result[0].metric).toMatchObject({ endpoint: 'flux', app: 'ryla-flux', gpu: 'L40S', kind: 'smoke' });
    expect(result[0].value[1]).toBe('1');
    const up = await instantQuery(prom.url, 'up');
    expect(((up.data?.result ?? []) as InstantVectorSample[]).map((s) => s.value[1])).toEqual(['1']);
    // The probe log is one JSON line per probe, without the target's secrets or internals.
    const probeLine = serve.lines.find((l) => l.event === 'probe');
    expect(probeLine).toMatchObject({ endpoint: 'flux', kind: 'smoke' });

    await serve.stop();
    expect(serve.proc.exitCode).toBe(0);
    expect(serve.lines.some((l) => l.event === 'stopping')).toBe(true);
  });
});

describe('Pushgateway receiving genprobe probe --once', () => {
  it('pushes the run under its job and grouping key and exits with the gate codes', async () => {
    const port = await freePort();
    const gw = spawnChild(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn']);
    cleanup.push(() => gw.stop());
    const gwUrl = `http://127.0.0.1:${port}`;
    await waitFor('the Pushgateway to be ready', async () => {
      if (gw.proc.exitCode !== null) throw new Error(`pushgateway exited ${gw.proc.exitCode}: ${gw.stderr()}`);
      return (await getText(`${gwUrl}/-/ready`)).status === 200;
    });

    const ok = genprobe(['probe', '--once', '--only', 'flux', '--kind', 'smoke', '--emulator', '--no-face', '--pushgateway', gwUrl, '--job', 'genprobe-cron', '--grouping', 'env=test,region=local', '--every', '15m']);
    expect(await ok.exited, ok.stderr()).toBe(0);
    expect(ok.lines.find((l) => l.event === 'summary')).toMatchObject({ probes: 1, passed: 1, failed: 0 });

    const { text } = await getText(`${gwUrl}/metrics`);
    expect(sample(text, 'genprobe_probe_success', { job: 'genprobe-cron', env: 'test', region: 'local', endpoint: 'flux', kind: 'smoke' })).toBe(1);
    expect(sample(text, 'genprobe_last_success_timestamp_seconds', { job: 'genprobe-cron', env: 'test', endpoint: 'flux' })).toBeGreaterThan(0);
    expect(sample(text, 'push_time_seconds', { job: 'genprobe-cron', env: 'test', region: 'local' })).toBeGreaterThan(0);
    // The one-shot heartbeat and its interval, for GenprobeHeartbeatMissing; the state of the probed endpoint.
    expect(sample(text, 'genprobe_last_cycle_timestamp_seconds', { job: 'genprobe-cron', env: 'test', schedule: 'once', kind: 'smoke' })).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(sample(text, 'genprobe_cycle_interval_seconds', { job: 'genprobe-cron', env: 'test', schedule: 'once', kind: 'smoke' })).toBe(900);
    expect(sample(text, 'genprobe_endpoint_state', { job: 'genprobe-cron', env: 'test', endpoint: 'flux', state: 'up' })).toBe(1);
    // One-shot pushes carry only genprobe_* series, no process metrics of a short-lived job.
    expect(text).not.toMatch(/^process_cpu_user_seconds_total\{[^}]*job="genprobe-cron"/m);

    const api = JSON.parse((await getText(`${gwUrl}/api/v1/metrics`)).text) as { data: { labels: Record<string, string> }[] };
    expect(api.data.map((g) => g.labels)).toContainEqual({ job: 'genprobe-cron', env: 'test', region: 'local' });

    // A failing contract exits 1 and is pushed as such (replacing the group's previous values).
    const bad = genprobe(['probe', '--once', '--only', 'flux', '--emulator', '--no-face', '--fault', 'wrong-dims', '--pushgateway', gwUrl, '--job', 'genprobe-cron', '--grouping', 'env=test,region=local']);
    expect(await bad.exited, bad.stderr()).toBe(1);
    const after = (await getText(`${gwUrl}/metrics`)).text;
    expect(sample(after, 'genprobe_probe_success', { job: 'genprobe-cron', env: 'test', endpoint: 'flux', kind: 'smoke' })).toBe(0);
    expect(sample(after, 'genprobe_check_failures_total', { job: 'genprobe-cron', env: 'test', endpoint: 'flux', check: 'image-size' })).toBe(1);

    // Tool and config errors exit 2.
    const noOnce = genprobe(['probe', '--only', 'flux']);
    expect(await noOnce.exited).toBe(2);
    expect(noOnce.stderr()).toMatch(/--once/);
  });
});

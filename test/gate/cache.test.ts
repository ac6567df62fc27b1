/**
 * `gate --cache`, `--retry-failed`, `--resume` against the emulator, counted with its call records:
 * a cached second gate makes no call at all (not even a warm-up), an error is never cached and is
 * asked again, CI refuses the cache, and the journal reruns exactly what failed or was left.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../probes/helpers.ts';
import { genprobe, ROOT } from './helpers.ts';

let emu: Awaited<ReturnType<typeof startEmulator>>;
const dirs: string[] = [];

beforeAll(async () => {
  emu = await startEmulator(0.01);
});
afterAll(async () => {
  await emu?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh working directory (its own .genprobe state) with a config for the emulator. */
function workdir(): { cwd: string; config: string } {
  const cwd = mkdtempSync(path.join(tmpdir(), 'genprobe-cache-'));
  dirs.push(cwd);
  const config = path.join(cwd, 'genprobe.config.mjs');
  writeFileSync(config, `export default ${JSON.stringify({ target: { timeScale: 0.01, overheadMs: 45_000 }, gate: { waivers: path.join(ROOT, 'waivers.yaml') } })};\n`);
  return { cwd, config };
}

async function gate(w: { cwd: string; config: string }, args: string[], env: Record<string, string> = { CI: '' }) {
  await emu.control('/reset', {});
  return genprobe(['gate', '--target', `${emu.url}/{app}`, '--config', w.config, '--no-face', ...args], { cwd: w.cwd, env });
}

const calls = async () => (await emu.control('/state')).calls as { app: string; path: string; status: number | null }[];

describe('gate --cache', () => {
  it('a cached second gate makes no endpoint call, not even a warm-up', async () => {
    const w = workdir();
    const first = await gate(w, ['--cache', '--only', 'flux']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect((await calls()).filter((c) => c.path === '/flux').length).toBeGreaterThan(0);
    const json = path.join(w.cwd, 'second.json');
    const second = await gate(w, ['--cache', '--only', 'flux', '--report', `json=${json}`]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(await calls()).toEqual([]);
    expect(second.stdout).toMatch(/flux .*\(cached \d{4}-\d\d-\d\dT/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.endpoints[0]).toMatchObject({ id: 'flux', verdict: expect.stringMatching(/pass|waived/), cached: { key: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    // Without --cache the same gate calls the fleet again.
    const uncached = await gate(w, ['--only', 'flux']);
    expect(uncached.code).toBe(0);
    expect((await calls()).filter((c) => c.path === '/flux').length).toBeGreaterThan(0);
  }, 240_000);

  it('an error result is not cached: the next gate asks again, and only then caches', async () => {
    const w = workdir();
    await emu.control('/reset', {});
    await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'app-5xx', times: 1 });
    const failed = await genprobe(['gate', '--target', `${emu.url}/{app}`, '--config', w.config, '--no-face', '--cache', '--only', 'flux'], { cwd: w.cwd, env: { CI: '' } });
    expect(failed.code, failed.stdout).toBe(1);
    const rerun = await gate(w, ['--cache', '--only', 'flux']);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).not.toMatch(/\(cached/);
    expect((await calls()).filter((c) => c.path === '/flux').length).toBeGreaterThan(0);
    const third = await gate(w, ['--cache', '--only', 'flux']);
    expect(third.stdout, rerun.stdout + third.stdout + JSON.stringify(readdirSync(path.join(w.cwd, '.genprobe', 'cache')))).toMatch(/\(cached/);
    expect(await calls()).toEqual([]);
  }, 240_000);

  it('is refused with CI=true unless forced, and --force-cache alone is an error', async () => {
    const w = workdir();
    const ci = await gate(w, ['--cache', '--only', 'flux'], { CI: 'true' });
    expect(ci.code).toBe(2);
    expect(ci.stderr).toMatch(/--cache is refused with CI=true/);
    const forced = await gate(w, ['--cache', '--force-cache', '--only', 'flux'], { CI: 'true' });
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    const alone = await gate(w, ['--force-cache', '--only', 'flux']);
    expect(alone.code).toBe(2);
    const golden = await gate(w, ['--cache', '--update-golden', '--only', 'flux']);
    expect(golden.code).toBe(2);
    expect(golden.stderr).toMatch(/--update-golden needs fresh outputs/);
  }, 240_000);
});

const WARM_UP_PATHS = new Set(['/health', '/openapi.json']);

describe('gate --retry-failed and --resume', () => {
  it('--retry-failed runs only the last run\'s failures; --resume runs only what an interrupted run left', async () => {
    const w = workdir();
    expect((await gate(w, ['--retry-failed'])).stderr).toMatch(/no previous gate run is recorded/);
    await emu.control('/reset', {});
    await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'wrong-dims', times: 1 });
    const first = await genprobe(['gate', '--target', `${emu.url}/{app}`, '--config', w.config, '--no-face', '--only', 'flux,flux-dev'], { cwd: w.cwd, env: { CI: '' } });
    expect(first.code, first.stdout).toBe(1);

    const retry = await gate(w, ['--retry-failed']);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    // Warm-up calls (/health, then the route list /openapi.json) aside: the endpoints called.
    const retried = new Set((await calls()).filter((c) => !WARM_UP_PATHS.has(c.path)).map((c) => c.path));
    expect(retried).toEqual(new Set(['/flux']));
    expect(retry.stdout).toMatch(/of 1 endpoints/);

    // An interrupted run of flux and flux-dev that finished only flux.
    const journalFile = path.join(w.cwd, '.genprobe', 'last-run.json');
    const full = await gate(w, ['--only', 'flux,flux-dev']);
    expect(full.code).toBe(0);
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    expect(journal.complete).toBe(true);
    writeFileSync(journalFile, JSON.stringify({ ...journal, complete: false, endpoints: journal.endpoints.filter((e: { id: string }) => e.id === 'flux') }));
    const json = path.join(w.cwd, 'resumed.json');
    const resumed = await gate(w, ['--resume', '--report', `json=${json}`]);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(new Set((await calls()).filter((c) => !WARM_UP_PATHS.has(c.path)).map((c) => c.path))).toEqual(new Set(['/flux-dev']));
    expect(JSON.parse(readFileSync(json, 'utf8')).endpoints.map((e: { id: string }) => e.id).sort()).toEqual(['flux', 'flux-dev']);
    expect(JSON.parse(readFileSync(journalFile, 'utf8')).complete).toBe(true);
    expect((await gate(w, ['--resume'])).stderr).toMatch(/the last gate run finished: nothing to resume/);
    expect((await gate(w, ['--resume', '--only', 'flux'])).stderr).toMatch(/drop --only\/--tag/);
  }, 300_000);
});

/**
 * `genprobe gate --repeat 30` against the emulator with a fault on one call in three (a control-API
 * rule with `every: 3`): the pass rate is within ±0.15 of 0.67 and pass^30 is the rate to the 30th;
 * --min-pass-rate decides the verdict and the exit code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../probes/helpers.ts';
import { genprobe } from './helpers.ts';

let emu: Awaited<ReturnType<typeof startEmulator>>;
let dir: string;
let config: string;

beforeAll(async () => {
  emu = await startEmulator(0.01);
  dir = mkdtempSync(path.join(tmpdir(), 'genprobe-repeat-'));
  config = path.join(dir, 'genprobe.config.mjs');
  // Happy paths only, so that every call to /flux is one run's call and "1 in 3" is one run in three.
  writeFileSync(config, `export default ${JSON.stringify({ target: { timeScale: 0.01, overheadMs: 45_000 }, gate: { negativeCases: false, waivers: path.resolve('waivers.yaml') } })};\n`);
});
afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function gateWithFault(extra: string[], json: string) {
  await emu.control('/reset', {});
  await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'app-5xx', every: 3 });
  const run = await genprobe(['gate', '--target', `${emu.url}/{app}`, '--config', config, '--only', 'flux', '--no-face', '--repeat', '30', ...extra, '--report', `json=${json}`]);
  const calls = (await emu.control('/state')).calls.filter((c: { path: string }) => c.path === '/flux');
  return { run, calls, report: JSON.parse(readFileSync(json, 'utf8')) };
}

describe('gate --repeat', () => {
  it('30 runs with a fault on one call in three: pass rate ≈ 0.67, pass^30 = rate^30, failing without --min-pass-rate', async () => {
    const { run, calls, report } = await gateWithFault([], path.join(dir, 'all.json'));
    const flux = report.endpoints.find((e: { id: string }) => e.id === 'flux');
    expect(calls).toHaveLength(30);
    expect(calls.filter((c: { faults: string[] }) => c.faults.includes('app-5xx'))).toHaveLength(10);
    expect(Math.abs(flux.repeat.passRate - 0.67)).toBeLessThanOrEqual(0.15);
    expect(flux.repeat).toMatchObject({ runs: 30, passed: 20, minPassRate: 1 });
    expect(flux.repeat.passK).toBeCloseTo((20 / 30) ** 30, 12);
    // A different seed each run, the catalog's fixed seed first.
    expect(flux.repeat.seeds).toEqual(Array.from({ length: 30 }, (_, i) => 42 + i));
    expect(flux.verdict).toBe('fail');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/20\/30 runs passed \(pass rate 0\.67, pass\^30 5\.2e-6, min 1\.00\)/);
  }, 300_000);

  it('--min-pass-rate 0.6 passes the same endpoint; 0.8 fails it', async () => {
    const lenient = await gateWithFault(['--min-pass-rate', '0.6'], path.join(dir, 'lenient.json'));
    expect(lenient.run.code, lenient.run.stdout + lenient.run.stderr).toBe(0);
    expect(lenient.report.endpoints[0].verdict).not.toBe('fail');
    expect(lenient.report.endpoints[0].repeat.passed).toBe(20);
    const strict = await gateWithFault(['--min-pass-rate', '0.8'], path.join(dir, 'strict.json'));
    expect(strict.run.code).toBe(1);
    expect(strict.report.endpoints[0].verdict).toBe('fail');
  }, 300_000);

  it('bad --repeat / --min-pass-rate values are exit 2 with the reason', async () => {
    const [zero, rate, alone] = await Promise.all([
      genprobe(['gate', '--emulator', '--only', 'flux', '--repeat', '0']),
      genprobe(['gate', '--emulator', '--only', 'flux', '--repeat', '3', '--min-pass-rate', '1.5']),
      genprobe(['gate', '--emulator', '--only', 'flux', '--min-pass-rate', '0.5']),
    ]);
    expect([zero.code, rate.code, alone.code]).toEqual([2, 2, 2]);
    expect(zero.stderr).toMatch(/--repeat must be an integer from 1 to 1000/);
    expect(rate.stderr).toMatch(/--min-pass-rate must be a number from 0 to 1/);
    expect(alone.stderr).toMatch(/--min-pass-rate needs --repeat/);
  }, 120_000);
});

/**
 * Traps for a new user (issue 19.4), through the real CLI: a config typo under `endpoints:` exits 2
 * naming the key and the nearest id; `--time-scale` applies to `--target` as it does to `--emulator`,
 * and the gate's first line says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';
import { genprobe } from './helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'genprobe-traps-'));
let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  server = await createEmulator({ timeScale: 0.01, seed: 5 }).listen(0);
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('new-user traps', () => {
  it('an unknown endpoint id under endpoints: exits 2 naming the key and the nearest real id', async () => {
    const config = path.join(dir, 'typo.config.mjs');
    writeFileSync(config, `export default { endpoints: { 'flux-dev-lorra': { request: { lora_id: 'alice' } } } };\n`);
    const run = await genprobe(['gate', '--config', config, '--only', 'flux', '--no-face'], { timeoutMs: 60_000 });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain('endpoints.flux-dev-lorra: unknown endpoint id "flux-dev-lorra"');
    expect(run.stderr).toContain('did you mean "flux-dev-lora"?');
  }, 60_000);

  it('--time-scale with --target scales the budgets, and the first line says so', async () => {
    const config = path.join(dir, 'scaled.config.mjs');
    // The emulator's own rendering is not time-scaled: give the budgets slack for a loaded box.
    writeFileSync(config, `export default { target: { overheadMs: 60000 } };\n`);
    const run = await genprobe(['gate', '--config', config, '--target', `${server.url}/{app}`, '--time-scale', '0.01', '--only', 'flux', '--no-face'], { timeoutMs: 120_000 });
    const first = run.stdout.split('\n')[0];
    expect(first).toBe(`genprobe gate → ${server.url}/{app} (time scale 0.01, from --time-scale: budgets and deadlines scaled for a time-scaled target)`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const bad = await genprobe(['gate', '--target', `${server.url}/{app}`, '--time-scale', 'fast', '--only', 'flux', '--no-face'], { timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--time-scale: "fast" must be a number in (0, 1]');
  }, 150_000);
});

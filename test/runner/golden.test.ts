import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { runGate } from '../../src/runner/gate.ts';

// Golden images: a fixed-seed output is stored once, later runs are compared with pixelmatch and a
// drift is a warning by default (a model or sampler change shows up without failing a deploy).
describe('golden drift', () => {
  let server: { url: string; close(): Promise<void> };
  const goldenDir = mkdtempSync(path.join(tmpdir(), 'genprobe-golden-'));
  beforeAll(async () => {
    server = await createEmulator({ timeScale: 0.001 }).listen(0);
  });
  afterAll(async () => server.close());

  const config = (seed: number, goldenDrift: 'warn' | 'fail' = 'warn') =>
    parseConfig({ target: { url: `${server.url}/{app}`, timeScale: 0.001, overheadMs: 30_000 }, gate: { goldenDir, goldenDrift, negativeCases: false }, endpoints: { flux: { request: { seed } } } });
  const drift = (r: Awaited<ReturnType<typeof runGate>>) => r.report.endpoints[0].checks.find((c) => c.check === 'golden-drift');

  it('stores, matches, and reports drift as a warning (or a failure when configured)', async () => {
    await runGate({ config: config(42), only: ['flux'], updateGolden: true, waivers: [] });
    expect(readdirSync(goldenDir)).toEqual(['flux.png']);

    const same = await runGate({ config: config(42), only: ['flux'], waivers: [] });
    expect(drift(same)?.verdict).toBe('pass');

    const other = await runGate({ config: config(7), only: ['flux'], waivers: [] });
    expect(drift(other)?.verdict).toBe('warn');
    expect(drift(other)?.message).toMatch(/drift|differ/i);

    const strict = await runGate({ config: config(7, 'fail'), only: ['flux'], waivers: [] });
    expect(drift(strict)?.verdict).toBe('fail');
  }, 120_000);
});

/**
 * Latency is judged once, in the runner: with the start type the caller classified from the
 * answered call when it has one (the probes), else with the one known before the call (the gate).
 * The probe runner used to re-judge the check afterwards and overwrite it in place.
 */
import { describe, expect, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import type { CallResult } from '../../src/client/types.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createRunContext } from '../../src/runner/context.ts';
import { runEndpoint } from '../../src/runner/run-endpoint.ts';
import { useEmulator } from '../support/emulator.ts';

describe('the latency check', () => {
  const emulator = useEmulator({ timeScale: 0.002, seed: 1 });
  const entry = getEndpoint('flux');
  const config = () => parseConfig({ target: { url: `${emulator.url}/{app}`, timeScale: 0.002, overheadMs: 30_000 }, gate: { negativeCases: false } });
  const latencyOf = (checks: { check: string; measured?: unknown }[]) => checks.find((c) => c.check === 'latency')?.measured as { start: string; ms: number } | undefined;

  it('uses the classification of the answered call, asked once for the happy path', async () => {
    const asked: CallResult[] = [];
    const run = await runEndpoint(entry, createRunContext(config(), { startTypeFor: () => 'warm', classifyStart: (_e, call) => (asked.push(call), 'cold') }));
    const happy = run.report.cases.find((c) => c.kind === 'happy')!;
    expect(asked).toHaveLength(1);
    expect(asked[0]!.totalMs).toBe(happy.latencyMs);
    expect(latencyOf(happy.checks)?.start).toBe('cold');
  });

  it('falls back to the start type known before the call', async () => {
    const run = await runEndpoint(entry, createRunContext(config(), { startTypeFor: () => 'warm' }));
    expect(latencyOf(run.report.cases.find((c) => c.kind === 'happy')!.checks)?.start).toBe('warm');
  });
});

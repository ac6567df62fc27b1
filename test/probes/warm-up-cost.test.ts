/**
 * Issue 13.2 on the probes' warm-ups: a /health answer with an implausible X-Cost-USD is charged
 * only what its wall time allows and is reported as a cost-headers finding, as the runner reports
 * it for a contract call — it must neither move the budget nor pass unseen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_PRICE_USD_PER_SEC, getEndpoint } from '../../src/catalog/index.ts';
import { ModalClient, type CallRequest } from '../../src/client/index.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { Budget } from '../../src/probes/budget.ts';
import { createProbeMetrics } from '../../src/probes/metrics.ts';
import { ProbeRunner } from '../../src/probes/probe-runner.ts';

const TIME_SCALE = 0.01;

/** Answers every /health with a header that claims $99 999 of GPU time. */
class LyingHealth extends ModalClient {
  override async call(req: CallRequest) {
    const r = await super.call(req);
    return req.path === '/health' ? { ...r, headers: { ...r.headers, 'x-cost-usd': '99999.000000' } } : r;
  }
}

let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  server = await createEmulator({ timeScale: TIME_SCALE, seed: 3 }).listen(0);
});
afterAll(() => server?.close());

function runnerFor(kind: 'health' | 'smoke') {
  const config = parseConfig({ target: { url: `${server.url}/{app}`, timeScale: TIME_SCALE, overheadMs: 5000 }, probes: { warmUp: true, budget: { dailyUsd: 50, monthlyUsd: 500 } } });
  const budget = new Budget({ dailyUsd: 50, monthlyUsd: 500 });
  const entry = getEndpoint('flux');
  const metrics = createProbeMetrics({ entries: [entry], version: 'test', timeScale: TIME_SCALE, overheadMs: 5000, kindsFor: () => [kind], budget, defaultMetrics: false });
  const runner = new ProbeRunner({ config, client: new LyingHealth({ targetTemplate: config.target.url }), metrics, budget });
  return { runner, budget, entry };
}

describe('probe warm-ups with an implausible X-Cost-USD', () => {
  it.each(['health', 'smoke'] as const)('%s probe: fails cost-headers naming the warm-up, and charges no more than the calls lasted', async (kind) => {
    const { runner, budget, entry } = runnerFor(kind);
    const outcome = await runner.probe(entry, kind);
    expect(outcome.result).toBe('fail');
    const findings = outcome.failedChecks.filter((c) => c.check === 'cost-headers' && c.message.includes('warm-up'));
    expect(findings.map((c) => c.message)).toEqual([expect.stringMatching(/^ryla-flux warm-up: implausible X-Cost-USD 99999\.000000/)]);
    // Every call of the probe (warm-up, happy path) together lasted at most the probe's wall time.
    const wallSec = (outcome.finishedAt - outcome.startedAt) / 1000 / TIME_SCALE;
    expect(budget.spent('daily')).toBeLessThanOrEqual((wallSec + 1) * GPU_PRICE_USD_PER_SEC.L40S);
    expect(budget.spent('daily')).toBeCloseTo(outcome.costUsd, 9);
  }, 60_000);
});

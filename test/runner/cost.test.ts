import { describe, expect, it } from 'vitest';
import { GPU_PRICE_USD_PER_SEC } from '../../src/catalog/prices.ts';
import { ModalClient, type CallRequest } from '../../src/client/index.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { callCost, callCostUsd } from '../../src/runner/cost.ts';
import { runGate } from '../../src/runner/gate.ts';

const L40S = GPU_PRICE_USD_PER_SEC.L40S;

describe('callCost: a call is charged what its wall time allows, whatever X-Cost-USD says (13.2)', () => {
  it('a 2 s call claiming a fortune is charged 2 s of GPU and reported', () => {
    for (const header of ['99999999999.000000', '5000.000000', `${'9'.repeat(400)}.000000`]) {
      const c = callCost({ headers: { 'x-cost-usd': header }, totalMs: 2_000 }, 'L40S', 1);
      expect(c.usd).toBeCloseTo(2 * L40S, 12);
      expect(c.finding).toMatch(/^implausible X-Cost-USD .*the call lasted 2\.000 s, which on L40S at \$0\.000542\/s costs at most \$0\.001084/);
      expect(c.finding!.length).toBeLessThan(300);
    }
  });

  it('"0.000000" does not hide the spend of a 60 s call, and contradicting X-Execution-Time-Sec is a finding', () => {
    const zero = callCost({ headers: { 'x-cost-usd': '0.000000' }, totalMs: 60_000 }, 'L40S', 1);
    expect(zero.usd).toBeCloseTo(60 * L40S, 12);
    const hidden = callCost({ headers: { 'x-cost-usd': '0.000000', 'x-execution-time-sec': '12.592', 'x-gpu-type': 'L40S' }, totalMs: 60_000 }, 'L40S', 1);
    expect(hidden.usd).toBeCloseTo(60 * L40S, 12);
    expect(hidden.finding).toMatch(/X-Cost-USD \$0\.000000 does not match X-Execution-Time-Sec 12\.592 s × \$0\.000542\/s = \$0\.006825/);
  });

  it('the fleet\'s own consistent headers are no finding; the charge includes what the handler timer leaves out', () => {
    // The one header cost ever seen: 0.006825 USD on /flux-pulid = 12.59 s of L40S, on a call that took 99 s (cold start).
    const c = callCost({ headers: { 'x-cost-usd': '0.006825', 'x-execution-time-sec': '12.592', 'x-gpu-type': 'L40S' }, totalMs: 99_000 }, 'L40S', 1);
    expect(c).toEqual({ usd: 99 * L40S, headerUsd: 0.006825, finding: null });
    // wan22 bills under "A100", priced like A100-80GB.
    const wan = callCost({ headers: { 'x-cost-usd': '0.166560', 'x-execution-time-sec': '240.000', 'x-gpu-type': 'A100' }, totalMs: 250_000 }, 'A100-80GB', 1);
    expect(wan.finding).toBeNull();
  });

  it('prices a time-scaled call at the real seconds it stands for, and the bound scales the same way', () => {
    expect(callCostUsd({ headers: {}, totalMs: 290 }, 'A100-80GB', 0.01)).toBeCloseTo(29 * 0.000694, 12);
    // 12.6 s of real L40S at scale 0.01 takes 126 ms: the fleet-format header fits the bound.
    expect(callCost({ headers: { 'x-cost-usd': '0.006829' }, totalMs: 127 }, 'L40S', 0.01).finding).toBeNull();
    expect(() => callCostUsd({ headers: {}, totalMs: 1 }, 'L40S', 0)).toThrow(/timeScale/);
  });
});

describe('the gate reports an implausible X-Cost-USD and charges the wall time', () => {
  it('a route answering "X-Cost-USD: 99999.000000" fails cost-headers and costs no more than its calls lasted', async () => {
    class LyingCost extends ModalClient {
      override async call(req: CallRequest) {
        const r = await super.call(req);
        return { ...r, headers: { ...r.headers, 'x-cost-usd': '99999.000000' } };
      }
    }
    const server = await createEmulator({ timeScale: 0.002, seed: 1 }).listen(0);
    try {
      const config = parseConfig({ target: { url: `${server.url}/{app}`, timeScale: 0.002, overheadMs: 30_000 }, gate: { negativeCases: false } });
      const { report } = await runGate({ config, only: ['flux'], client: new LyingCost({ targetTemplate: config.target.url }) });
      const ep = report.endpoints.find((e) => e.id === 'flux')!;
      const finding = ep.checks.find((c) => c.check === 'cost-headers' && /implausible X-Cost-USD 99999\.000000/.test(c.message));
      expect(finding?.verdict).toBe('fail');
      const wallSec = ep.cases.reduce((s, c) => s + c.latencyMs, 0) / 1000 / 0.002;
      expect(ep.costUsd).toBeLessThanOrEqual((wallSec + 1) * L40S);
    } finally {
      await server.close();
    }
  }, 60_000);
});

/**
 * The body of every generated suite: one `describe` per endpoint, one `it` per contract case, one
 * soft expectation per check, so a failing run reads as the contract it broke. A case passes when
 * every check its contract runs (plan.ts contractChecks) is there, none failed unless a waiver
 * accepted it as a known defect, and none was skipped unless such a known defect explains why
 * (a route-broken happy path has no output to judge; a 5xx leaves error-body unjudged).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import { parseConfig } from '../../src/config/index.ts';
import { contractGaps, planContract } from '../../src/runner/plan.ts';
import type { EndpointReport } from '../../src/report/types.ts';
import { createRunContext } from '../../src/runner/context.ts';
import { runEndpoint } from '../../src/runner/run-endpoint.ts';
import { settleVerdicts } from '../../src/runner/verdict.ts';
import { applyWaivers, loadWaivers } from '../../src/waivers/index.ts';
import { EMULATOR_OVERHEAD_MS } from '../../src/config/target.ts';
import { PROJECT_ROOT } from '../../src/runner/fixtures.ts';
import path from 'node:path';

export function contract(id: string): void {
  const entry = getEndpoint(id);
  const cases = planContract(entry);
  describe(`${entry.method} ${entry.path} on ${entry.app} (${entry.lifecycle})`, () => {
    let report: EndpointReport;
    beforeAll(async () => {
      const url = inject('genprobeTarget');
      const timeScale = inject('genprobeTimeScale');
      const config = parseConfig({ target: { url, timeScale, overheadMs: process.env.GENPROBE_TARGET ? 0 : EMULATOR_OVERHEAD_MS } });
      const faceCheck = entry.face ? (await import('../../src/face/off-thread.ts')).faceMatchCheckOffThread : undefined;
      // The run wiring the gate starts from: the configured body cap, one lane per app sized by
      // its max_inputs and shared by every case of the endpoint.
      const run = await runEndpoint(entry, createRunContext(config, { faceCheck }));
      report = run.report;
      applyWaivers([report], loadWaivers(path.join(PROJECT_ROOT, 'waivers.yaml')), url);
      settleVerdicts(report);
    }, 300_000);
    afterAll(() => undefined);

    for (const c of cases) {
      it(c.errorCase ? `${c.name} → ${c.errorCase.expect.status.join('/')} ${c.errorCase.expect.body}${c.errorCase.expect.contains ? ` "${c.errorCase.expect.contains}"` : ''}` : c.name, (ctx) => {
        // The target says the app is not deployed (an app whose deployment is unknown): reported, not failed.
        if (report.verdict === 'skipped') return ctx.skip(report.skipReason);
        const got = report.cases.find((r) => r.name === c.name);
        expect(got, `case "${c.name}" was not run`).toBeDefined();
        expect.soft(contractGaps(entry, c, got!), `the contract did not run (checks: ${got!.checks.map((x) => x.check).join(', ')})`).toEqual([]);
        for (const check of got!.checks) {
          if (check.waived) continue;
          expect.soft(check.verdict, `${check.check}: ${check.message}`).not.toBe('fail');
        }
      });
    }
  });
}

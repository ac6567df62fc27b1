import { describe, expect, it } from 'vitest';
import type { EndpointReport, ReportedCheck } from '../report/types.ts';
import { formatEndpointLine, formatSummary } from './console.ts';
import { emptyReport } from './testing.ts';

const waived = { reason: 'known', expires: '2027-03-31', waiver: '* / cost-headers / cost-headers-dropped' };
function ep(id: string, checks: Partial<ReportedCheck>[], verdict: EndpointReport['verdict'] = 'waived'): EndpointReport {
  const reported = checks.map((c) => ({ case: 'happy path', verdict: 'pass', message: '', ...c })) as ReportedCheck[];
  return { id, app: 'ryla-qwen-image', path: `/${id}`, gpu: 'L40S', lifecycle: 'live', verdict, latencyMs: 8630, redirects: 3, hops: [], costUsd: 0, checks: reported, cases: [] };
}
const swap = ep('batch-video-faceswap', [
  { check: 'cost-headers', verdict: 'fail', message: 'cost headers missing', waived },
  { check: 'latency', verdict: 'pass', message: 'ok', measured: { ms: 8630, start: 'warm', verdict: 'ok' } },
  { check: 'face-match', verdict: 'pass', message: 'face match 94 %', measured: { kind: 'video', percent: 93.6, framesSampled: 6, framesWithFace: 5 } },
]);

describe('console reporter', () => {
  it('one line per endpoint with cold/warm and face match %, waived results counted, not repeated', () => {
    const text = formatEndpointLine(swap);
    expect(text).toBe('~ batch-video-faceswap       ryla-qwen-image  8.63s 3×303 warm face 94 %, 5/6 frames (1 known defect)');
    expect(formatEndpointLine(swap, { verbose: true })).toMatch(/\n {4}waived happy path › cost-headers: cost headers missing$/);
    const still = ep('image-faceswap', [{ check: 'face-match', verdict: 'fail', message: 'face match 40 %', measured: { kind: 'image', percent: 40 } }, { check: 'latency', verdict: 'pass', measured: { start: 'cold' } }], 'fail');
    expect(formatEndpointLine(still)).toMatch(/^✗ image-faceswap\s+ryla-qwen-image\s+8\.63s 3×303 cold face 40 %\n {4}FAIL happy path › face-match: face match 40 %$/);
  });

  it('groups known defects at the end: one line per waiver with class, finding, expiry and endpoints', () => {
    const endpoints = Array.from({ length: 6 }, (_, i) => `e${i}`);
    const report = emptyReport({
      summary: { pass: 0, fail: 0, warn: 0, waived: 6, skipped: 0, total: 6 },
      knownDefects: [{ class: 'error-status', finding: 'known-5xx', params: { field: 'prompt' }, waiver: '* / error-status / known-5xx field=prompt', reason: 'KeyError on item["prompt"]', expires: '2027-03-31', endpoints, results: 6 }],
    });
    const text = formatSummary(report);
    expect(text).toContain('known defects (waived; 6 results):');
    expect(text).toContain('  ~ error-status (known-5xx field=prompt) until 2027-03-31 on 6 endpoints: e0, e1, e2, … 3 more');
    const verbose = formatSummary(report, { verbose: true });
    expect(verbose).toContain('on 6 endpoints: e0, e1, e2, e3, e4, e5');
    expect(verbose).toContain('      KeyError on item["prompt"]');
  });
});

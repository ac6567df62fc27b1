/** The promise checks: error-status, route-broken, doc-drift, error-body on the promise, and findings. */
import { describe, expect, it } from 'vitest';
import { getEndpoint } from '../catalog/index.ts';
import { checkCostHeaders } from './cost-headers.ts';
import { checkDocDrift } from './doc-drift.ts';
import { judgeErrorBody } from './error-body.ts';
import { checkErrorStatus } from './error-status.ts';
import { runErrorCaseChecks } from './index.ts';
import { checkDeclaredType } from './media-type.ts';
import { checkRouteBroken } from './route-broken.ts';

const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const missingPrompt = getEndpoint('flux').errors.find((c) => c.name === 'missing prompt')!;
const keyError = body({ error: "'prompt'", details: 'Traceback …', type: 'KeyError', path: '/flux' });

describe('error-status: bad input must get a client error', () => {
  it('passes a promised 4xx and fails a 5xx with a finding that says whether it is the recorded defect', () => {
    expect(checkErrorStatus(400, body({ detail: 'prompt is required' }), missingPrompt)).toMatchObject({ check: 'error-status', verdict: 'pass' });
    expect(checkErrorStatus(422, body({ detail: [{ loc: ['body', 'prompt'], msg: 'field required' }] }), missingPrompt).verdict).toBe('pass');
    const known = checkErrorStatus(500, keyError, missingPrompt);
    expect(known).toMatchObject({ verdict: 'fail', finding: { code: 'known-5xx', params: { status: 500, field: 'prompt' } } });
    expect(known.message).toMatch(/as the fleet does today \(apps\/modal\/handlers\/flux\.py:61\)/);
    // a 5xx the catalog does not record (another status or body) is a new defect
    expect(checkErrorStatus(503, keyError, missingPrompt).finding).toEqual({ code: 'new-5xx', params: { status: 503, field: 'prompt' } });
    expect(checkErrorStatus(500, body('<html>Internal Server Error</html>'), missingPrompt).finding?.code).toBe('new-5xx');
    // accepting bad input, or another 4xx, is not a 5xx
    expect(checkErrorStatus(200, body('PNG'), missingPrompt)).toMatchObject({ verdict: 'fail', finding: { code: 'unexpected-status', params: { status: 200 } } });
    expect(checkErrorStatus(null, body(''), missingPrompt).finding?.code).toBe('no-status');
  });

  it('error-body judges only the promised status, so a 5xx fails one check, not two', () => {
    const [status, bodyCheck] = runErrorCaseChecks(missingPrompt, { status: 500, body: keyError });
    expect(status).toMatchObject({ check: 'error-status', verdict: 'fail' });
    expect(bodyCheck).toMatchObject({ check: 'error-body', verdict: 'skip', message: expect.stringMatching(/not judged: status 500/) });
  });

  it('error-body: a 4xx body must name the field, in any JSON error shape', () => {
    const e = missingPrompt.expect;
    expect(judgeErrorBody(400, body({ detail: 'prompt is required' }), e).verdict).toBe('pass');
    expect(judgeErrorBody(400, body({ error: '400: prompt is required', details: '', type: 'HTTPException' }), e).verdict).toBe('pass');
    expect(judgeErrorBody(422, body({ detail: [{ loc: ['body', 'prompt'] }] }), e).verdict).toBe('pass');
    expect(judgeErrorBody(400, body({ detail: 'Failed to queue workflow: HTTP 400' }), e)).toMatchObject({ verdict: 'fail', finding: { code: 'message-lacks', params: { wanted: 'prompt' } } });
    expect(judgeErrorBody(400, body('<html>bad</html>'), e)).toMatchObject({ verdict: 'fail', finding: { code: 'wrong-shape' } });
    expect(judgeErrorBody(400, body({ message: 'prompt' }), e).message).toMatch(/no "detail" or "error" message/);
  });
});

describe('route-broken: every registered route must work', () => {
  const z = getEndpoint('z-image-pulid-lora').asBuiltFailure;
  const always501 = body({ detail: { error: 'Z-Image uses diffusers pipeline - ComfyUI LoRAs not supported', alternatives: ['/flux-pulid'] } });
  it('passes a 2xx and fails otherwise, telling the recorded failure from a new one', () => {
    expect(checkRouteBroken(200, body('PNG'), z)).toMatchObject({ check: 'route-broken', verdict: 'pass' });
    expect(checkRouteBroken(501, always501, z)).toMatchObject({ verdict: 'fail', finding: { code: 'known-failure', params: { status: 501 } } });
    expect(checkRouteBroken(500, always501, z).finding?.code).toBe('new-failure');
    expect(checkRouteBroken(501, body({ detail: { error: 'something else' } }), z).finding?.code).toBe('new-failure');
    expect(checkRouteBroken(null, body(''), z)).toMatchObject({ verdict: 'fail', finding: { code: 'new-failure', params: { status: 0 } } });
  });
});

describe('doc-drift: a removed route callers are still told about', () => {
  it('warns (a warning, waivable) once the 404 confirms it is gone, naming where it is listed', () => {
    const listed = getEndpoint('sdxl-turbo').stillListedBy;
    const r = checkDocDrift(404, listed);
    expect(r).toMatchObject({ check: 'doc-drift', verdict: 'warn', finding: { code: 'removed-route-listed', params: { listings: listed!.length } } });
    expect(r.message).toMatch(/modal-client\.ts:23-24/);
    expect(checkDocDrift(404, undefined).verdict).toBe('pass');
    expect(checkDocDrift(200, listed).verdict).toBe('skip');
  });

  it('runs for removed cases beside status and error-body', () => {
    const removed = getEndpoint('sdxl-turbo').errors[0];
    const checks = runErrorCaseChecks(removed, { status: 404, body: body({ detail: 'Not Found' }) }, { kind: 'removed', stillListedBy: ['x.ts:1'] });
    expect(checks.map((c) => [c.check, c.verdict])).toEqual([['status', 'pass'], ['error-body', 'pass'], ['doc-drift', 'warn']]);
  });
});

describe('findings carry genprobe\'s decision, never response text', () => {
  it('declared-type: png-as-jpeg for the recorded lie, other codes otherwise', () => {
    expect(checkDeclaredType('image/jpeg', 'png', 'image/jpeg').finding).toEqual({ code: 'png-as-jpeg' });
    expect(checkDeclaredType('text/plain; x=dropped by the copy loop', 'png', 'image/jpeg').finding).toEqual({ code: 'content-type-mismatch', params: { sniffed: 'png' } });
    expect(checkDeclaredType(null, 'png', 'image/jpeg').finding?.code).toBe('no-content-type');
  });

  it('cost-headers: dropped (as recorded) vs missing, partial and malformed, with header names only', () => {
    expect(checkCostHeaders({}, 'dropped').finding).toEqual({ code: 'cost-headers-dropped', params: { missing: 'X-Cost-USD,X-Execution-Time-Sec,X-GPU-Type' } });
    expect(checkCostHeaders({}, 'present').finding?.code).toBe('cost-headers-missing');
    expect(checkCostHeaders({ 'x-cost-usd': '0.006825' }, 'present').finding).toEqual({ code: 'cost-headers-partial', params: { missing: 'X-Execution-Time-Sec,X-GPU-Type' } });
    const hostile = checkCostHeaders({ 'x-cost-usd': 'dropped by the copy loop', 'x-execution-time-sec': '1.000', 'x-gpu-type': 'L40S' }, 'present');
    expect(hostile.finding).toEqual({ code: 'cost-headers-malformed', params: { headers: 'X-Cost-USD' } });
    expect(JSON.stringify(hostile.finding)).not.toContain('copy loop');
  });
});

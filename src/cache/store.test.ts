import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getEndpoint } from '../catalog/index.ts';
import { parseConfig } from '../config/index.ts';
import type { CaseReport, EndpointReport } from '../report/types.ts';
import { canonicalJson, resultCacheKey } from './key.ts';
import { isErrorResult, ResultCache } from './store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'genprobe-cache-unit-'));
  dirs.push(d);
  return d;
}

function report(cases: Partial<CaseReport>[], verdict: EndpointReport['verdict'] = 'pass'): EndpointReport {
  const full = cases.map((c) => ({ name: 'happy path', kind: 'happy', verdict: 'pass', status: 200, latencyMs: 1, hops: [], attempts: 1, checks: [], ...c }) as CaseReport);
  return { id: 'flux', app: 'ryla-flux', path: '/flux', gpu: 'L40S', lifecycle: 'live', verdict, latencyMs: 1, redirects: 0, hops: [], costUsd: 0, checks: [], cases: full };
}
const key = (n: number) => n.toString(16).padStart(64, '0');

describe('ResultCache', () => {
  it('returns what it stored, with the bytes, and without waiver marks', () => {
    const cache = new ResultCache({ dir: tmp(), ttlMs: 60_000, maxBytes: 1e6 });
    const r = report([{ checks: [{ case: 'happy path', check: 'declared-type', verdict: 'fail', message: 'x', waived: { reason: 'known', expires: '2099-01-01' } }] }], 'waived');
    expect(cache.put(key(1), { report: r, output: { sniffedType: 'png', body: Buffer.from([1, 2, 3]) } })).toBe(true);
    const hit = cache.get(key(1))!;
    expect(hit.output?.body).toEqual(Buffer.from([1, 2, 3]));
    expect(hit.report.cases[0].checks[0].waived).toBeUndefined();
    expect(hit.report).toMatchObject({ id: 'flux', cached: { key: key(1) } });
    expect(cache.get(key(2))).toBeUndefined();
  });

  it("links an endpoint's checks back to its cases' checks, so a waiver marks and counts each result once", () => {
    const cache = new ResultCache({ dir: tmp(), ttlMs: 60_000, maxBytes: 1e6 });
    const r = report([{ checks: [{ case: 'happy path', check: 'declared-type', verdict: 'fail', message: 'x' }] }], 'fail');
    r.checks = r.cases.flatMap((c) => c.checks);
    cache.put(key(3), { report: r });
    const hit = cache.get(key(3))!;
    expect(hit.report.checks[0]).toBe(hit.report.cases[0]!.checks[0]);
  });

  it('never stores errors or skips', () => {
    const cache = new ResultCache({ dir: tmp(), ttlMs: 60_000, maxBytes: 1e6 });
    expect(cache.put(key(1), { report: report([{ status: null, failure: { class: 'network', message: 'refused' } }], 'fail') })).toBe(false);
    expect(cache.put(key(2), { report: report([{ status: 500, failure: { class: 'app-error', message: 'unhealthy' } }], 'fail') })).toBe(false);
    expect(cache.put(key(3), { report: report([{ status: 408, failure: { class: 'modal-platform', message: 'Missing request' } }], 'fail') })).toBe(false);
    expect(cache.put(key(4), { report: report([], 'skipped') })).toBe(false);
    // A contract failure is a verdict, not an error; a bad request's recorded 5xx is its behaviour.
    expect(cache.put(key(5), { report: report([{ checks: [{ case: 'happy path', check: 'image-size', verdict: 'fail', message: 'wrong' }] }], 'fail') })).toBe(true);
    expect(isErrorResult(report([{}, { kind: 'negative', status: 500, failure: { class: 'app-error', message: 'x' } }]))).toBe(false);
  });

  it('an entry older than the TTL is a miss and is removed', () => {
    let now = 1_000_000;
    const dir = tmp();
    const cache = new ResultCache({ dir, ttlMs: 60_000, maxBytes: 1e6, now: () => now });
    cache.put(key(1), { report: report([{}]) });
    now += 59_000;
    expect(cache.get(key(1))).toBeDefined();
    now += 2_000;
    expect(cache.get(key(1))).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps to its size cap by evicting the oldest entries first', () => {
    const dir = tmp();
    const body = Buffer.alloc(20_000, 7);
    const cache = new ResultCache({ dir, ttlMs: 60_000, maxBytes: 90_000 });
    for (let i = 1; i <= 3; i++) {
      cache.put(key(i), { report: report([{}]), output: { sniffedType: 'png', body } });
      utimesSync(path.join(dir, `${key(i)}.json`), i * 1000, i * 1000);
    }
    cache.put(key(4), { report: report([{}]), output: { sniffedType: 'png', body } });
    expect(cache.get(key(1))).toBeUndefined();
    expect(cache.get(key(2))).toBeDefined();
    expect(cache.get(key(4))).toBeDefined();
  });

  it('a corrupt entry is a miss and is removed; a bad key is refused', () => {
    const dir = tmp();
    const cache = new ResultCache({ dir, ttlMs: 60_000, maxBytes: 1e6 });
    writeFileSync(path.join(dir, `${key(9)}.json`), '{"version":1,');
    expect(cache.get(key(9))).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => cache.get('../../etc/passwd')).toThrow(/not a cache key/);
  });
});

describe('result cache key', () => {
  const config = parseConfig({ target: { url: 'http://127.0.0.1:1/{app}' } });
  const flux = getEndpoint('flux');
  const base = resultCacheKey(flux, config, {}, { face: true });

  it('is stable, and changes with the request, the target, the judging options and injected faults', () => {
    expect(resultCacheKey(flux, config, {}, { face: true })).toBe(base);
    expect(resultCacheKey(flux, config, { request: { seed: 7 } }, { face: true })).not.toBe(base);
    expect(resultCacheKey(flux, parseConfig({ target: { url: 'http://127.0.0.1:2/{app}' } }), {}, { face: true })).not.toBe(base);
    expect(resultCacheKey(flux, config, {}, { face: false })).not.toBe(base);
    expect(resultCacheKey(flux, config, {}, { face: true, repeat: 3 })).not.toBe(base);
    expect(resultCacheKey(flux, config, {}, { face: true, headers: { 'x-genprobe-fault': 'blank' } })).not.toBe(base);
    expect(resultCacheKey(getEndpoint('flux-dev'), config, {}, { face: true })).not.toBe(base);
  });

  it('hashes objects independent of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
  });
});

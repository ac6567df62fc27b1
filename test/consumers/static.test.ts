/** Static verification finds each finding type on a crafted consumer file and none on a consistent one. */
import { describe, expect, it } from 'vitest';
import { parseConsumerFile, type ConsumerCall } from '../../src/consumers/contract.ts';
import { callReport, consumerReport } from '../../src/consumers/report.ts';
import { verifyStatic } from '../../src/consumers/static.ts';
import type { FindingCode } from '../../src/consumers/findings.ts';

const IMG = { $file: '../faces/astronaut.png' };
const binary = { body: 'binary', headers: ['content-type'] } as const;

function call(over: Partial<ConsumerCall> & Pick<ConsumerCall, 'method' | 'app' | 'path'>): unknown {
  return { httpMethod: 'POST', fields: {}, example: {}, reads: binary, timeoutMs: 900_000, ...over };
}

function file(calls: unknown[]) {
  return parseConsumerFile(JSON.stringify({ schemaVersion: 1, consumers: [{ name: 'crafted', calls }] }));
}

const prompt = { prompt: { type: 'string', required: true } } as const;

const CONSISTENT = file([
  call({ method: 'pulid', app: 'ryla-instantid', path: '/flux-pulid', fields: { ...prompt, reference_image: { type: 'string', required: true, media: true }, pulid_weight: { type: 'number', required: false } }, example: { prompt: 'a portrait', reference_image: IMG }, reads: { body: 'binary', headers: ['X-Cost-USD', 'x-gpu-type', 'content-type'] } }),
  call({ method: 'flux', app: 'ryla-flux', path: '/flux', fields: { ...prompt, steps: { type: 'number', required: false } }, example: { prompt: 'a cat' } }),
  call({ method: 'realism', app: 'ryla-z-image', path: '/z-image-realism', fields: { ...prompt, style: { type: 'string', required: false } }, example: { prompt: 'a cat' }, reads: { body: 'binary', headers: ['x-style'] } }),
  call({ method: 'r2v', app: 'ryla-wan26', path: '/wan2.6-r2v', fields: { ...prompt, reference_videos: { type: 'array', items: 'string', required: true, media: true } }, example: { prompt: 'a boat', reference_videos: [{ $file: '../media/portrait.mp4' }] } }),
  call({ method: 'loras', app: 'ryla-flux', path: '/loras', httpMethod: 'GET', reads: { body: 'json', headers: [] } }),
  call({ method: 'health', app: 'ryla-flux', path: '/health', httpMethod: 'GET', reads: { body: 'json', headers: [] }, timeoutMs: 120_000 }),
]);

/** One call per finding type; each is the only drift in its call. */
const CRAFTED: Array<[FindingCode, string, string | undefined, unknown]> = [
  ['route-missing', 'phantom', undefined, call({ method: 'phantom', app: 'ryla-qwen-image', path: '/qwen-faceswap' })],
  ['route-missing', 'nowhere', undefined, call({ method: 'nowhere', app: 'ryla-flux', path: '/no-such-route' })],
  ['route-incompatible', 'fluxInstantId', undefined, call({ method: 'fluxInstantId', app: 'ryla-instantid', path: '/flux-instantid' })],
  ['app-not-deployed', 'wan2', undefined, call({ method: 'wan2', app: 'ryla-wan2', path: '/wan2' })],
  ['app-not-deployed', 'typo', undefined, call({ method: 'typo', app: 'ryla-fluxx', path: '/flux', fields: prompt, example: { prompt: 'x' } })],
  ['app-deployment-unknown', 'fluxLora', undefined, call({ method: 'fluxLora', app: 'ryla-lora', path: '/flux-lora', fields: { ...prompt, lora_id: { type: 'string', required: true } }, example: { prompt: 'x', lora_id: 'genprobe-probe' } })],
  ['wrong-app', 'faceswapOnZ', undefined, call({ method: 'faceswapOnZ', app: 'ryla-z-image', path: '/image-faceswap', fields: { source_image: { type: 'string', required: true, media: true }, reference_image: { type: 'string', required: true, media: true } }, example: { source_image: IMG, reference_image: IMG } })],
  ['method-mismatch', 'getFlux', undefined, call({ method: 'getFlux', app: 'ryla-flux', path: '/flux', httpMethod: 'GET' })],
  ['field-missing', 'i2vNoImage', 'reference_image', call({ method: 'i2vNoImage', app: 'ryla-wan26', path: '/wan2.6-i2v', fields: prompt, example: { prompt: 'x' } })],
  ['field-optional', 'loraOptional', 'lora_id|lora_name', call({ method: 'loraOptional', app: 'ryla-flux', path: '/flux-dev-lora', fields: { ...prompt, lora_id: { type: 'string', required: false } }, example: { prompt: 'x' } })],
  ['field-unknown', 'pulidStrength', 'pulid_strength', call({ method: 'pulidStrength', app: 'ryla-instantid', path: '/flux-pulid', fields: { ...prompt, reference_image: { type: 'string', required: true, media: true }, pulid_strength: { type: 'number', required: false } }, example: { prompt: 'x', reference_image: IMG } })],
  ['type-mismatch', 'r2vString', 'reference_videos', call({ method: 'r2vString', app: 'ryla-wan26', path: '/wan2.6-r2v', fields: { ...prompt, reference_videos: { type: 'string', required: true, media: true } }, example: { prompt: 'x', reference_videos: { $file: '../media/portrait.mp4' } } })],
  ['type-mismatch', 'stepsText', 'steps', call({ method: 'stepsText', app: 'ryla-flux', path: '/flux', fields: { ...prompt, steps: { type: 'number', required: false } }, example: { prompt: 'x', steps: 'four' } })],
  ['type-mismatch', 'rawBase64', 'reference_image', call({ method: 'rawBase64', app: 'ryla-instantid', path: '/sdxl-instantid', fields: { ...prompt, reference_image: { type: 'string', required: true, media: true } }, example: { prompt: 'x', reference_image: 'iVBORw0KGgoAAAANSUhEUg==' } })],
  ['header-never-sent', 'fluxCost', 'header:x-cost-usd', call({ method: 'fluxCost', app: 'ryla-flux', path: '/flux', fields: prompt, example: { prompt: 'x' }, reads: { body: 'binary', headers: ['x-cost-usd'] } })],
  ['header-never-sent', 'styleOnFlux', 'header:x-style', call({ method: 'styleOnFlux', app: 'ryla-flux', path: '/flux', fields: prompt, example: { prompt: 'x' }, reads: { body: 'binary', headers: ['X-Style'] } })],
  ['body-kind-mismatch', 'lorasBytes', undefined, call({ method: 'lorasBytes', app: 'ryla-flux', path: '/loras', httpMethod: 'GET' })],
  ['timeout-too-short', 'wan22Quick', undefined, call({ method: 'wan22Quick', app: 'ryla-wan22-i2v', path: '/wan22-i2v', fields: { source_image: { type: 'string', required: true, media: true } }, example: { source_image: IMG }, timeoutMs: 120_000 })],
  ['timeout-cold-start', 'healthQuick', undefined, call({ method: 'healthQuick', app: 'ryla-flux', path: '/health', httpMethod: 'GET', reads: { body: 'none', headers: [] }, timeoutMs: 10_000 })],
  ['redirect-not-followed', 'wan22Manual', undefined, call({ method: 'wan22Manual', app: 'ryla-wan22-i2v', path: '/wan22-i2v', fields: { source_image: { type: 'string', required: true, media: true } }, example: { source_image: IMG }, followsRedirects: false })],
];

describe('consumers verify --static', () => {
  it('a consistent consumer has no findings', () => {
    const verdicts = verifyStatic(CONSISTENT);
    expect(verdicts.flatMap((v) => v.findings)).toEqual([]);
    expect(verdicts.every((v) => v.passed.length > 0)).toBe(true);
  });

  it.each(CRAFTED)('%s on %s (field %s), naming the method, route and field', (code, method, field, c) => {
    const [v] = verifyStatic(file([c]));
    const f = v.findings.find((x) => x.code === code);
    expect(f, JSON.stringify(v.findings, null, 1)).toBeDefined();
    expect(f!.method).toBe(method);
    expect(f!.path).toBe((c as ConsumerCall).path);
    expect(f!.field).toBe(field);
    expect(f!.message).toContain((c as ConsumerCall).path);
    if (field && !field.includes('|')) expect(f!.message).toContain(field.replace('header:', ''));
  });

  it('finds every finding type the static level has', () => {
    const staticCodes: FindingCode[] = ['route-missing', 'route-incompatible', 'app-not-deployed', 'app-deployment-unknown', 'wrong-app', 'method-mismatch', 'field-missing', 'field-optional', 'field-unknown', 'type-mismatch', 'header-never-sent', 'body-kind-mismatch', 'timeout-too-short', 'timeout-cold-start', 'redirect-not-followed'];
    const found = new Set(verifyStatic(file(CRAFTED.map((c) => c[3]))).flatMap((v) => v.findings.map((f) => f.code)));
    expect(staticCodes.filter((c) => !found.has(c))).toEqual([]);
  });

  it('the r2v drift of the studio client: reference_video unknown, reference_videos missing (with the near name)', () => {
    const [v] = verifyStatic(file([call({ method: 'generateWan26R2V', app: 'ryla-wan26', path: '/wan2.6-r2v', fields: { ...prompt, reference_video: { type: 'string', required: true, media: true } }, example: { prompt: 'x', reference_video: { $file: '../media/portrait.mp4' } } })]));
    expect(v.findings.map((f) => [f.code, f.field])).toEqual([
      ['field-unknown', 'reference_video'],
      ['field-missing', 'reference_videos'],
    ]);
    expect(v.findings[0].message).toContain('the route reads "reference_videos"');
  });

  it('reports in the gate format: failing findings fail the run (exit 1), a waiver on the finding waives it', () => {
    const verdicts = verifyStatic(file([CRAFTED.find((c) => c[1] === 'pulidStrength')![3]]));
    const target = { url: 'static', workspace: 'ryla', timeScale: 1 };
    const failed = consumerReport(verdicts, 'static', { target, waivers: [], startedAt: new Date(), version: 'test' });
    expect(failed.exitCode).toBe(1);
    expect(failed.endpoints[0]).toMatchObject({ id: 'crafted.pulidStrength', path: '/flux-pulid', verdict: 'fail' });
    const check = failed.endpoints[0].checks.find((c) => c.verdict === 'fail')!;
    expect(check).toMatchObject({ check: 'consumer-contract', finding: { code: 'field-unknown', params: { field: 'pulid_strength' } } });
    const waiver = { endpoint: 'crafted.*', check: 'consumer-contract', finding: { code: 'field-unknown', params: { field: 'pulid_strength' } }, reason: 'client fix scheduled for the next release', expires: '2099-01-01' };
    const waived = consumerReport(verdicts, 'static', { target, waivers: [waiver as never], startedAt: new Date(), version: 'test' });
    expect(waived.exitCode).toBe(0);
    expect(waived.endpoints[0].verdict).toBe('waived');
    expect(callReport(verdicts[0], 'static').checks.filter((c) => c.verdict === 'pass').length).toBeGreaterThan(0);
  });
});

/** The TypeScript importer reads a client exactly: map, timeouts, request interfaces, headers read. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConsumerFile, renderConsumerFile } from '../../src/consumers/contract.ts';
import { importTsClient } from '../../src/consumers/importer.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = path.join(ROOT, 'fixtures');

const TINY_CLIENT = `
const APPS: Record<string, string> = {
  '/flux': 'ryla-flux',
  '/wan2.6-r2v': 'ryla-wan26',
};
const SECOND = 1000;
const TIMEOUTS: Record<string, number> = { '/wan2.6-r2v': 10 * 60 * SECOND };

interface Base extends Record<string, unknown> {
  prompt: string;
  seed?: number;
}
export interface R2V extends Base {
  reference_video: string; // base64 data URL
  tags?: string[];
  mode: 'fast' | 'slow';
  loop?: boolean;
}

export class Tiny {
  private timeout: number;
  constructor(o: { timeout?: number }) {
    this.timeout = o.timeout ?? 180_000;
  }
  private ms(path: string): number {
    return TIMEOUTS[path] ?? this.timeout;
  }
  async flux(input: Base) {
    return this.send('/flux', input);
  }
  async legacy(input: Base) {
    return this.flux(input as Base);
  }
  async r2v(input: R2V) {
    return this.send('/wan2.6-r2v', input);
  }
  async any(path: string, body: Record<string, unknown>) {
    return this.send(path, body);
  }
  async ping(): Promise<boolean> {
    const r = await fetch(\`https://\${'ws'}--ryla-flux-comfyui-fastapi-app.modal.run/health\`, { signal: AbortSignal.timeout(5000) });
    return r.ok;
  }
  private async send(path: string, body: Record<string, unknown>) {
    const t = this.ms(path);
    const c = new AbortController();
    setTimeout(() => c.abort(), t);
    const res = await fetch('https://' + (APPS[path] ?? 'x') + path, { method: 'POST', body: JSON.stringify(body), signal: c.signal, redirect: 'manual' });
    if (!res.ok) throw new Error(await res.text());
    return { bytes: await res.arrayBuffer(), cost: res.headers.get('X-Cost-USD') };
  }
}
`;

describe('importTsClient', () => {
  it('reads a client exactly: endpoint→app map, timeouts, request interfaces, headers, redirects', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'genprobe-import-'));
    const file = path.join(dir, 'tiny.ts');
    writeFileSync(file, TINY_CLIENT);
    const { consumer, unresolved } = importTsClient(file, { name: 'tiny', outDir: path.join(FIXTURES, 'consumers'), fixturesDir: FIXTURES, sourceLabel: 'tiny.ts' });
    const reads = { body: 'binary', headers: ['x-cost-usd'] };
    const base = { prompt: { type: 'string', required: true }, seed: { type: 'number', required: false } };
    expect(consumer.calls).toEqual([
      { method: 'ping', app: 'ryla-flux', path: '/health', httpMethod: 'GET', fields: {}, example: {}, reads: { body: 'none', headers: [] }, timeoutMs: 5000, followsRedirects: true, source: 'tiny.ts:40' },
      { method: 'flux', app: 'ryla-flux', path: '/flux', httpMethod: 'POST', fields: base, example: { prompt: 'a portrait photo of a woman, soft studio light' }, reads, timeoutMs: 180_000, followsRedirects: false, source: 'tiny.ts:28' },
      { method: 'legacy', app: 'ryla-flux', path: '/flux', httpMethod: 'POST', fields: base, example: { prompt: 'a portrait photo of a woman, soft studio light' }, reads, timeoutMs: 180_000, followsRedirects: false, source: 'tiny.ts:31' },
      {
        method: 'r2v',
        app: 'ryla-wan26',
        path: '/wan2.6-r2v',
        httpMethod: 'POST',
        fields: {
          reference_video: { type: 'string', required: true, media: true },
          tags: { type: 'array', items: 'string', required: false },
          mode: { type: 'string', enum: ['fast', 'slow'], required: true },
          loop: { type: 'boolean', required: false },
          ...base,
        },
        example: { reference_video: { $file: '../media/portrait.mp4' }, mode: 'fast', prompt: 'a portrait photo of a woman, soft studio light' },
        reads,
        timeoutMs: 600_000,
        followsRedirects: false,
        source: 'tiny.ts:34',
      },
    ]);
    expect(unresolved).toEqual([
      'tiny.ts:23: default timeout 180000 ms is the constructor\'s fallback; callers may pass another (config.timeout)',
      'tiny.ts:38: any() passes a computed path (path) to send(): any route, not imported',
      'request types with a string index signature (Record<string, unknown>), so fields beyond the declared ones are possible and not imported: Base, R2V',
    ]);
  });

  it('fixtures/consumers/studio-api.json is what the importer makes of the studio client stand-in', () => {
    const out = path.join(FIXTURES, 'consumers');
    const { consumer } = importTsClient(path.join(ROOT, 'test/consumers/clients/studio-modal-client.ts'), { name: 'studio-api', outDir: out, fixturesDir: FIXTURES, sourceLabel: 'test/consumers/clients/studio-modal-client.ts' });
    const checkedIn = readFileSync(path.join(out, 'studio-api.json'), 'utf8');
    expect(renderConsumerFile({ schemaVersion: 1, consumers: [consumer] })).toBe(checkedIn);
    const contract = parseConsumerFile(checkedIn);
    const byMethod = new Map(contract.consumers[0].calls.map((c) => [c.method, c]));
    // The drifts the fleet's real client has (jatidevelopments/ryla@57209b5:libs/business/src/services/modal-client.ts).
    expect(byMethod.get('wan26R2V')?.fields.reference_video).toEqual({ type: 'string', required: true, media: true });
    expect(byMethod.get('wan26')?.fields.num_frames).toEqual({ type: 'number', required: false });
    expect(byMethod.get('workflow')).toMatchObject({ app: 'ryla-flux', path: '/workflow', timeoutMs: 180_000 });
    expect(byMethod.get('wan22I2VFaceSwap')?.timeoutMs).toBe(900_000);
    expect(byMethod.get('isHealthy')).toMatchObject({ app: 'ryla-flux', path: '/health', httpMethod: 'GET', timeoutMs: 10_000 });
    expect(byMethod.get('fluxPulid')?.reads.headers).toEqual(['x-cost-usd', 'x-execution-time-sec', 'content-type', 'x-gpu-type']);
  });

  it('a file that is not a client is an error, not an empty contract', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'genprobe-import-'));
    const file = path.join(dir, 'none.ts');
    writeFileSync(file, 'export const x = 1;\n');
    expect(() => importTsClient(file, { name: 'x', outDir: dir, fixturesDir: FIXTURES })).toThrow(/no class found/);
  });
});

/**
 * The cache key of an endpoint's result: a sha256 over everything the result depends on — the
 * route, every request its contract sends (catalog sample + config override, negative cases
 * included), the target, the catalog and check versions, and the options that change what is
 * checked (face check on/off, golden-drift mode, repeat count, injected fault headers).
 */
import { createHash } from 'node:crypto';
import type { EndpointEntry } from '../catalog/types.ts';
import type { GenprobeConfig } from '../config/index.ts';
import type { EndpointOverride } from '../config/endpoint.ts';
import { planContract } from '../runner/plan.ts';
import { GENPROBE_VERSION } from '../runner/gate.ts';
import { catalogVersion, checksVersion } from './version.ts';

export interface KeyOptions {
  headers?: Record<string, string>;
  face: boolean;
  repeat?: number;
  minPassRate?: number;
}

/** JSON with sorted object keys, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function resultCacheKey(entry: EndpointEntry, config: GenprobeConfig, override: EndpointOverride, opts: KeyOptions): string {
  const planned = planContract(entry, override, { negativeCases: config.gate.negativeCases });
  const parts = {
    genprobe: GENPROBE_VERSION,
    route: { id: entry.id, app: entry.app, method: entry.method, path: entry.path },
    requests: planned.map((p) => ({ name: p.name, kind: p.kind, sample: p.sample })),
    override: { deadlineSec: override.deadlineSec, faceTargetPct: override.faceTargetPct },
    target: { url: config.target.url, workspace: config.target.workspace, timeScale: config.target.timeScale },
    catalog: catalogVersion(),
    checks: checksVersion(),
    judged: { face: opts.face, faceConfig: config.face, goldenDrift: config.gate.goldenDrift, repeat: opts.repeat ?? 1, minPassRate: opts.minPassRate ?? 1 },
    headers: opts.headers ?? {},
  };
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

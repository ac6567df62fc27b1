import { describe, expect, it } from 'vitest';
import { CATALOG } from '../catalog/index.ts';
import type { GateReport } from '../report/types.ts';
import { assignShards, mergeShardReports, parseShard, shardEntries, type ShardedReport } from './shard.ts';
import { chainSec } from './schedule.ts';

describe('parseShard', () => {
  it('takes i/n and refuses anything else by name', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/65', '-1/4']) expect(() => parseShard(bad)).toThrow(/--shard must be i\/n/);
  });
});

describe('assignShards', () => {
  it('puts every endpoint in exactly one shard, the same way every time, independent of catalog order', () => {
    for (const n of [1, 2, 3, 4, 8]) {
      const a = assignShards(CATALOG, n);
      const b = assignShards([...CATALOG].reverse(), n);
      expect([...a.keys()].sort()).toEqual(CATALOG.map((e) => e.id).sort());
      expect(Object.fromEntries(a)).toEqual(Object.fromEntries(b));
      const parts = Array.from({ length: n }, (_, i) => shardEntries(CATALOG, { index: i + 1, count: n }).map((e) => e.id));
      expect(parts.flat().sort()).toEqual(CATALOG.map((e) => e.id).sort());
    }
  });

  it('balances documented time: no shard of 4 holds more than the longest chain over an even share', () => {
    const total = CATALOG.reduce((s, e) => s + chainSec(e), 0);
    const longest = Math.max(...CATALOG.map((e) => chainSec(e)));
    for (let i = 1; i <= 4; i++) {
      const load = shardEntries(CATALOG, { index: i, count: 4 }).reduce((s, e) => s + chainSec(e), 0);
      expect(load).toBeLessThanOrEqual(total / 4 + longest);
    }
  });
});

const base = (index: number, count: number, ids: string[], extra: Partial<ShardedReport['shard']> = {}): ShardedReport => ({
  schemaVersion: 1,
  tool: { name: 'genprobe', version: 'test' },
  startedAt: `2026-01-0${index}T00:00:00.000Z`,
  finishedAt: `2026-01-0${index}T00:01:00.000Z`,
  durationMs: 60_000,
  target: { url: 'http://127.0.0.1:1/{app}', workspace: 'w', timeScale: 1 },
  summary: { pass: ids.length, fail: 0, warn: 0, waived: 0, skipped: 0, total: ids.length },
  waivers: [],
  exitCode: 0,
  endpoints: ids.map((id) => ({ id, app: 'a', path: `/${id}`, gpu: 'L40S', lifecycle: 'live', verdict: 'pass', latencyMs: 1, redirects: 0, hops: [], costUsd: 0, checks: [], cases: [] })),
  shard: { index, count, selection: { only: [], tags: [] }, endpoints: ids, waiverSet: [], ...extra },
});

describe('mergeShardReports', () => {
  it('merges a complete set in catalog order, spanning first start to last finish', () => {
    const [a, b] = [CATALOG[0].id, CATALOG[1].id];
    const m: GateReport = mergeShardReports([base(2, 2, [a]), base(1, 2, [b])]);
    expect(m.endpoints.map((e) => e.id)).toEqual([a, b]);
    expect(m.summary.total).toBe(2);
    expect(m.durationMs).toBe(86_400_000 + 60_000);
  });

  it('keeps one route inventory per app across shards (the first shard\'s), sorted by app; none when no shard read any', () => {
    const read = (app: string, routes: number) => ({ app, state: 'registered' as const, routes, latencyMs: 1 });
    const one = { ...base(1, 2, ['flux']), inventory: [read('ryla-z-image', 9), read('ryla-flux', 7)] };
    const two = { ...base(2, 2, ['loras']), inventory: [read('ryla-flux', 6), read('ryla-instantid', 5)] };
    expect(mergeShardReports([two, one]).inventory).toEqual([read('ryla-flux', 7), read('ryla-instantid', 5), read('ryla-z-image', 9)]);
    expect(mergeShardReports([base(1, 2, ['flux']), base(2, 2, ['loras'])])).not.toHaveProperty('inventory');
  });

  it('refuses a missing, doubled or foreign shard', () => {
    expect(() => mergeShardReports([base(1, 3, ['flux'])])).toThrow(/missing shard\(s\) 2\/3, 3\/3/);
    expect(() => mergeShardReports([base(1, 2, ['flux']), base(1, 2, ['loras'])])).toThrow(/given twice/);
    expect(() => mergeShardReports([base(1, 2, ['flux']), base(2, 3, ['loras'])])).toThrow(/different splits/);
    expect(() => mergeShardReports([base(1, 2, ['flux']), base(2, 2, ['loras'], { selection: { only: ['loras'], tags: [] } })])).toThrow(/different selections/);
    expect(() => mergeShardReports([base(1, 2, ['flux']), base(2, 2, [], { endpoints: ['loras'] })])).toThrow(/lacks the report of loras/);
    const unsharded = { ...base(1, 1, ['flux']), shard: undefined };
    expect(() => mergeShardReports([unsharded])).toThrow(/not a sharded gate report/);
  });
});

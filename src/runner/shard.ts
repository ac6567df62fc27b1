/**
 * Sharded gates for CI matrices: `gate --shard i/n` runs one n-th of the selection, and
 * `report merge` joins the shards' JSON reports into the report one unsharded gate would write.
 *
 * Assignment depends only on the catalog and the selection (never on timings of a run, the clock
 * or the machine), so every job of a matrix computes the same split: endpoints are packed longest
 * documented chain first onto the shard whose load grows least, where a shard pays an app's
 * documented cold start once, the first time it gets one of that app's endpoints.
 *
 * Waivers are judged on the merged report: a shard sees only part of what a waiver covers, so a
 * shard's report carries the waivers it applied and leaves "expired"/"no longer needed" to the merge.
 */
import { APPS, CATALOG } from '../catalog/index.ts';
import type { EndpointEntry } from '../catalog/types.ts';
import { ConfigError } from '../config/index.ts';
import { applyWaivers, knownDefects } from '../waivers/index.ts';
import { settleRepeat, type RepeatedReport } from './repeat.ts';
import type { AppInventoryRead, EndpointVerdict, GateReport, Waiver } from '../report/types.ts';
import { chainSec } from './schedule.ts';
import { settleVerdicts } from './verdict.ts';
import { relinkChecks } from '../report/relink.ts';

export interface Shard {
  /** 1-based, as CI matrices count. */
  index: number;
  count: number;
}

export const MAX_SHARDS = 64;

/** `i/n` with 1 ≤ i ≤ n ≤ 64. */
export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new ConfigError(`--shard must be i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS} (e.g. 2/4), got "${spec}"`);
  }
  return { index, count };
}

/** Every endpoint's shard (1-based), for a selection in catalog order. */
export function assignShards(entries: readonly EndpointEntry[], count: number): Map<string, number> {
  const load = new Array<number>(count).fill(0);
  const apps = Array.from({ length: count }, () => new Set<string>());
  const order = [...entries].sort((a, b) => chainSec(b) - chainSec(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map<string, number>();
  for (const e of order) {
    const cost = (s: number) => chainSec(e) + (apps[s].has(e.app) ? 0 : APPS[e.app]?.coldStartSec ?? 0);
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] + cost(s) < load[best] + cost(best)) best = s;
    load[best] += cost(best);
    apps[best].add(e.app);
    out.set(e.id, best + 1);
  }
  return out;
}

/** The entries of one shard, in selection order. */
export function shardEntries(entries: readonly EndpointEntry[], shard: Shard): EndpointEntry[] {
  const of = assignShards(entries, shard.count);
  return entries.filter((e) => of.get(e.id) === shard.index);
}

/** What a shard's report records so the merge can check it and judge waivers over all shards. */
export interface ShardInfo extends Shard {
  /** The selection every shard split (`--only`, `--tag`), so shards of different gates do not merge. */
  selection: { only: string[]; tags: string[] };
  /** The endpoint ids this shard was assigned (consumer pre-reports run in shard 1 only). */
  endpoints: string[];
  /** The waivers in force for the shard: the merge judges them again over the merged endpoints. */
  waiverSet: Waiver[];
}

export type ShardedReport = GateReport & { shard?: ShardInfo };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Refuse shard sets that are not one gate's 1/n … n/n: a missing or doubled shard would pass silently. */
function checkShardSet(reports: readonly ShardedReport[]): ShardInfo[] {
  const infos = reports.map((r, i) => {
    if (r?.schemaVersion !== 1 || !Array.isArray(r.endpoints)) throw new ConfigError(`report ${i + 1}: not a genprobe gate report (schemaVersion 1)`);
    if (!r.shard) throw new ConfigError(`report ${i + 1}: not a sharded gate report (run \`genprobe gate --shard i/n\`)`);
    return r.shard;
  });
  const [first] = infos;
  if (!first) throw new ConfigError('report merge: no reports given');
  const missing = Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !infos.some((s) => s.index === i));
  if (infos.some((s) => s.count !== first.count)) throw new ConfigError(`report merge: shards of different splits (${infos.map((s) => `${s.index}/${s.count}`).join(', ')})`);
  const dup = infos.find((s, i) => infos.findIndex((t) => t.index === s.index) !== i);
  if (dup) throw new ConfigError(`report merge: shard ${dup.index}/${dup.count} given twice`);
  if (missing.length) throw new ConfigError(`report merge: missing shard(s) ${missing.map((i) => `${i}/${first.count}`).join(', ')}`);
  if (!reports.every((r) => same(r.target, reports[0].target))) throw new ConfigError('report merge: shards ran against different targets');
  if (!infos.every((s) => same(s.selection, first.selection))) throw new ConfigError('report merge: shards split different selections (--only/--tag)');
  if (!infos.every((s) => same(s.waiverSet, first.waiverSet))) throw new ConfigError('report merge: shards ran with different waivers');
  reports.forEach((r, i) => {
    const got = new Set(r.endpoints.map((e) => e.id));
    const lost = infos[i].endpoints.filter((id) => !got.has(id));
    if (lost.length) throw new ConfigError(`report merge: shard ${infos[i].index}/${first.count} lacks the report of ${lost.join(', ')} (interrupted?)`);
  });
  return infos;
}

/**
 * One report from a complete shard set: endpoints in selection order (consumer reports first, as the
 * gate writes them), waivers applied and judged across all of them, summary and exit code anew.
 */
export function mergeShardReports(reports: readonly ShardedReport[]): GateReport {
  const infos = checkShardSet(reports);
  const byIndex = [...reports].sort((a, b) => a.shard!.index - b.shard!.index);
  const endpoints = byIndex.flatMap((r) => r.endpoints).map(relinkChecks);
  const seen = new Set<string>();
  for (const e of endpoints) {
    if (seen.has(e.id)) throw new ConfigError(`report merge: endpoint ${e.id} is in more than one shard`);
    seen.add(e.id);
  }
  // The unsharded gate's order: --only's, else the catalog's.
  const only = infos[0].selection.only;
  const rank = new Map((only.length ? only : CATALOG.map((e) => e.id)).map((id, i) => [id, i]));
  const isPre = (id: string) => !rank.has(id);
  endpoints.sort((a, b) => (isPre(a.id) === isPre(b.id) ? (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0) : isPre(a.id) ? -1 : 1));

  const waivers = infos[0].waiverSet;
  const target = byIndex[0].target;
  // The clock of the last shard to finish: an unsharded gate judges expiry when it ends.
  const finishedAt = byIndex.map((r) => r.finishedAt).sort().at(-1)!;
  const startedAt = byIndex.map((r) => r.startedAt).sort()[0];
  const universe = [...CATALOG.map((e) => e.id), ...endpoints.filter((e) => isPre(e.id)).map((e) => e.id)];
  const findings = applyWaivers(endpoints, waivers, target.url, new Date(finishedAt), { universe });
  for (const ep of endpoints) {
    settleVerdicts(ep);
    settleRepeat(ep as RepeatedReport);
  }
  const summary = { pass: 0, fail: 0, warn: 0, waived: 0, skipped: 0, total: endpoints.length } as Record<EndpointVerdict, number> & { total: number };
  for (const ep of endpoints) summary[ep.verdict]++;
  return {
    schemaVersion: 1,
    tool: byIndex[0].tool,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    target,
    summary,
    waivers: findings,
    knownDefects: knownDefects(endpoints, waivers),
    ...mergedInventory(byIndex),
    exitCode: summary.fail > 0 || findings.some((f) => f.finding === 'expired') ? 1 : 0,
    endpoints,
  };
}

/** The apps' route lists the shards read, one per app (the first shard's where several read it), as the unsharded gate sorts them. */
function mergedInventory(reports: readonly ShardedReport[]): Pick<GateReport, 'inventory'> {
  if (!reports.some((r) => r.inventory)) return {};
  const byApp = new Map<string, AppInventoryRead>();
  for (const a of reports.flatMap((r) => r.inventory ?? [])) if (!byApp.has(a.app)) byApp.set(a.app, a);
  return { inventory: [...byApp.values()].sort((a, b) => a.app.localeCompare(b.app)) };
}

/**
 * `gate --cache`, `--retry-failed`, `--resume`: the gate's result store and run journal, assembled
 * from config. The cache is off by default and refused under CI=true (a CI gate must call the
 * fleet it is about to deploy to) unless forced.
 */
import path from 'node:path';
import { ConfigError, type GenprobeConfig } from '../config/index.ts';
import { parseDurationMs } from '../config/duration.ts';
import type { ResultStore } from '../runner/gate.ts';
import { resultCacheKey, type KeyOptions } from './key.ts';
import { ResultCache } from './store.ts';

export { ResultCache, isErrorResult, withoutWaivers, type CachedReport } from './store.ts';
export { JournalWriter, readJournal, failedIds, type RunJournal } from './journal.ts';
export { resultCacheKey } from './key.ts';

export function cacheDir(config: GenprobeConfig, cwd = process.cwd()): string {
  return path.resolve(cwd, config.gate.stateDir, 'cache');
}

export function stateDir(config: GenprobeConfig, cwd = process.cwd()): string {
  return path.resolve(cwd, config.gate.stateDir);
}

/** Refuse the cache in CI unless forced: a cached gate would pass a deploy without calling it. */
export function assertCacheAllowed(env: NodeJS.ProcessEnv, force: boolean): void {
  if (!force && /^(1|true|yes)$/i.test(env.CI ?? '')) throw new ConfigError('--cache is refused with CI=true: a CI gate must call the fleet (add --force-cache to use it anyway)');
}

export interface StoreEvents {
  hit?: (id: string) => void;
  stored?: (id: string) => void;
}

export function gateResultStore(config: GenprobeConfig, opts: KeyOptions, events: StoreEvents = {}, cwd = process.cwd()): ResultStore & { cache: ResultCache } {
  const cache = new ResultCache({ dir: cacheDir(config, cwd), ttlMs: parseDurationMs(config.gate.cache.ttl)!, maxBytes: config.gate.cache.maxMb * 1024 * 1024 });
  const keyOf = (e: Parameters<ResultStore['lookup']>[0]) => resultCacheKey(e, config, config.endpoints[e.id] ?? {}, opts);
  return {
    cache,
    lookup(entry) {
      const hit = cache.get(keyOf(entry));
      if (hit) events.hit?.(entry.id);
      return hit;
    },
    store(entry, run) {
      if (cache.put(keyOf(entry), run)) events.stored?.(entry.id);
    },
  };
}

/**
 * The gate's on-disk result cache (`gate --cache`): an endpoint's outputs and verdicts stored under
 * a hash of everything they depend on (cache/key.ts), reused within a TTL so local work on the
 * harness does not pay for GPU time again. Errors are never stored (a 5xx, a timeout or a network
 * failure says nothing about the contract and must be asked again). The directory is capped in
 * bytes; the oldest entries go first. Entries are written to a temp file and renamed, so a killed
 * gate leaves no half entry; an unreadable entry is a miss and is removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { relinkChecks } from '../report/relink.ts';
import type { EndpointReport } from '../report/types.ts';
import type { EndpointRun } from '../runner/run-endpoint.ts';

export interface CacheOptions {
  dir: string;
  ttlMs: number;
  maxBytes: number;
  now?: () => number;
}

interface StoredEntry {
  version: 1;
  key: string;
  storedAt: number;
  report: EndpointReport;
  output?: { sniffedType: string; body: string };
  reference?: string;
}

export type CachedReport = EndpointReport & { cached?: { storedAt: string; key: string } };

/**
 * A result that must be asked again: a call that got no answer or was never sent, Modal's edge
 * answering (408, invalid function call, timeouts), a body over the cap, or a 5xx on the happy path
 * (the app was unhealthy). A bad request's 5xx is the route's recorded behaviour, not an error.
 */
export function isErrorResult(report: EndpointReport): boolean {
  return report.cases.some((c) => c.status === null || (c.failure !== undefined && c.failure.class !== 'app-error') || (c.kind === 'happy' && c.status >= 500));
}

/** A copy with every waiver mark removed: the waivers in force when the entry is read decide. */
export function withoutWaivers(report: EndpointReport): EndpointReport {
  const copy = structuredClone(report);
  for (const c of [...copy.checks, ...copy.cases.flatMap((cs) => cs.checks)]) delete c.waived;
  return copy;
}

export class ResultCache {
  readonly #o: Required<CacheOptions>;

  constructor(opts: CacheOptions) {
    if (!(opts.ttlMs > 0)) throw new RangeError('cache TTL must be positive');
    if (!(opts.maxBytes > 0)) throw new RangeError('cache size cap must be positive');
    this.#o = { now: Date.now, ...opts };
    mkdirSync(this.#o.dir, { recursive: true });
  }

  #file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a cache key: ${key}`);
    return path.join(this.#o.dir, `${key}.json`);
  }

  get(key: string): EndpointRun | undefined {
    const file = this.#file(key);
    let entry: StoredEntry;
    try {
      entry = JSON.parse(readFileSync(file, 'utf8')) as StoredEntry;
      if (entry.version !== 1 || entry.key !== key) throw new Error('foreign entry');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(file, { force: true });
      return undefined;
    }
    if (this.#o.now() - entry.storedAt > this.#o.ttlMs) {
      rmSync(file, { force: true });
      return undefined;
    }
    const report: CachedReport = { ...relinkChecks(entry.report), cached: { storedAt: new Date(entry.storedAt).toISOString(), key } };
    return {
      report,
      output: entry.output ? { sniffedType: entry.output.sniffedType, body: Buffer.from(entry.output.body, 'base64') } : undefined,
      reference: entry.reference ? Buffer.from(entry.reference, 'base64') : undefined,
    };
  }

  /** Store a result (a deep copy, before waivers: the waivers in force when it is read apply). Errors are refused. */
  put(key: string, run: EndpointRun): boolean {
    if (run.report.verdict === 'skipped' || isErrorResult(run.report)) return false;
    const entry: StoredEntry = {
      version: 1,
      key,
      storedAt: this.#o.now(),
      report: withoutWaivers(run.report),
      ...(run.output ? { output: { sniffedType: run.output.sniffedType, body: run.output.body.toString('base64') } } : {}),
      ...(run.reference ? { reference: run.reference.toString('base64') } : {}),
    };
    const file = this.#file(key);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry), { flag: 'wx' });
    renameSync(tmp, file);
    this.evict();
    return true;
  }

  /** Remove the oldest entries until the directory is within its cap. */
  evict(): void {
    const entries = readdirSync(this.#o.dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => {
        const p = path.join(this.#o.dir, n);
        const st = statSync(p);
        return { p, size: st.size, mtime: st.mtimeMs };
      })
      .sort((a, b) => a.mtime - b.mtime);
    let total = entries.reduce((s, e) => s + e.size, 0);
    for (const e of entries) {
      if (total <= this.#o.maxBytes) break;
      rmSync(e.p, { force: true });
      total -= e.size;
    }
  }
}

/**
 * The prober's check of its own reachability (Gatus' connectivity checker). Before a probe that got
 * no HTTP answer at all (connection refused, DNS, reset, deadline) is recorded against its
 * endpoint, the prober asks its canaries: any HTTP answer from any canary, even an error status,
 * proves the network path works, so the failure is the endpoint's. When no canary answers either,
 * the prober itself is cut off and the probe is recorded as `prober-offline`, never as a failure.
 *
 * Canaries are app names (GET /health on the target, like a warm-up: an HTTP answer of any kind
 * counts) or absolute http(s) URLs. The default is the /health of two apps on different GPUs and
 * code paths. A whole-fleet outage also silences every canary that is an app of the fleet, which
 * is why production configs should add one URL outside it (e.g. https://modal.com); the
 * prober-offline alert pages in either case.
 */
import type { ModalClient } from '../client/index.ts';
import type { CallResult } from '../client/types.ts';

export const DEFAULT_CANARIES = ['ryla-flux', 'ryla-qwen-image'] as const;
/** A self-check result is reused for this long (one outage makes many probes fail at once). */
export const SELF_CHECK_TTL_MS = 15_000;
const CANARY_DEADLINE_MS = 10_000;

export interface SelfCheckResult {
  online: boolean;
  at: number;
  /** Per canary: the HTTP status it answered with, or the reason it did not. */
  canaries: { canary: string; status: number | null; error?: string }[];
}

/** No HTTP answer arrived: the kind of failure a cut-off prober also produces. */
export function isUnreachable(call: Pick<CallResult, 'status' | 'failure'> | { status: number | null; failure?: { class: string } }): boolean {
  return call.status === null && (call.failure?.class === 'network' || call.failure?.class === 'timeout');
}

export interface SelfCheckOptions {
  client: ModalClient;
  canaries: readonly string[];
  now?: () => number;
  /** Plain GET for URL canaries (tests inject one). */
  fetchStatus?: (url: string, timeoutMs: number) => Promise<number>;
}

async function defaultFetchStatus(url: string, timeoutMs: number): Promise<number> {
  const res = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return res.status;
}

export class SelfCheck {
  readonly #opts: SelfCheckOptions;
  readonly #now: () => number;
  #last: SelfCheckResult | undefined;
  #inflight: Promise<SelfCheckResult> | undefined;

  constructor(opts: SelfCheckOptions) {
    if (!opts.canaries.length) throw new RangeError('the self-check needs at least one canary');
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  get last(): SelfCheckResult | undefined {
    return this.#last;
  }

  /** Whether the prober can reach anything; concurrent callers share one check, reused for a while. */
  check(): Promise<SelfCheckResult> {
    if (this.#last && this.#now() - this.#last.at < SELF_CHECK_TTL_MS) return Promise.resolve(this.#last);
    this.#inflight ??= this.#run().finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  async #run(): Promise<SelfCheckResult> {
    const canaries = await Promise.all(this.#opts.canaries.map((c) => this.#probe(c)));
    this.#last = { online: canaries.some((c) => c.status !== null), at: this.#now(), canaries };
    return this.#last;
  }

  async #probe(canary: string): Promise<SelfCheckResult['canaries'][number]> {
    if (/^https?:\/\//.test(canary)) {
      try {
        return { canary, status: await (this.#opts.fetchStatus ?? defaultFetchStatus)(canary, CANARY_DEADLINE_MS) };
      } catch (err) {
        return { canary, status: null, error: this.#opts.client.redact(String((err as Error)?.message ?? err)).slice(0, 200) };
      }
    }
    let call: CallResult;
    try {
      call = await this.#opts.client.call({ app: canary, path: '/health', method: 'GET', deadlineMs: CANARY_DEADLINE_MS });
    } catch (err) {
      return { canary, status: null, error: this.#opts.client.redact(String((err as Error)?.message ?? err)).slice(0, 200) };
    }
    return { canary, status: call.status, ...(call.status === null ? { error: call.failure?.message.slice(0, 200) ?? 'no answer' } : {}) };
  }
}

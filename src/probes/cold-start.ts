/**
 * Cold/warm classification of one call (docs/fleet.md §2.7: @modal.enter launches ComfyUI before the
 * first request is served; scaledown_window=300 s stops an idle container). Modal does not tell a
 * client whether its request paid a container start, so genprobe infers it from three pieces of
 * evidence, strongest first:
 *
 *  1. The call's own time against the endpoint's warm baseline (rolling median of recent warm calls,
 *     or the catalog's warm budget until there is history). A cold start adds the app's documented
 *     container start; an excess of at least half of it is read as cold.
 *  2. A warm-up GET /health made just before the call (the warm-up paid any container start, so the
 *     call itself is warm) — and whether that warm-up itself was cold.
 *  3. Time since genprobe last used the app against its scaledown window. This is only a prior:
 *     production traffic genprobe cannot see may keep a container alive, so when genprobe's own
 *     idle time says "cold" the evidence threshold is lowered, not skipped.
 *
 * Everything here is pure: times in, a start type and the reason that decided it out.
 */

export type ClassifiedStart = 'cold' | 'warm';

export interface StartClassification {
  start: ClassifiedStart;
  reason: string;
}

/** Share of the documented cold start a call must exceed its warm baseline by to count as cold. */
export const COLD_EXCESS_SHARE = 0.5;
/** Lower share used when the app had been idle past its scaledown window (the prior says cold). */
export const COLD_EXCESS_SHARE_AFTER_IDLE = 0.25;

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export interface WarmUpStartInput {
  /** How long GET /health took, ms. */
  durationMs: number;
  /** The app's documented container start (AppSpec.coldStartSec), already time-scaled, ms. */
  coldStartMs: number;
  /** ms since genprobe last used the app, or null when it never has. */
  idleMs: number | null;
  /** The app's scaledown window, already time-scaled, ms. */
  scaledownWindowMs: number;
}

/**
 * A warm-up is GET /health: static JSON that answers in milliseconds unless the container is still
 * running @modal.enter. So its own duration is the evidence; idle time only explains it.
 */
export function classifyWarmUp(input: WarmUpStartInput): StartClassification {
  const threshold = input.coldStartMs * COLD_EXCESS_SHARE;
  const idle = describeIdle(input.idleMs, input.scaledownWindowMs);
  if (input.durationMs >= threshold) {
    return { start: 'cold', reason: `GET /health took ${sec(input.durationMs)}, at least half the documented ${sec(input.coldStartMs)} container start; ${idle}` };
  }
  return { start: 'warm', reason: `GET /health answered in ${sec(input.durationMs)}, under half the documented ${sec(input.coldStartMs)} container start; ${idle}` };
}

export interface CallStartInput {
  /** Wall time of the call, ms. */
  callMs: number;
  /** Median of recent warm calls of this endpoint, ms; null until there is history. */
  warmBaselineMs: number | null;
  /** Baseline to use without history: the catalog's warm budget, time-scaled, ms. */
  fallbackBaselineMs: number;
  /** The app's documented container start, time-scaled, ms. */
  coldStartMs: number;
  /** ms since genprobe last used the app before this probe, or null when it never has. */
  idleMs: number | null;
  scaledownWindowMs: number;
  /** The warm-up made for this probe, if one was made and answered 200. */
  warmUp?: { durationMs: number; start: ClassifiedStart } | null;
}

export function classifyCall(input: CallStartInput): StartClassification {
  const baselineMs = input.warmBaselineMs ?? input.fallbackBaselineMs;
  const baselineName = input.warmBaselineMs === null ? 'catalog warm budget' : 'warm baseline (median of recent warm calls)';
  const idlePastWindow = !input.warmUp && (input.idleMs === null || input.idleMs > input.scaledownWindowMs);
  const share = idlePastWindow ? COLD_EXCESS_SHARE_AFTER_IDLE : COLD_EXCESS_SHARE;
  const excessMs = input.callMs - baselineMs;
  const idle = describeIdle(input.idleMs, input.scaledownWindowMs);
  const warmUp = input.warmUp ? `warmed by GET /health first (${input.warmUp.start}, ${sec(input.warmUp.durationMs)})` : 'no warm-up';

  if (excessMs >= input.coldStartMs * share) {
    return {
      start: 'cold',
      reason: `call took ${sec(input.callMs)}, ${sec(excessMs)} over its ${baselineName} ${sec(baselineMs)} (≥ ${share * 100} % of the documented ${sec(input.coldStartMs)} container start); ${warmUp}; ${idle}`,
    };
  }
  if (input.warmUp) {
    return { start: 'warm', reason: `${warmUp}; call took ${sec(input.callMs)} against its ${baselineName} ${sec(baselineMs)}` };
  }
  if (idlePastWindow) {
    return {
      start: 'warm',
      reason: `${idle}, yet the call took ${sec(input.callMs)}, in line with its ${baselineName} ${sec(baselineMs)}: a container was still up (other traffic kept it warm)`,
    };
  }
  return { start: 'warm', reason: `${idle}; call took ${sec(input.callMs)} against its ${baselineName} ${sec(baselineMs)}` };
}

function describeIdle(idleMs: number | null, windowMs: number): string {
  if (idleMs === null) return `app not used by genprobe before (scaledown window ${sec(windowMs)})`;
  const relation = idleMs > windowMs ? 'past' : 'within';
  return `app idle ${sec(idleMs)}, ${relation} its scaledown window ${sec(windowMs)}`;
}

/** Rolling median of the last `size` warm call durations per endpoint. */
export class WarmBaseline {
  readonly #samples = new Map<string, number[]>();
  constructor(readonly size = 9) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`baseline size must be a positive integer, got ${size}`);
  }
  add(endpoint: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const list = this.#samples.get(endpoint) ?? [];
    list.push(ms);
    if (list.length > this.size) list.shift();
    this.#samples.set(endpoint, list);
  }
  median(endpoint: string): number | null {
    const list = this.#samples.get(endpoint);
    if (!list?.length) return null;
    const sorted = [...list].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}

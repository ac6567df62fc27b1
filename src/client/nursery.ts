/**
 * The client thread's scavenges, run between calls instead of inside them (issue 16, part 2).
 *
 * A call's clock runs from its first request byte to the parser's last response byte (./timing.ts).
 * V8 scavenges the young generation when an allocation finds the nursery full or, sooner, in a task
 * it posts once the nursery passes 80 % (below), and most of a call's allocation on this thread
 * (~140 KB) happens while its response is parsed, inside that window: of 203 direct calls to the
 * overhead bench's route, 13 (6 %, more than the p95's 5 %) had one of this thread's collections
 * inside their clock, 11 of them scavenges of 0.6–1.3 ms. So when the thread goes idle and the
 * next call might take the nursery to where V8 scavenges, it is filled with short-lived garbage at
 * once: the scavenge V8 would have run during the next call runs now, on an idle thread, and the
 * next call starts with an emptied nursery (0 of 203 calls then).
 *
 * Only the timing moves: it is a scavenge of the same nursery, a little earlier, not a bigger or a
 * full collection (their count rose from 36 to 59 per 203 calls, each as short).
 * A forced gc() after every call was tried before (958671d) and reverted: the soak's resident
 * memory stepped up by up to 74 MB with it. With calls in flight nothing runs, as it would then
 * land in their clocks.
 */
import v8 from 'node:v8';

/** The young generation's semi-space as V8 reports it, bytes. */
export interface NurseryUse {
  used: number;
  available: number;
}

export function nurseryUse(): NurseryUse {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!space) throw new Error('V8 reports no new_space: the nursery cannot be watched on this Node');
  return { used: space.space_used_size, available: space.space_available_size };
}

/** One array of this many small integers is ~8 KiB: a regular young object, not a large-object page. */
const GARBAGE_ELEMENTS = 1024;
const GARBAGE_BYTES = GARBAGE_ELEMENTS * 8;
/** Past the room left, so the allocation that finds the nursery full is certainly among ours. */
const OVERSHOOT_BYTES = 64 * 1024;

/** Holds each array until the next replaces it, so the optimiser cannot drop the allocations. */
const sink: { last: unknown } = { last: undefined };

/** Fills the nursery's `available` bytes (and a margin) with garbage: V8 scavenges on the way. */
export function scavengeByFilling(available: number): void {
  for (let left = available + OVERSHOOT_BYTES; left > 0; left -= GARBAGE_BYTES) sink.last = new Array(GARBAGE_ELEMENTS).fill(0);
  sink.last = undefined;
}

/** The last few busy periods' allocation is the estimate of what the next one takes. */
const REMEMBERED_PERIODS = 8;
/** Below this the estimate is not trusted: a period that ran a scavenge itself reads as ~0. */
const MIN_PERIOD_BYTES = 64 * 1024;
/**
 * V8 does not wait for the nursery to be full: once an allocation takes it past 80 % of its
 * capacity it posts a scavenge task (`node --v8-options`: --minor-gc-task, --minor-gc-task-trigger=80
 * in Node 20's V8 11.3), which the thread's loop runs at its next turn, inside a call's clock if one
 * is running.
 */
const SCAVENGE_TASK_SHARE = 0.8;
/** Room for twice what a period has been taking, so a somewhat larger call still fits. */
const HEADROOM = 2;

/**
 * Counts the calls in flight; a busy period runs from the first one starting to the last one ending.
 * When one ends, on the next loop turn (the answer is posted first) and only if no call started
 * meanwhile, it scavenges if another period like the largest recent ones would take the nursery
 * past the share at which V8 posts its own scavenge task.
 */
export class NurseryKeeper {
  #inFlight = 0;
  #usedAtStart = 0;
  readonly #periods: number[] = [];

  constructor(
    private readonly use: () => NurseryUse = nurseryUse,
    private readonly scavenge: (available: number) => void = scavengeByFilling,
    private readonly nextTurn: (fn: () => void) => unknown = setImmediate,
  ) {}

  begin(): void {
    if (this.#inFlight++ === 0) this.#usedAtStart = this.use().used;
  }

  end(): void {
    if (--this.#inFlight > 0) return;
    // A period during which V8 scavenged reads as less than it took; the floor keeps it counted.
    this.#remember(Math.max(MIN_PERIOD_BYTES, this.use().used - this.#usedAtStart));
    this.nextTurn(() => {
      if (this.#inFlight > 0) return;
      const now = this.use();
      if (this.#nextPeriodWouldTrigger(now)) this.scavenge(now.available);
    });
  }

  #nextPeriodWouldTrigger({ used, available }: NurseryUse): boolean {
    return used + HEADROOM * Math.max(...this.#periods) > SCAVENGE_TASK_SHARE * (used + available);
  }

  #remember(bytes: number): void {
    this.#periods.push(bytes);
    if (this.#periods.length > REMEMBERED_PERIODS) this.#periods.shift();
  }
}

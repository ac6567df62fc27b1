/**
 * The client thread's young-generation garbage, collected when the thread goes idle (issue 16, part 2).
 * A call's clock runs from its first request byte to the parser's last response byte (./timing.ts);
 * a scavenge that V8 starts inside that window is genprobe's own work in the reported latency. Each
 * call allocates ~130 KB of JS heap on this thread, so left alone V8 scavenges every few calls,
 * wherever the allocation happens to fill the nursery: with the overhead bench's 812 POST calls, 13
 * had one of this thread's collections inside their clock. Collecting the nursery as soon as no
 * call is in flight (~0.6 ms, before the next call is even posted) leaves the next call an empty
 * nursery: 2 of 806 in the same bench. Only when idle: with calls in flight a forced collection
 * would land in their clocks instead.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** V8's scavenge of this thread's heap, synchronous. */
export type CollectYoung = () => void;

/**
 * gc() for this thread's isolate. V8 reads --expose-gc when a context is made, so the flag is set
 * only around making one context of our own and cleared again: no other context, on any thread,
 * gets a global `gc`. Throws if this Node cannot expose it, rather than run without it unnoticed.
 */
export function youngGenerationCollector(): CollectYoung {
  v8.setFlagsFromString('--expose-gc');
  try {
    const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
    if (typeof gc !== 'function') throw new Error('V8 did not expose gc() with --expose-gc');
    return () => gc({ type: 'minor', execution: 'sync' });
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** Counts the calls in flight and collects the nursery once none is, on the next loop turn. */
export class IdleCollector {
  #inFlight = 0;

  constructor(
    private readonly collect: CollectYoung,
    private readonly nextTurn: (fn: () => void) => unknown = setImmediate,
  ) {}

  begin(): void {
    this.#inFlight++;
  }

  /** The next turn, not now: the caller still posts the answer first, and a call posted meanwhile cancels it. */
  end(): void {
    if (--this.#inFlight > 0) return;
    this.nextTurn(() => {
      if (this.#inFlight === 0) this.collect();
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }
}

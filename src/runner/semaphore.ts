/**
 * A counting semaphore: at most `limit` holders at once. Waiters are served by priority (higher
 * first), FIFO among equals, and may give up after a timeout — a caller's patience is finite, and
 * a slot held by a hung call must not make every other caller wait forever.
 */
export interface AcquireOptions {
  /** Higher is served first (e.g. the estimated length of the caller's remaining chain). Default 0. */
  priority?: number;
  /** Give up after this many ms of waiting (resolves null). Default: wait indefinitely. */
  timeoutMs?: number;
}

interface Waiter {
  priority: number;
  seq: number;
  grant: () => void;
}

export class Semaphore {
  private active = 0;
  private seq = 0;
  private readonly queue: Waiter[] = [];
  #limit: number;
  constructor(limit: number) {
    this.#limit = Semaphore.checked(limit);
  }

  private static checked(limit: number): number {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    return limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** A new limit; holders above a lowered one keep their slots until they release them. */
  resize(limit: number): void {
    this.#limit = Semaphore.checked(limit);
    while (this.active < this.#limit && this.queue.length) this.queue.shift()!.grant();
  }

  async acquire(opts: AcquireOptions = {}): Promise<() => void> {
    const release = await this.acquireWithin(opts);
    if (!release) throw new Error('semaphore: timed out waiting for a slot');
    return release;
  }

  /** A releaser, or null when `timeoutMs` passed first. */
  acquireWithin(opts: AcquireOptions = {}): Promise<(() => void) | null> {
    if (this.active < this.#limit && this.queue.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        priority: opts.priority ?? 0,
        seq: this.seq++,
        grant: () => {
          if (timer) clearTimeout(timer);
          this.active++;
          resolve(this.releaser());
        },
      };
      // Sorted insert: higher priority first, then arrival order.
      const at = this.queue.findIndex((w) => w.priority < waiter.priority);
      this.queue.splice(at < 0 ? this.queue.length : at, 0, waiter);
      if (opts.timeoutMs !== undefined && Number.isFinite(opts.timeoutMs)) {
        timer = setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          resolve(null);
        }, Math.max(0, opts.timeoutMs));
      }
    });
  }

  async run<T>(fn: () => Promise<T>, opts: AcquireOptions = {}): Promise<T> {
    const release = await this.acquire(opts);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      if (this.active < this.#limit) this.queue.shift()?.grant();
    };
  }
}

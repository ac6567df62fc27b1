/** What travels between a RequestWorker (./request-worker.ts) and the thread serving it (./serve.ts). */

/**
 * Caller → thread: a request, the caller giving up on one, or a full garbage collection (where the
 * process exposes gc(): a soak measures memory retained, not memory not yet collected).
 */
export type ToThread<Req> = { id: number; payload: Req } | { id: number; cancel: true } | { id: number; collect: true };

/** Thread → caller: the answer to request `id`, the error it threw (message and code only), or whether it collected. */
export type FromThread<Res> = { id: number; result: Res } | { id: number; error: ThreadError } | { id: number; collected: boolean };

export interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

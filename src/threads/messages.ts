/** What travels between a RequestWorker (./request-worker.ts) and the thread serving it (./serve.ts). */

/** Caller → thread: a request, or the caller giving up on one. */
export type ToThread<Req> = { id: number; payload: Req } | { id: number; cancel: true };

/** Thread → caller: the answer to request `id`, or the error it threw (message and code only). */
export type FromThread<Res> = { id: number; result: Res } | { id: number; error: ThreadError };

export interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

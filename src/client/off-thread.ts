/**
 * The client's calls on a worker thread of their own (issue 16, part 2). A call is timed where its bytes
 * move (./timing.ts), but those moments are JavaScript callbacks: on the caller's thread they wait for
 * whatever else that thread is doing, its checks and above all its garbage collections, whose heap holds
 * every decoded output. On the client's thread, whose heap holds little more than the call in flight,
 * they do not (bench/overhead.bench.ts measures both). The thread runs the very same ModalClient code
 * (./worker.ts); the body comes back moved, not copied.
 */
import { RequestWorker } from '../threads/request-worker.ts';
import type { CallResult, PreparedCall } from './types.ts';

/** What crosses to the client's thread: the caller's client options, the call, and when it was posted. */
export interface ThreadCall {
  /** ModalClientOptions without the thread-bound dispatcher and lookup (the credentials stay in memory). */
  options: object;
  call: PreparedCall;
  /** performance.timeOrigin + performance.now() when posted: a clock both threads share. */
  postedAt: number;
}

const clientWorker = new RequestWorker<ThreadCall, CallResult>(new URL('./worker.ts', import.meta.url), 'client');

export const sharedNow = (): number => performance.timeOrigin + performance.now();

/** `call` made by a ModalClient built from `options` on the client's thread; aborting `signal` aborts it there. */
export async function callOnClientThread(options: object, call: PreparedCall, signal?: AbortSignal): Promise<CallResult> {
  const result = await clientWorker.request({ options, call, postedAt: sharedNow() }, { signal });
  // Structured cloning delivers the moved body as a Uint8Array over the same memory.
  return { ...result, body: Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength) };
}

/** A full garbage collection on the client's thread, if it runs and gc() is exposed (the soak's samples). */
export function collectClientThreadGarbage(): Promise<boolean> {
  return clientWorker.collectGarbage();
}

/** Stop the client's thread (tests, shutdown); calls in flight fail. The next call starts a new one. */
export function closeClientThread(): Promise<void> {
  return clientWorker.close();
}

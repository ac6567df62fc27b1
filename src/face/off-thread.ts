/**
 * faceMatchCheck on a worker thread, so decoding, detection and embedding (~100 ms of CPU per image, seconds
 * for a video) do not sit on the event loop that times calls still in flight (issue 16, part 3). Same options,
 * same results: the worker runs the same faceMatchCheck on the same WASM build (off-thread.test.ts compares
 * them). One worker per process (src/threads/), started on first use; it does not keep the process alive
 * when idle. Harness errors come back as errors with the worker's message (and code).
 */
import { RequestWorker } from '../threads/request-worker.ts';
import type { CheckResult } from '../checks/types.ts';
import type { FaceMatchOptions } from './check.ts';

const faceWorker = new RequestWorker<FaceMatchOptions, CheckResult[]>(new URL('./worker.ts', import.meta.url), 'face');

/** faceMatchCheck(opts), computed on the face worker thread. */
export function faceMatchCheckOffThread(opts: FaceMatchOptions): Promise<CheckResult[]> {
  return faceWorker.request(opts);
}

/** Stop the worker (tests, shutdown); pending requests fail. The next request starts a new one. */
export function closeFaceWorker(): Promise<void> {
  return faceWorker.close();
}

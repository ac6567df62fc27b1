/**
 * faceMatchCheck on a worker thread, so decoding, detection and embedding (~100 ms of CPU per image, seconds
 * for a video) do not sit on the event loop that times calls still in flight (issue 16, part 3). Same options,
 * same results: the worker runs the same faceMatchCheck on the same WASM build (off-thread.test.ts compares
 * them). One worker per process, started on first use and kept while requests are pending; it does not keep
 * the process alive when idle. Harness errors come back as errors with the worker's message (and code).
 */
import { Worker } from 'node:worker_threads';
import type { CheckResult } from '../checks/types.ts';
import type { FaceMatchOptions } from './check.ts';

export interface FaceRequest {
  id: number;
  opts: FaceMatchOptions;
}

export type FaceResponse = { id: number; results: CheckResult[] } | { id: number; error: { message: string; code?: string } };

interface Pending {
  resolve(results: CheckResult[]): void;
  reject(err: Error): void;
}

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 1;

function startWorker(): Worker {
  const w = new Worker(new URL('./worker-entry.mjs', import.meta.url));
  w.on('message', (res: FaceResponse) => settle(res));
  w.on('error', (err) => failAll(w, new Error(`face worker failed: ${err.message}`)));
  w.on('exit', (code) => failAll(w, new Error(`face worker exited with code ${code}`)));
  w.unref();
  return w;
}

function settle(res: FaceResponse): void {
  const p = pending.get(res.id);
  if (!p) return;
  pending.delete(res.id);
  if (pending.size === 0) worker?.unref();
  if ('results' in res) p.resolve(res.results);
  else p.reject(Object.assign(new Error(res.error.message), res.error.code ? { code: res.error.code } : {}));
}

/** The worker died: every pending request fails with why, and the next request starts a new worker. */
function failAll(w: Worker, err: Error): void {
  if (worker !== w) return;
  worker = undefined;
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

/** faceMatchCheck(opts), computed on the face worker thread. */
export function faceMatchCheckOffThread(opts: FaceMatchOptions): Promise<CheckResult[]> {
  worker ??= startWorker();
  const w = worker;
  const id = nextId++;
  return new Promise<CheckResult[]>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref(); // a pending request keeps the process alive until its answer arrives
    const req: FaceRequest = { id, opts };
    w.postMessage(req);
  });
}

/** Stop the worker (tests, shutdown); pending requests fail. The next request starts a new one. */
export async function closeFaceWorker(): Promise<void> {
  const w = worker;
  if (!w) return;
  failAll(w, new Error('face worker closed'));
  await w.terminate();
}

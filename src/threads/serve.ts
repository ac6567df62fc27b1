/**
 * The thread's side of a RequestWorker (./request-worker.ts): each request runs `handle` with a
 * signal that a cancel from the caller aborts; the answer (with what it lists to transfer) or the
 * error's name, message and code goes back under the request's id.
 */
import { parentPort } from 'node:worker_threads';
import type { FromThread, ToThread } from './messages.ts';

export interface Answer<Res> {
  result: Res;
  transfer?: Transferable[];
}

/** A full collection of this thread's heap, where the process was started with gc() exposed. */
function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

export function serveRequests<Req, Res>(handle: (payload: Req, signal: AbortSignal) => Promise<Answer<Res>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests() runs only on a worker thread started by RequestWorker');
  const inFlight = new Map<number, AbortController>();
  port.on('message', async (msg: ToThread<Req>) => {
    if ('cancel' in msg) return inFlight.get(msg.id)?.abort();
    if ('collect' in msg) return port.postMessage({ id: msg.id, collected: collectGarbage() } satisfies FromThread<Res>);
    const controller = new AbortController();
    inFlight.set(msg.id, controller);
    try {
      const answer = await handle(msg.payload, controller.signal);
      port.postMessage({ id: msg.id, result: answer.result } satisfies FromThread<Res>, answer.transfer as never);
    } catch (err) {
      const e = err as Error & { code?: unknown };
      const error = { name: e?.name ?? 'Error', message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
      port.postMessage({ id: msg.id, error } satisfies FromThread<Res>);
    } finally {
      inFlight.delete(msg.id);
    }
  });
}

/**
 * A worker thread that answers requests: started on first use, each answer matched to its request by
 * id, referenced only while a request is pending (an idle worker never keeps the process alive). If
 * the thread dies, every pending request fails with why and the next request starts a new thread.
 * The face check (src/face/off-thread.ts) and the client's calls (src/client/off-thread.ts) use it
 * to keep their work off the caller's event loop and heap (issue 16).
 */
import { Worker } from 'node:worker_threads';
import type { FromThread, ThreadError, ToThread } from './messages.ts';

const ENTRY = new URL('./entry.mjs', import.meta.url);

interface Pending<Res> {
  resolve(result: Res): void;
  reject(err: Error): void;
}

/** An error thrown on the thread, rebuilt on the caller's side with its name, message and code. */
export class ThreadRequestError extends Error {
  readonly code?: string;
  constructor(e: ThreadError) {
    super(e.message);
    this.name = e.name;
    if (e.code !== undefined) this.code = e.code;
  }
}

export class RequestWorker<Req, Res> {
  readonly #module: URL;
  readonly #label: string;
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending<Res>>();
  readonly #collects = new Map<number, (collected: boolean) => void>();
  #nextId = 1;

  /** `module` is the thread's side, a module that calls serveRequests(); `label` names it in errors. */
  constructor(module: URL, label: string) {
    this.#module = module;
    this.#label = label;
  }

  /**
   * Sends `payload` (its `transfer` list moves instead of being copied) and resolves with the
   * thread's answer. An abort of `signal` tells the thread to cancel; the answer still comes from it.
   */
  request(payload: Req, opts: { transfer?: Transferable[]; signal?: AbortSignal } = {}): Promise<Res> {
    const w = (this.#worker ??= this.#start());
    const id = this.#nextId++;
    return new Promise<Res>((resolve, reject) => {
      const cancel = () => w.postMessage({ id, cancel: true } satisfies ToThread<Req>);
      opts.signal?.addEventListener('abort', cancel, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', cancel);
      this.#pending.set(id, { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) });
      w.ref(); // a pending request keeps the process alive until its answer arrives
      w.postMessage({ id, payload } satisfies ToThread<Req>, opts.transfer as never);
      if (opts.signal?.aborted) cancel();
    });
  }

  /**
   * A full garbage collection on the thread, between or beside its requests: true when one ran,
   * false when no thread is running or the process does not expose gc() (`--expose-gc`, or
   * v8.setFlagsFromString before the thread starts). For measurements of memory retained.
   */
  collectGarbage(): Promise<boolean> {
    const w = this.#worker;
    if (!w) return Promise.resolve(false);
    const id = this.#nextId++;
    return new Promise<boolean>((resolve) => {
      this.#collects.set(id, resolve);
      w.postMessage({ id, collect: true } satisfies ToThread<Req>);
    });
  }

  /** Stops the thread (tests, shutdown); pending requests fail. The next request starts a new one. */
  async close(): Promise<void> {
    const w = this.#worker;
    if (!w) return;
    this.#failAll(w, new Error(`${this.#label} worker closed`));
    await w.terminate();
  }

  #start(): Worker {
    const w = new Worker(ENTRY, { workerData: { module: this.#module.href } });
    w.on('message', (msg: FromThread<Res>) => this.#settle(w, msg));
    w.on('error', (err) => this.#failAll(w, new Error(`${this.#label} worker failed: ${err.message}`)));
    w.on('exit', (code) => this.#failAll(w, new Error(`${this.#label} worker exited with code ${code}`)));
    w.unref();
    return w;
  }

  #settle(w: Worker, msg: FromThread<Res>): void {
    if ('collected' in msg) {
      this.#collects.get(msg.id)?.(msg.collected);
      this.#collects.delete(msg.id);
      return;
    }
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (this.#pending.size === 0) w.unref();
    if ('result' in msg) p.resolve(msg.result);
    else p.reject(new ThreadRequestError(msg.error));
  }

  #failAll(w: Worker, err: Error): void {
    if (this.#worker !== w) return;
    this.#worker = undefined;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    for (const resolve of this.#collects.values()) resolve(false);
    this.#collects.clear();
  }
}

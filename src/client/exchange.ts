/**
 * One hop of a call: send the request and collect the response, as one undici dispatch handler.
 * undici's request() would hand the body over as a stream, resolve at the headers and let
 * genprobe's own work (header handling, stream set-up, a loop turn per read) run while the rest
 * of the body is still arriving, inside the call's clock. Here the parser's callbacks only append
 * to a sink; the hop settles once the last byte is parsed, and everything else runs after.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { BodyRead, BodySink } from './body.ts';

/** What the request is: the parts undici's request() would take. */
export interface HopRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

/** The response as parsed, and how reading its body ended. */
export interface HopAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  read: BodyRead;
}

/** Picks where the body goes once the status and headers are known; `stopReading` aborts the connection. */
export type SinkFor = (statusCode: number, headers: IncomingHttpHeaders, stopReading: () => void) => BodySink;

interface Controller {
  abort(reason: unknown): void;
}

/**
 * Sends `req` through `dispatcher`. Resolves once the body has been read (or reading stopped);
 * rejects when no response arrived: a connection or protocol error, or `signal` firing first.
 */
export function exchange(dispatcher: Dispatcher, req: HopRequest, signal: AbortSignal, sinkFor: SinkFor): Promise<HopAnswer> {
  return new Promise((resolve, reject) => {
    const handler = new CollectingHandler(signal, sinkFor, resolve, reject);
    const url = new URL(req.url);
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: req.headers,
        body: req.body,
        // The call's deadline is the only clock; undici's own 300 s timers would pre-empt it.
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      handler as unknown as Dispatcher.DispatchHandler,
    );
  });
}

/** undici's new-style handler: each callback does the least it can, since the parser waits on it. */
class CollectingHandler {
  #controller: Controller | null = null;
  /** The final response's status and headers, and the sink its body goes to, once they are known. */
  #response: (Omit<HopAnswer, 'read'> & { sink: BodySink }) | null = null;
  #settled = false;
  readonly #onAbort = () => {
    this.#controller?.abort(this.signal.reason);
    // No response yet: the call ends now, whatever undici still does with the queued request.
    if (!this.#response) this.#fail(this.signal.reason);
  };

  constructor(
    private readonly signal: AbortSignal,
    private readonly sinkFor: SinkFor,
    private readonly resolve: (answer: HopAnswer) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    if (signal.aborted) queueMicrotask(this.#onAbort);
    else signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#settled || this.signal.aborted) controller.abort(this.signal.reason ?? new Error('hop already ended'));
  }

  onResponseStart(controller: Controller, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx answers are interim; the final response follows on the same request.
    if (statusCode < 200 || this.#settled) return;
    // A sink may refuse the body as it opens; undici then calls onResponseError at once, which
    // must find the sink in place, so the abort waits until it is.
    let opened = false;
    let stopAsked = false;
    const stopReading = () => {
      if (opened) controller.abort(new Error('body read stopped'));
      else stopAsked = true;
    };
    this.#response = { statusCode, headers, sink: this.sinkFor(statusCode, headers, stopReading) };
    opened = true;
    if (stopAsked) stopReading();
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    this.#response?.sink.write(chunk);
  }

  onResponseEnd(): void {
    this.#finish(undefined);
  }

  onResponseError(_controller: Controller, err: unknown): void {
    if (this.#response) this.#finish(err);
    else this.#fail(err);
  }

  /** The body's read, once its sink has settled; `err` when the connection failed mid-body. */
  #finish(err: unknown): void {
    const response = this.#response;
    if (!response) return this.#fail(err ?? new Error('response ended before its headers'));
    if (!this.#settle()) return;
    const { sink, ...answer } = response;
    sink.finish(err).then((read) => this.resolve({ ...answer, read }), this.reject);
  }

  #fail(err: unknown): void {
    if (this.#settle()) this.reject(err);
  }

  /** True the first time only: a hop settles once, and the signal is no longer its concern. */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.signal.removeEventListener('abort', this.#onAbort);
    return true;
  }
}

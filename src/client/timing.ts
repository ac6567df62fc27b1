/**
 * Where a call's latency is measured: where the bytes move, not around genprobe's own code. The
 * clock starts when undici writes the first hop's request onto an open connection (after the body
 * is serialised, the headers built and the connection set up: genprobe opens a fresh one per call
 * so surplus bytes are attributable, which a caller on a kept-alive connection never pays) and stops
 * when undici's parser has the final response's last byte (before genprobe handles the headers,
 * decodes, sniffs or redacts anything). Between those, redirects, later connections and their
 * set-up count: they are the call. Connection set-up is kept per hop as `connectMs`. While the
 * body arrives, the parser's callbacks only append chunks (src/client/exchange.ts); what genprobe
 * does on the same thread could still delay them, which is why checks run after the call.
 */
import type { Dispatcher } from 'undici';

/** Timestamps of the hop in flight, performance.now() ms; null until the event happened. */
interface HopMarks {
  dispatchedAt: number | null;
  /** The request is about to be written on a connected socket. */
  sentAt: number | null;
  headersAt: number | null;
  lastByteAt: number | null;
  endedAt: number | null;
}

const noMarks = (): HopMarks => ({ dispatchedAt: null, sentAt: null, headersAt: null, lastByteAt: null, endedAt: null });

type Handler = Dispatcher.DispatchHandler;
type Args<K extends 'onRequestStart' | 'onResponseStart' | 'onResponseData' | 'onResponseEnd' | 'onResponseError'> = Parameters<NonNullable<Handler[K]>>;

/**
 * Records one hop's byte-level timestamps on the way through to the real handler, a new-style one
 * (src/client/exchange.ts). Not an undici DecoratorHandler: that asserts one onResponseStart per
 * request, and an interim 1xx answer (a proxy's 103 Early Hints) is a second one.
 */
class TimingHandler implements Handler {
  constructor(
    private readonly handler: Handler,
    private readonly marks: HopMarks,
    private readonly onSent: (at: number) => void,
  ) {}

  /** undici calls this right before it writes the request line and headers (client-h1.js writeH1). */
  onRequestStart(...args: Args<'onRequestStart'>): void {
    const at = performance.now();
    this.marks.sentAt = at;
    this.onSent(at);
    this.handler.onRequestStart?.(...args);
  }

  onResponseStart(...args: Args<'onResponseStart'>): void {
    // An interim answer is not the response's headers.
    if (args[1] >= 200) this.marks.headersAt = performance.now();
    this.handler.onResponseStart?.(...args);
  }

  onResponseData(...args: Args<'onResponseData'>): void {
    this.marks.lastByteAt = performance.now();
    this.handler.onResponseData?.(...args);
  }

  onResponseEnd(...args: Args<'onResponseEnd'>): void {
    this.marks.endedAt = performance.now();
    this.handler.onResponseEnd?.(...args);
  }

  onResponseError(...args: Args<'onResponseError'>): void {
    this.handler.onResponseError?.(...args);
  }
}

/** One call's clock, fed by an interceptor on the dispatcher the call uses. */
export class CallClock {
  /** When the first request was written; until then, when the call began (for early failures). */
  #origin: number = performance.now();
  #started = false;
  #marks: HopMarks = noMarks();

  readonly #onSent = (at: number) => {
    if (this.#started) return;
    this.#started = true;
    this.#origin = at;
  };

  /** The dispatcher to send through: `base` with this clock's interceptor. */
  wrap(base: Dispatcher): Dispatcher {
    return base.compose((dispatch) => (opts, handler) => {
      const marks = noMarks();
      this.#marks = marks;
      marks.dispatchedAt = performance.now();
      return dispatch(opts, new TimingHandler(handler, marks, this.#onSent));
    });
  }

  /** ms the hop in flight spent before its request could be written (connection set-up, if any). */
  connectMs(): number {
    const m = this.#marks;
    if (m.dispatchedAt === null || m.sentAt === null) return 0;
    return Math.round((m.sentAt - m.dispatchedAt) * 10) / 10;
  }

  /** ms since the clock's origin, one decimal. */
  now(): number {
    return this.#at(performance.now());
  }

  /** When the hop in flight was written (else dispatched), its headers arrived, and its last byte was parsed (else now). */
  hopStartedMs(): number {
    return this.#at(this.#marks.sentAt ?? this.#marks.dispatchedAt ?? performance.now());
  }

  headersMs(): number {
    return this.#at(this.#marks.headersAt ?? performance.now());
  }

  lastByteMs(): number {
    const m = this.#marks;
    return this.#at(m.endedAt ?? m.lastByteAt ?? m.headersAt ?? performance.now());
  }

  #at(t: number): number {
    return Math.round((t - this.#origin) * 10) / 10;
  }
}

import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { sniffMediaType } from '../media/sniff.ts';
import {
  CallerAbortedError,
  DeadlineExceededError,
  InvalidArgumentError,
  classifyFailure,
  describeNetworkError,
} from './errors.ts';
import { errorCode } from '../errors/index.ts';
import type { CallFailure, CallRequest, CallResult, FailureClass, Hop, PreparedCall } from './types.ts';
import { callOnClientThread } from './off-thread.ts';
import { DEFAULT_TARGET_TEMPLATE, joinPath, redactUrl, resolveTargetUrl } from './url.ts';
import { ADDRESS_CLASSES, isLoopbackHost, type AddressClass } from './address-class.ts';
import { FRAGMENT_SCAN_CHARS, redactSecrets } from './redact.ts';
import { CallClock } from './timing.ts';
import type { SniffedType } from '../media/types.ts';
import { bodyFailure, declaredLength, drainBody, openBody, type BodySink } from './body.ts';
import { exchange, type HopAnswer } from './exchange.ts';
import { REDIRECT_BODY_DRAIN_BYTES, ReachGuard, isRedirect, redirectTarget, refuseRedirect } from './redirect.ts';

export { MAX_CONTENT_ENCODINGS } from './body.ts';
export { MAX_HOPS } from './redirect.ts';

export const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;
export const DEFAULT_USER_AGENT = 'genprobe/0.1 (undici)';

/** Bodies whose bytes are media, never text a report quotes: not rewritten by redaction. */
const MEDIA_TYPES: ReadonlySet<SniffedType> = new Set(['png', 'jpeg', 'webp', 'webp-animated', 'gif', 'mp4', 'webm']);
/** Enough of an error body to find `detail`/`error` keys; the message itself quotes ≤300 chars. */
const CLASSIFY_TEXT_BYTES = 64 * 1024;
/** setTimeout's ceiling; a longer deadline would fire immediately. */
const MAX_DEADLINE_MS = 2 ** 31 - 1;

export interface ModalAuth {
  /** Proxy-auth token id (`wk-…`), sent as `Modal-Key`. */
  key: string;
  /** Proxy-auth token secret (`ws-…`), sent as `Modal-Secret`. */
  secret: string;
}

export interface ModalClientOptions {
  /** URL template with `{workspace}` and `{app}`; default {@link DEFAULT_TARGET_TEMPLATE}. */
  targetTemplate?: string;
  workspace?: string;
  /** Cap on a response body, decoded size included; default 512 MiB. */
  maxBodyBytes?: number;
  auth?: ModalAuth;
  /**
   * Custom undici dispatcher. Without one, each call gets its own short-lived Agent, which is
   * what lets the client notice bytes sent past Content-Length (undici reports them only as a
   * connection error after the response completed, so they must be attributable to one call).
   */
  dispatcher?: Dispatcher;
  userAgent?: string;
  /**
   * Address classes a redirect may lead to besides the target's own (default none): a public
   * target's redirect to 169.254.169.254, 10.x or 127.0.0.1 is refused, and so is a loopback
   * stand-in's redirect out to the internet.
   */
  allowRedirectsTo?: readonly AddressClass[];
  /** DNS lookup used to class redirect hosts and, on the client's own connections, to connect. Default dns.lookup. */
  lookup?: LookupFunction;
  /**
   * Run each call's socket work on the client's worker thread (src/client/off-thread.ts): its own
   * event loop and heap, so the caller's garbage collections and checks cannot delay the moments
   * the call is timed at. Default on; off with a custom `dispatcher` or `lookup`, which are
   * functions and objects of this thread and cannot cross to another (asking for both is an error).
   */
  offThread?: boolean;
}

/** The options a client on the worker thread is built from: everything but the functions and objects of this thread. */
type ThreadOptions = Omit<ModalClientOptions, 'dispatcher' | 'lookup' | 'offThread'>;

export type { CallRequest } from './types.ts';

/** One deadline for the whole call, merged with the caller's signal; the abort reason says which fired. */
class CallDeadline {
  readonly controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #callerSignal?: AbortSignal;
  readonly #onCallerAbort = () => this.controller.abort(new CallerAbortedError());

  /** `spentMs`: how much of the deadline passed before the call reached this thread (the hop to the client's worker). */
  constructor(deadlineMs: number, callerSignal?: AbortSignal, spentMs = 0) {
    this.#timer = setTimeout(() => this.controller.abort(new DeadlineExceededError(deadlineMs)), Math.max(1, deadlineMs - spentMs));
    this.#callerSignal = callerSignal;
    if (callerSignal?.aborted) this.#onCallerAbort();
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 'deadline' | 'caller' once aborted, else null. */
  get firedBy(): 'deadline' | 'caller' | null {
    if (!this.signal.aborted) return null;
    return this.signal.reason instanceof CallerAbortedError ? 'caller' : 'deadline';
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}

/**
 * The latest response's state across a call's hops, and the three ways a call ends: finished
 * (with or without a failure), failed, aborted by the deadline or the caller.
 */
class CallOutcome {
  readonly hops: Hop[] = [];
  status: number | null = null;
  headers: Record<string, string> = {};
  ttfbMs: number | null = null;
  phase = 'connecting';
  // When the last body byte arrived: genprobe's own work after it (sniffing, redaction, the
  // surplus-bytes wait) is not the endpoint's latency.
  #endedAtMs: number | null = null;

  constructor(
    private readonly clock: CallClock,
    private readonly deadline: CallDeadline,
    private readonly deadlineMs: number,
    private readonly redact: (text: string) => string,
    private readonly redactBody: (body: Buffer, sniffed: SniffedType) => Buffer,
  ) {}

  /** Records a new hop; the previous response's state no longer describes the call. */
  startHop(method: 'GET' | 'POST', redactedUrl: string): Hop {
    const hop: Hop = { method, url: redactedUrl, status: null, startedAtMs: 0, waitMs: 0 };
    this.hops.push(hop);
    this.status = null;
    this.headers = {};
    this.ttfbMs = null;
    this.phase = 'waiting for response headers';
    return hop;
  }

  hopFailed(hop: Hop): void {
    hop.startedAtMs = this.clock.hopStartedMs();
    hop.waitMs = Math.round((this.clock.now() - hop.startedAtMs) * 10) / 10;
  }

  hopAnswered(hop: Hop, status: number, headers: Record<string, string>): void {
    hop.startedAtMs = this.clock.hopStartedMs();
    hop.connectMs = this.clock.connectMs();
    const headersAt = this.clock.headersMs();
    hop.waitMs = Math.round((headersAt - hop.startedAtMs) * 10) / 10;
    hop.status = status;
    this.status = status;
    this.ttfbMs = headersAt;
    this.headers = headers;
  }

  bodyEnded(): void {
    this.#endedAtMs = this.clock.lastByteMs();
  }

  finish(bodyBuf: Buffer, failure?: CallFailure): CallResult {
    const totalMs = this.#endedAtMs ?? this.clock.now();
    const sniffedType = sniffMediaType(bodyBuf);
    const result: CallResult = {
      status: this.status,
      headers: this.headers,
      body: this.redactBody(bodyBuf, sniffedType),
      declaredType: this.headers['content-type'] ?? null,
      sniffedType,
      hops: this.hops,
      totalMs,
      ttfbMs: this.ttfbMs,
    };
    if (failure) result.failure = { ...failure, message: this.redact(failure.message) };
    return result;
  }

  fail(cls: FailureClass, message: string, bodyBuf: Buffer = Buffer.alloc(0)): CallResult {
    return this.finish(bodyBuf, this.status === null ? { class: cls, message } : { class: cls, message, status: this.status });
  }

  aborted(bodyBuf?: Buffer): CallResult {
    const last = this.hops.at(-1);
    const where = last ? ` (last hop ${last.method} ${last.url}, ${this.phase})` : '';
    const hopCount = `${this.hops.length} hop${this.hops.length === 1 ? '' : 's'}`;
    if (this.deadline.firedBy === 'caller') return this.fail('timeout', `call aborted by the caller's signal after ${hopCount}${where}`, bodyBuf);
    return this.fail('timeout', `deadline of ${this.deadlineMs} ms passed after ${hopCount}${where}`, bodyBuf);
  }
}

function headerString(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** undici's per-call connection errors that mean "the server sent bytes no request asked for". */
function isSurplusBytesError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const code = errorCode(err);
  const message = (err as { message?: unknown }).message;
  return (code === 'UND_ERR_SOCKET' && message === 'bad response') || (code !== undefined && code.startsWith('HPE_'));
}

/** The worker thread's options for a client built from `opts`, or null when its calls stay on this thread. */
function threadOptions(opts: ModalClientOptions): ThreadOptions | null {
  const local = opts.dispatcher !== undefined || opts.lookup !== undefined;
  if (opts.offThread === true && local) {
    throw new InvalidArgumentError('offThread: a custom dispatcher or lookup belongs to this thread and cannot run on the client\'s worker thread; leave offThread unset or false');
  }
  if (opts.offThread === false || local) return null;
  const { dispatcher: _d, lookup: _l, offThread: _o, ...rest } = opts;
  return rest;
}

/** Proxy-auth credentials travel only encrypted, or not off this machine at all. */
function credentialsMayGoTo(url: URL): boolean {
  return url.protocol === 'https:' || isLoopbackHost(url.hostname);
}

/**
 * HTTP client for Modal-hosted endpoints: follows Modal's 150 s → 303 result-URL hops with GET,
 * records each hop, enforces one overall deadline and a body-size cap, classifies failures.
 * It never judges a contract (that is the checks' job) and never logs.
 */
export class ModalClient {
  readonly #template: string;
  readonly #workspace?: string;
  readonly #maxBodyBytes: number;
  readonly #auth?: ModalAuth;
  readonly #dispatcher?: Dispatcher;
  readonly #userAgent: string;
  readonly #allowRedirectsTo: ReadonlySet<AddressClass>;
  readonly #lookup: LookupFunction;
  /** Set when calls run on the client's worker thread: the options its twin there is built from. */
  readonly #thread: ThreadOptions | null;

  constructor(opts: ModalClientOptions = {}) {
    this.#template = opts.targetTemplate ?? DEFAULT_TARGET_TEMPLATE;
    this.#workspace = opts.workspace;
    const cap = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(cap) || cap <= 0) {
      throw new InvalidArgumentError(`maxBodyBytes must be a positive integer, got ${String(opts.maxBodyBytes)}`);
    }
    this.#maxBodyBytes = cap;
    if (opts.auth !== undefined) {
      for (const field of ['key', 'secret'] as const) {
        const value = opts.auth[field];
        // Never echo the value: only say which field is wrong.
        if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(`auth.${field} must be a non-empty string`);
        if (/[\r\n\0]/.test(value)) throw new InvalidArgumentError(`auth.${field} contains a control character`);
      }
      this.#auth = { key: opts.auth.key, secret: opts.auth.secret };
    }
    this.#dispatcher = opts.dispatcher;
    this.#userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    for (const cls of opts.allowRedirectsTo ?? []) {
      if (!ADDRESS_CLASSES.includes(cls)) throw new InvalidArgumentError(`allowRedirectsTo: unknown address class ${JSON.stringify(cls)}; known: ${ADDRESS_CLASSES.join(', ')}`);
    }
    this.#allowRedirectsTo = new Set(opts.allowRedirectsTo ?? []);
    this.#lookup = opts.lookup ?? (dns.lookup as LookupFunction);
    this.#thread = threadOptions(opts);
    // Validate the template early so a typo fails at construction, not at the first probe.
    const sample = new URL(resolveTargetUrl(this.#template, { workspace: this.#workspace ?? 'workspace', app: 'app' }));
    if (this.#auth && !credentialsMayGoTo(sample)) {
      throw new InvalidArgumentError(
        `Modal-Key/Modal-Secret would travel in clear text to ${sample.origin}: credentials are sent only over https or to a loopback stand-in (unset GENPROBE_MODAL_KEY/MODAL_KEY for a plain-http target)`,
      );
    }
  }

  /**
   * Proxy-auth credentials from the environment: `GENPROBE_MODAL_KEY`/`GENPROBE_MODAL_SECRET`
   * win over `MODAL_KEY`/`MODAL_SECRET`. Undefined when neither pair is set; a half-set pair throws.
   */
  static authFromEnv(env: NodeJS.ProcessEnv = process.env): ModalAuth | undefined {
    for (const prefix of ['GENPROBE_MODAL', 'MODAL'] as const) {
      const key = env[`${prefix}_KEY`];
      const secret = env[`${prefix}_SECRET`];
      const hasKey = key !== undefined && key !== '';
      const hasSecret = secret !== undefined && secret !== '';
      if (hasKey && hasSecret) return { key: key!, secret: secret! };
      if (hasKey || hasSecret) {
        const missing = hasKey ? `${prefix}_SECRET` : `${prefix}_KEY`;
        throw new InvalidArgumentError(`${hasKey ? `${prefix}_KEY` : `${prefix}_SECRET`} is set but ${missing} is not; set both or neither`);
      }
    }
    return undefined;
  }

  /**
   * The client for a configured target (`config.target`), with credentials from the environment:
   * one place that maps every target setting onto the client, for the gate, the probes and selftest.
   */
  static forTarget(
    target: { url: string; workspace?: string; maxBodyBytes?: number; allowRedirectsTo?: readonly AddressClass[]; clientThread?: boolean },
    env: NodeJS.ProcessEnv = process.env,
  ): ModalClient {
    return new ModalClient({
      targetTemplate: target.url,
      workspace: target.workspace,
      maxBodyBytes: target.maxBodyBytes,
      allowRedirectsTo: target.allowRedirectsTo,
      auth: ModalClient.authFromEnv(env),
      offThread: target.clientThread,
    });
  }

  /** Whether calls run on the client's worker thread (see `offThread`). */
  get runsOffThread(): boolean {
    return this.#thread !== null;
  }

  /** Full URL of a route on an app. */
  urlFor(app: string, path: string): string {
    return joinPath(resolveTargetUrl(this.#template, { workspace: this.#workspace, app }), path);
  }

  /** Replaces the configured Modal-Key/Modal-Secret values in `text` with `[REDACTED]`. */
  redact(text: string): string {
    return this.#auth ? redactSecrets(text, [this.#auth.key, this.#auth.secret]) : text;
  }

  /** GET /health on an app (static JSON, but it blocks through a cold start: docs/fleet.md §2.7). */
  health(app: string, deadlineMs: number): Promise<CallResult> {
    return this.call({ app, path: '/health', method: 'GET', deadlineMs });
  }

  async call(req: CallRequest): Promise<CallResult> {
    this.#validate(req);
    const body = req.json === undefined ? undefined : JSON.stringify(req.json);
    if (req.json !== undefined && body === undefined) throw new InvalidArgumentError('json body is not JSON-serialisable');
    const { json: _json, signal, ...call } = req;
    const prepared: PreparedCall = { ...call, url: this.urlFor(req.app, req.path), body };
    if (this.#thread) return callOnClientThread(this.#thread, prepared, signal);
    return this.callPrepared(prepared, signal);
  }

  /**
   * A validated call with its JSON body already serialised, run on this thread: what call() does
   * without a worker, and what the client's worker thread runs for it (src/client/worker.ts), with
   * the ms the hop there took (`spentMs`) taken off the deadline.
   */
  async callPrepared(req: PreparedCall, signal?: AbortSignal, spentMs = 0): Promise<CallResult> {
    const { url } = req;
    const deadline = new CallDeadline(req.deadlineMs, signal, spentMs);
    const guard = new ReachGuard(this.#lookup);
    const ownedAgent = this.#dispatcher ? null : new Agent({ headersTimeout: 0, bodyTimeout: 0, connect: { timeout: 30_000, lookup: guard.connectLookup } });
    const surplusErrors: unknown[] = [];
    ownedAgent?.on('disconnect', (_origin, _targets, err) => {
      if (isSurplusBytesError(err)) surplusErrors.push(err);
    });
    try {
      return await this.#run(req, url, deadline, ownedAgent, surplusErrors, guard);
    } finally {
      deadline.dispose();
      // Everything we wanted has been read (or abandoned); nothing graceful is left to wait for.
      await ownedAgent?.destroy().catch(() => undefined);
    }
  }

  #validate(req: CallRequest): void {
    if (!req || typeof req !== 'object') throw new InvalidArgumentError('call() needs a request object');
    if (req.method !== 'GET' && req.method !== 'POST') throw new InvalidArgumentError(`method must be GET or POST, got ${String(req.method)}`);
    if (req.method === 'GET' && req.json !== undefined) throw new InvalidArgumentError('a GET call cannot carry a JSON body');
    if (typeof req.deadlineMs !== 'number' || !Number.isFinite(req.deadlineMs) || req.deadlineMs <= 0 || req.deadlineMs > MAX_DEADLINE_MS) {
      throw new InvalidArgumentError(`deadlineMs must be a positive number ≤ ${MAX_DEADLINE_MS}, got ${String(req.deadlineMs)}`);
    }
    for (const name of Object.keys(req.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower === 'modal-key' || lower === 'modal-secret') {
        throw new InvalidArgumentError(`pass Modal credentials through the auth option, not as header ${name}, so they can be redacted`);
      }
      if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'host') {
        throw new InvalidArgumentError(`header ${name} is managed by the client`);
      }
    }
  }

  async #run(req: PreparedCall, targetUrl: string, deadline: CallDeadline, ownedAgent: Agent | null, surplusErrors: unknown[], guard: ReachGuard): Promise<CallResult> {
    // Latency is taken at the dispatcher, where the bytes move (src/client/timing.ts).
    const clock = new CallClock();
    const dispatcher = clock.wrap((this.#dispatcher ?? ownedAgent)!);
    const targetOrigin = new URL(targetUrl).origin;
    const out = new CallOutcome(clock, deadline, req.deadlineMs, (text) => this.redact(text), (b, sniffed) => this.#redactBody(b, sniffed));

    let url = targetUrl;
    let method: 'GET' | 'POST' = req.method;
    let body = req.body;
    // Once a redirect leaves the target's origin, credentials and caller headers stay off for good.
    let trusted = true;

    for (;;) {
      if (deadline.signal.aborted) return out.aborted();
      if (new URL(url).origin !== targetOrigin) trusted = false;
      const hop = out.startHop(method, this.redact(redactUrl(url)));
      const requestHeaders = this.#requestHeaders(req, url, trusted, body !== undefined);
      let res: HopAnswer;
      try {
        const sinkFor = (status: number, headers: IncomingHttpHeaders, stopReading: () => void) => this.#sinkFor(status, headers, stopReading, out);
        res = await exchange(dispatcher, { url, method, headers: requestHeaders, body }, deadline.signal, sinkFor);
      } catch (err) {
        out.hopFailed(hop);
        if (deadline.signal.aborted) return out.aborted();
        return out.fail('network', `network error on hop ${out.hops.length} (${hop.method} ${hop.url}): ${describeNetworkError(err)}`);
      }
      out.hopAnswered(hop, res.statusCode, this.#normaliseHeaders(res.headers));
      if (!isRedirect(res.statusCode, out.headers)) return this.#bodyStep(res, out, deadline.signal, ownedAgent, surplusErrors);
      const next = await this.#redirectStep(res, url, new URL(targetUrl), out, deadline.signal, guard);
      if (!(next instanceof URL)) return next;
      // Modal's result URL must be fetched with GET; re-POSTing gets `modal-http: bad redirect method`.
      url = next.href;
      method = 'GET';
      body = undefined;
    }
  }

  /** One redirect hop: drain its body, work out where it leads, refuse or follow (the URL) or end the call (a result). */
  async #redirectStep(res: HopAnswer, url: string, target: URL, out: CallOutcome, signal: AbortSignal, guard: ReachGuard): Promise<URL | CallResult> {
    if (signal.aborted) return out.aborted();
    const next = redirectTarget(res.statusCode, out.headers['location']!, url, out.hops.length, (text) => this.redact(text));
    if (typeof next === 'string') return out.fail('modal-platform', next);
    const refused = await refuseRedirect(target, next, guard, this.#lookup, this.#allowRedirectsTo);
    if (signal.aborted) return out.aborted();
    if (refused) return out.fail('modal-platform', `redirect ${res.statusCode} on hop ${out.hops.length} to ${this.redact(redactUrl(next.href))} refused: ${refused}`);
    // undici frees the drained connection a loop turn after the body ends; sent sooner, the next
    // hop would open a second connection, and its set-up would count in the call's latency.
    if (next.origin === new URL(url).origin) await nextLoopTurn();
    return next;
  }

  /**
   * Where a hop's body goes: a redirect's is drained, a final response's kept under the cap. Run
   * by the parser at the headers, inside the call's clock, so it reads the three headers it needs
   * and sets the phase a deadline message names, nothing else.
   */
  #sinkFor(status: number, headers: IncomingHttpHeaders, stopReading: () => void, out: CallOutcome): BodySink {
    const bodyHeaders: Record<string, string> = {};
    for (const name of ['content-length', 'content-encoding', 'location']) {
      const value = headerString(headers[name]);
      if (value !== undefined) bodyHeaders[name] = value;
    }
    if (isRedirect(status, bodyHeaders)) {
      out.phase = 'draining a redirect body';
      return drainBody(bodyHeaders, REDIRECT_BODY_DRAIN_BYTES, stopReading);
    }
    out.phase = 'reading the response body';
    return openBody(bodyHeaders, this.#maxBodyBytes, stopReading);
  }

  /** The final response: read its body under the cap, make sure it is whole, classify a non-2xx. */
  async #bodyStep(res: HopAnswer, out: CallOutcome, signal: AbortSignal, ownedAgent: Agent | null, surplusErrors: unknown[]): Promise<CallResult> {
    const { read } = res;
    out.bodyEnded();
    if (signal.aborted) return out.aborted(read.body);
    const failure = bodyFailure(read, out.headers);
    if (failure) return out.fail(failure.cls, failure.message, read.body);
    const declared = declaredLength(out.headers);
    if (declared !== null && ownedAgent) {
      // undici stops at Content-Length and only reports the surplus as a broken connection, a
      // loop turn or two later (the socket's close callback); wait for it before trusting the body.
      await nextLoopTurn();
      await nextLoopTurn();
      if (surplusErrors.length > 0) {
        return out.fail('network', `body longer than Content-Length: the server sent bytes past the declared ${declared} (${describeNetworkError(surplusErrors[0])})`, read.body);
      }
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return out.finish(read.body);
    // Redacted before classifyFailure cuts its quote, so a secret straddling the cut leaves nothing.
    const text = this.redact(read.body.subarray(0, CLASSIFY_TEXT_BYTES).toString('utf8'));
    return out.finish(read.body, classifyFailure(res.statusCode, out.headers, text));
  }

  /**
   * A body that quotes a credential (an error page echoing the request, a JSON answer) comes back
   * with it replaced, so no check quoting it can leak it; media bytes are never rewritten.
   */
  #redactBody(body: Buffer, sniffed: SniffedType): Buffer {
    if (!this.#auth || body.length === 0 || MEDIA_TYPES.has(sniffed)) return body;
    const head = body.subarray(0, FRAGMENT_SCAN_CHARS).toString('utf8');
    const quotesWhole = [this.#auth.key, this.#auth.secret].some((s) => body.includes(s) || body.includes(encodeURIComponent(s)));
    if (!quotesWhole && this.redact(head) === head) return body;
    return Buffer.from(this.redact(body.toString('utf8')), 'utf8');
  }
  #requestHeaders(req: PreparedCall, url: string, trusted: boolean, hasBody: boolean): Record<string, string> {
    const out: Record<string, string> = { 'user-agent': this.#userAgent, accept: '*/*' };
    if (trusted) {
      for (const [name, value] of Object.entries(req.headers ?? {})) out[name.toLowerCase()] = value;
      if (this.#auth && credentialsMayGoTo(new URL(url))) {
        out['modal-key'] = this.#auth.key;
        out['modal-secret'] = this.#auth.secret;
      }
    }
    if (hasBody) out['content-type'] = 'application/json';
    return out;
  }

  /** Lower-cased names (undici already lower-cases), repeated headers joined, secrets redacted. */
  #normaliseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      const joined = headerString(value);
      if (joined !== undefined) out[name.toLowerCase()] = this.redact(joined);
    }
    return out;
  }
}

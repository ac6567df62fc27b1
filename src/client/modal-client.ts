import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Readable, Transform, pipeline } from 'node:stream';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import zlib from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import { sniffMediaType } from '../media/sniff.ts';
import {
  BodyTooLargeError,
  CallerAbortedError,
  DeadlineExceededError,
  InvalidArgumentError,
  classifyFailure,
  describeNetworkError,
} from './errors.ts';
import { errorCode } from '../errors/index.ts';
import type { CallFailure, CallResult, FailureClass, Hop } from './types.ts';
import { DEFAULT_TARGET_TEMPLATE, joinPath, redactUrl, resolveTargetUrl } from './url.ts';
import { ADDRESS_CLASSES, classifyAddress, isLocalhostName, isLoopbackHost, type AddressClass } from './address-class.ts';
import { FRAGMENT_SCAN_CHARS, REDACTED, redactSecrets } from './redact.ts';
import { CallClock } from './timing.ts';
import type { SniffedType } from '../media/types.ts';

export const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;
/**
 * Requests per call, the first included. Modal answers each request for at most 150 s, then 303s to
 * a result URL; the fleet's longest function timeout is 1800 s
 * (jatidevelopments/ryla@57209b5:apps/modal/apps/flux/app.py:52, the same in every web app), so a
 * call that is still running needs at most 1800 / 150 = 12 redirects. 16 leaves room for result
 * URLs that answer early; a longer chain is a loop, not a long job.
 */
export const MAX_HOPS = 16;
/** undici's fetch refuses more than 5 codings (lib/web/fetch/index.js, `maxContentEncodings`; curl CVE-2022-32206). */
export const MAX_CONTENT_ENCODINGS = 5;
export const DEFAULT_USER_AGENT = 'genprobe/0.1 (undici)';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Bodies whose bytes are media, never text a report quotes: not rewritten by redaction. */
const MEDIA_TYPES: ReadonlySet<SniffedType> = new Set(['png', 'jpeg', 'webp', 'webp-animated', 'gif', 'mp4', 'webm']);
/** Enough of an error body to find `detail`/`error` keys; the message itself quotes ≤300 chars. */
const CLASSIFY_TEXT_BYTES = 64 * 1024;
const REDIRECT_BODY_DRAIN_BYTES = 64 * 1024;
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
}

export interface CallRequest {
  app: string;
  /** Route on the app, e.g. `/flux`; may carry a query string. */
  path: string;
  method: 'GET' | 'POST';
  /** JSON request body (POST only). */
  json?: unknown;
  /** One overall deadline across every hop and the body stream, ms. */
  deadlineMs: number;
  /** Extra request headers; sent only to the target's origin, never after a cross-origin redirect. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One deadline for the whole call, merged with the caller's signal; the abort reason says which fired. */
class CallDeadline {
  readonly controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #callerSignal?: AbortSignal;
  readonly #onCallerAbort = () => this.controller.abort(new CallerAbortedError());

  constructor(deadlineMs: number, callerSignal?: AbortSignal) {
    this.#timer = setTimeout(() => this.controller.abort(new DeadlineExceededError(deadlineMs)), deadlineMs);
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

/** Why body reading stopped early, if it did. */
type BodyStop =
  | { kind: 'complete' }
  | { kind: 'too-large'; message: string }
  | { kind: 'refused'; message: string }
  | { kind: 'decode'; encoding: string; err: unknown }
  | { kind: 'transport'; err: unknown };

interface BodyRead {
  body: Buffer;
  /** Bytes as they came off the wire (before decompression). */
  wireBytes: number;
  stop: BodyStop;
}

type Decoder = { name: string; stream: Transform };

/**
 * Decoders for `Content-Encoding`, outermost last; null when the body must be kept as sent; a
 * string (the reason) when the header lists more codings than undici's fetch would decode: each
 * layer is a zlib stream, and a 16 KiB `gzip, gzip, …` header would otherwise build thousands.
 */
function decodersFor(contentEncoding: string | undefined): Decoder[] | null | string {
  if (!contentEncoding) return null;
  const listed = contentEncoding.split(',');
  if (listed.length > MAX_CONTENT_ENCODINGS) {
    return `too many content-encodings: the response lists ${listed.length}, at most ${MAX_CONTENT_ENCODINGS} are decoded`;
  }
  const codings = listed.map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return null;
  const known = ['gzip', 'x-gzip', 'br', 'deflate'];
  // An unknown coding anywhere in the chain means we cannot decode faithfully: keep the raw bytes.
  if (!codings.every((c) => known.includes(c))) return null;
  // Codings are listed in the order they were applied, so undo them in reverse.
  return codings.reverse().map((c) => ({ name: c === 'x-gzip' ? 'gzip' : c, stream: decoderStream(c) }));
}

function decoderStream(coding: string): Transform {
  // Strict decoders: a truncated stream is an invalid body, not a short success.
  if (coding === 'br') return zlib.createBrotliDecompress();
  if (coding === 'deflate') return new DeflateAutoDetect();
  return zlib.createGunzip();
}

/**
 * HTTP `deflate` should be zlib-wrapped but many servers send raw deflate; pick by the first byte
 * (zlib header has CM=8 in the low nibble), as browsers and undici's fetch do.
 */
class DeflateAutoDetect extends Transform {
  #inner: Transform | null = null;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.#inner) {
      this.#inner = (chunk[0] & 0x0f) === 0x08 ? zlib.createInflate() : zlib.createInflateRaw();
      this.#inner.on('data', (d: Buffer) => this.push(d));
      this.#inner.on('error', (err) => this.destroy(err));
    }
    this.#inner.write(chunk, () => done());
  }

  override _flush(done: (err?: Error | null) => void): void {
    if (!this.#inner) return done();
    this.#inner.once('end', () => done());
    this.#inner.end();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.#inner?.destroy();
    done(err);
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

/** Proxy-auth credentials travel only encrypted, or not off this machine at all. */
function credentialsMayGoTo(url: URL): boolean {
  return url.protocol === 'https:' || isLoopbackHost(url.hostname);
}

/** Thrown by the connect-time lookup when a name resolves outside the classes a call may reach. */
class RedirectRefusedError extends Error {
  readonly code = 'GENPROBE_ERR_REDIRECT_REFUSED';
}

/**
 * Which address classes one call may connect to. Until a redirect leaves the target's host there is
 * no restriction (the target is what the user configured); after one, every new connection must
 * resolve into the target's class or a configured extra one, checked again at connect time so that
 * a name re-resolved between the check and the connection (DNS rebinding) cannot slip through.
 */
class ReachGuard {
  allowed: ReadonlySet<AddressClass> | null = null;

  constructor(private readonly lookup: LookupFunction) {}

  /** The lookup the call's own Agent connects with. */
  readonly connectLookup: LookupFunction = (hostname, options, callback) => {
    this.lookup(hostname, options, (err, address, family) => {
      if (err || !this.allowed) return callback(err, address as string, family as number);
      const list = Array.isArray(address) ? address : [{ address: address as string, family: family as number }];
      const outside = list.find((a) => !this.allowed!.has(classifyAddress(a.address) ?? 'public'));
      if (outside) {
        const cls = classifyAddress(outside.address) ?? 'public';
        return callback(new RedirectRefusedError(`${hostname} resolved to ${outside.address} (${cls}) when connecting, outside the ${[...this.allowed].join('/')} addresses this call may reach`), '', 0);
      }
      callback(null, address as string, family as number);
    });
  };
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
    target: { url: string; workspace?: string; maxBodyBytes?: number; allowRedirectsTo?: readonly AddressClass[] },
    env: NodeJS.ProcessEnv = process.env,
  ): ModalClient {
    return new ModalClient({
      targetTemplate: target.url,
      workspace: target.workspace,
      maxBodyBytes: target.maxBodyBytes,
      allowRedirectsTo: target.allowRedirectsTo,
      auth: ModalClient.authFromEnv(env),
    });
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
    const url = this.urlFor(req.app, req.path);
    const deadline = new CallDeadline(req.deadlineMs, req.signal);
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

  async #run(req: CallRequest, targetUrl: string, deadline: CallDeadline, ownedAgent: Agent | null, surplusErrors: unknown[], guard: ReachGuard): Promise<CallResult> {
    // Latency is taken at the dispatcher, where the bytes move (src/client/timing.ts).
    const clock = new CallClock();
    const elapsed = () => clock.now();
    const dispatcher = clock.wrap((this.#dispatcher ?? ownedAgent)!);
    const targetOrigin = new URL(targetUrl).origin;
    const hops: Hop[] = [];

    let url = targetUrl;
    let method: 'GET' | 'POST' = req.method;
    let body: string | undefined = req.json === undefined ? undefined : JSON.stringify(req.json);
    if (req.json !== undefined && body === undefined) throw new InvalidArgumentError('json body is not JSON-serialisable');
    // Once a redirect leaves the target's origin, credentials and caller headers stay off for good.
    let trusted = true;

    // State of the latest response, for the result whatever happens.
    let status: number | null = null;
    let headers: Record<string, string> = {};
    let ttfbMs: number | null = null;
    let phase = 'connecting';

    // When the last body byte arrived: genprobe's own work after it (sniffing, redaction, the
    // surplus-bytes wait) is not the endpoint's latency.
    let endedAtMs: number | null = null;
    const finish = (bodyBuf: Buffer, failure?: CallFailure): CallResult => {
      const totalMs = endedAtMs ?? elapsed();
      const sniffedType = sniffMediaType(bodyBuf);
      const result: CallResult = {
        status,
        headers,
        body: this.#redactBody(bodyBuf, sniffedType),
        declaredType: headers['content-type'] ?? null,
        sniffedType,
        hops,
        totalMs,
        ttfbMs,
      };
      if (failure) result.failure = { ...failure, message: this.redact(failure.message) };
      return result;
    };
    const fail = (cls: FailureClass, message: string, bodyBuf: Buffer = Buffer.alloc(0)): CallResult =>
      finish(bodyBuf, status === null ? { class: cls, message } : { class: cls, message, status });
    const abortFailure = (bodyBuf?: Buffer): CallResult => {
      const last = hops.at(-1);
      const where = last ? ` (last hop ${last.method} ${last.url}, ${phase})` : '';
      const hopCount = `${hops.length} hop${hops.length === 1 ? '' : 's'}`;
      if (deadline.firedBy === 'caller') return fail('timeout', `call aborted by the caller's signal after ${hopCount}${where}`, bodyBuf);
      return fail('timeout', `deadline of ${req.deadlineMs} ms passed after ${hopCount}${where}`, bodyBuf);
    };

    for (;;) {
      if (deadline.signal.aborted) return abortFailure();
      const sameOrigin = new URL(url).origin === targetOrigin;
      if (!sameOrigin) trusted = false;
      const hop: Hop = { method, url: this.redact(redactUrl(url)), status: null, startedAtMs: 0, waitMs: 0 };
      hops.push(hop);
      status = null;
      headers = {};
      ttfbMs = null;
      phase = 'waiting for response headers';

      let res: Dispatcher.ResponseData;
      const requestHeaders = this.#requestHeaders(req, url, trusted, body !== undefined);
      try {
        res = await request(url, {
          method,
          headers: requestHeaders,
          body,
          signal: deadline.signal,
          dispatcher,
          // The call's deadline is the only clock; undici's own 300 s timers would pre-empt it.
          headersTimeout: 0,
          bodyTimeout: 0,
        });
      } catch (err) {
        hop.startedAtMs = clock.hopStartedMs();
        hop.waitMs = Math.round((elapsed() - hop.startedAtMs) * 10) / 10;
        if (deadline.signal.aborted) return abortFailure();
        return fail('network', `network error on hop ${hops.length} (${hop.method} ${hop.url}): ${describeNetworkError(err)}`);
      }
      hop.startedAtMs = clock.hopStartedMs();
      hop.connectMs = clock.connectMs();
      const headersAt = clock.headersMs();
      hop.waitMs = Math.round((headersAt - hop.startedAtMs) * 10) / 10;
      hop.status = res.statusCode;
      status = res.statusCode;
      ttfbMs = headersAt;
      headers = this.#normaliseHeaders(res.headers);

      const location = headers['location'];
      if (REDIRECT_STATUSES.has(res.statusCode) && location) {
        phase = 'draining a redirect body';
        try {
          await res.body.dump({ limit: REDIRECT_BODY_DRAIN_BYTES, signal: deadline.signal });
        } catch {
          if (deadline.signal.aborted) return abortFailure();
          // A redirect body we could not drain only costs the connection; the hop still stands.
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return fail('modal-platform', `redirect ${res.statusCode} on hop ${hops.length} has an invalid Location ${JSON.stringify(this.redact(location).slice(0, 200))}`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return fail('modal-platform', `redirect ${res.statusCode} on hop ${hops.length} points to a non-http URL (${next.protocol})`);
        }
        if (hops.length >= MAX_HOPS) {
          return fail('modal-platform', `redirect loop: ${hops.length} hops without a final response (last ${res.statusCode} to ${this.redact(redactUrl(next.href))})`);
        }
        const refused = await this.#refuseRedirect(new URL(targetUrl), next, guard);
        if (deadline.signal.aborted) return abortFailure();
        if (refused) return fail('modal-platform', `redirect ${res.statusCode} on hop ${hops.length} to ${this.redact(redactUrl(next.href))} refused: ${refused}`);
        // undici frees the drained connection a loop turn after the body ends; sent sooner, the next
        // hop would open a second connection, and its set-up would count in the call's latency.
        if (next.origin === new URL(url).origin) await nextLoopTurn();
        // Modal's result URL must be fetched with GET; re-POSTing gets `modal-http: bad redirect method`.
        url = next.href;
        method = 'GET';
        body = undefined;
        continue;
      }

      phase = 'reading the response body';
      const read = await this.#readBody(res, headers, deadline.signal);
      endedAtMs = clock.lastByteMs();
      if (deadline.signal.aborted) return abortFailure(read.body);
      switch (read.stop.kind) {
        case 'too-large':
          return fail('too-large', read.stop.message, read.body);
        case 'refused':
          return fail('network', read.stop.message, read.body);
        case 'decode':
          return fail('network', `invalid ${read.stop.encoding} body: ${describeNetworkError(read.stop.err)}`, read.body);
        case 'transport': {
          const mismatch = this.#shortBodyMessage(headers, read.wireBytes);
          return fail('network', mismatch ?? `network error while reading the body: ${describeNetworkError(read.stop.err)}`, read.body);
        }
        case 'complete':
          break;
      }
      const declaredLength = this.#declaredLength(headers);
      if (declaredLength !== null && read.wireBytes < declaredLength) {
        return fail('network', this.#shortBodyMessage(headers, read.wireBytes)!, read.body);
      }
      if (declaredLength !== null && ownedAgent) {
        // undici stops at Content-Length and only reports the surplus as a broken connection, a
        // loop turn or two later (the socket's close callback); wait for it before trusting the body.
        await nextLoopTurn();
        await nextLoopTurn();
        if (surplusErrors.length > 0) {
          return fail('network', `body longer than Content-Length: the server sent bytes past the declared ${declaredLength} (${describeNetworkError(surplusErrors[0])})`, read.body);
        }
      }
      if (res.statusCode >= 200 && res.statusCode < 300) return finish(read.body);
      // Redacted before classifyFailure cuts its quote, so a secret straddling the cut leaves nothing.
      const text = this.redact(read.body.subarray(0, CLASSIFY_TEXT_BYTES).toString('utf8'));
      return finish(read.body, classifyFailure(res.statusCode, headers, text));
    }
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

  /**
   * Why a redirect to `next` must not be followed, or null. The target's own host is always fine
   * (Modal's result URLs stay on it); another host must resolve, every address of it, into the
   * target's class or one the caller allowed. A name that does not resolve now is left to the request (and the connect-time check).
   */
  async #refuseRedirect(target: URL, next: URL, guard: ReachGuard): Promise<string | null> {
    if (next.hostname === target.hostname) return null;
    const targetClasses = await this.#classesOf(target.hostname);
    if (!targetClasses) return null;
    const allowed = new Set<AddressClass>([...targetClasses, ...this.#allowRedirectsTo]);
    // From here on every new connection of this call is checked again when it resolves.
    guard.allowed = allowed;
    const nextClasses = await this.#classesOf(next.hostname);
    if (!nextClasses) return null;
    const outside = nextClasses.find((c) => !allowed.has(c));
    if (!outside) return null;
    return `${next.hostname} is a ${outside} address, outside the target's ${targetClasses.join('/')} class (target.allowRedirectsTo can allow ${outside})`;
  }

  /** Address classes a host name stands for: literal, localhost name, or every DNS answer; null if it does not resolve. */
  async #classesOf(hostname: string): Promise<AddressClass[] | null> {
    const literal = classifyAddress(hostname);
    if (literal) return [literal];
    if (isLocalhostName(hostname)) return ['loopback'];
    const addresses = await new Promise<dns.LookupAddress[] | null>((resolve) => {
      this.#lookup(hostname, { all: true }, (err, address) => resolve(err ? null : (address as unknown as dns.LookupAddress[])));
    });
    if (!addresses || addresses.length === 0) return null;
    return [...new Set(addresses.map((a) => classifyAddress(a.address) ?? 'public'))];
  }

  #requestHeaders(req: CallRequest, url: string, trusted: boolean, hasBody: boolean): Record<string, string> {
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

  #declaredLength(headers: Record<string, string>): number | null {
    const raw = headers['content-length'];
    if (raw === undefined || !/^\d+$/.test(raw.trim())) return null;
    return Number(raw.trim());
  }

  #shortBodyMessage(headers: Record<string, string>, wireBytes: number): string | null {
    const declared = this.#declaredLength(headers);
    if (declared === null || wireBytes >= declared) return null;
    return `body shorter than Content-Length: got ${wireBytes} of ${declared} declared bytes before the connection ended`;
  }

  /** Streams the body under the cap, decompressing gzip/br/deflate under the same cap. */
  async #readBody(res: Dispatcher.ResponseData, headers: Record<string, string>, signal: AbortSignal): Promise<BodyRead> {
    const cap = this.#maxBodyBytes;
    const declared = this.#declaredLength(headers);
    const decoders = decodersFor(headers['content-encoding']);
    let sourceError: unknown;
    // Attached first: destroying an unread body below makes undici emit an abort error.
    res.body.on('error', (err) => {
      sourceError ??= err;
    });
    if (typeof decoders === 'string') {
      res.body.destroy();
      return { body: Buffer.alloc(0), wireBytes: 0, stop: { kind: 'refused', message: `${decoders}; body not read` } };
    }
    if (declared !== null && declared > cap) {
      res.body.destroy();
      return { body: Buffer.alloc(0), wireBytes: 0, stop: { kind: 'too-large', message: `body declares ${declared} bytes, over the ${cap}-byte cap; not read` } };
    }

    let wireBytes = 0;
    let decodeError: { encoding: string; err: unknown } | undefined;

    let stream: Readable;
    if (decoders) {
      const wireCounter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          wireBytes += chunk.length;
          if (wireBytes > cap) return done(new BodyTooLargeError(`compressed body passed the ${cap}-byte cap`));
          done(null, chunk);
        },
      });
      for (const d of decoders) {
        d.stream.on('error', (err) => {
          if (err !== sourceError && !(err instanceof BodyTooLargeError)) decodeError ??= { encoding: d.name, err };
        });
      }
      stream = pipeline([res.body, wireCounter, ...decoders.map((d) => d.stream)], () => undefined) as unknown as Readable;
    } else {
      stream = res.body;
    }

    const chunks: Buffer[] = [];
    let kept = 0;
    let tooLarge: string | null = null;
    let caught: unknown;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (!decoders) wireBytes += chunk.length;
        if (kept + chunk.length > cap) {
          chunks.push(chunk.subarray(0, cap - kept));
          kept = cap;
          tooLarge = decoders
            ? `decoded body passed the ${cap}-byte cap (${wireBytes} compressed bytes read so far); stopped reading`
            : `body passed the ${cap}-byte cap; stopped reading`;
          break;
        }
        chunks.push(chunk);
        kept += chunk.length;
        if (signal.aborted) break;
      }
    } catch (err) {
      caught = err;
    } finally {
      // Leaving the loop early must release the socket, not leave a half-read stream behind.
      if (!stream.readableEnded) stream.destroy();
      if (!res.body.readableEnded) res.body.destroy();
    }
    const body = Buffer.concat(chunks, kept);
    if (tooLarge) return { body, wireBytes, stop: { kind: 'too-large', message: tooLarge } };
    if (caught instanceof BodyTooLargeError) return { body, wireBytes, stop: { kind: 'too-large', message: caught.message } };
    if (decodeError) return { body, wireBytes, stop: { kind: 'decode', ...decodeError } };
    if (caught !== undefined) return { body, wireBytes, stop: { kind: 'transport', err: sourceError ?? caught } };
    return { body, wireBytes, stop: { kind: 'complete' } };
  }
}

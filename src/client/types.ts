import type { SniffedType } from '../media/types.ts';

/**
 * Why a call did not yield a final 2xx body. The client classifies; it never judges a contract.
 * - modal-platform: Modal's edge answered (`modal-http: …` bodies, 408 "Missing request…",
 *   404 invalid function call / app stopped, 500 function timed out).
 * - app-error: the app's own non-2xx (JSON `detail` / `error` bodies).
 * - network: connect/reset/DNS errors.
 * - timeout: the overall deadline passed (including while following 303s).
 * - too-large: the body exceeded the size cap.
 */
export type FailureClass = 'modal-platform' | 'app-error' | 'network' | 'timeout' | 'too-large';

export interface Hop {
  method: 'GET' | 'POST';
  /** URL without query secrets; Modal result URLs carry only a function-call id. */
  url: string;
  status: number | null;
  /** ms from the start of the call when this hop was sent. */
  startedAtMs: number;
  /** ms this hop waited for its response headers. */
  waitMs: number;
  /** ms spent setting up a connection before the request could be written (0 on a reused one); not part of the call's latency for the first hop. */
  connectMs?: number;
}

export interface CallFailure {
  class: FailureClass;
  message: string;
  status?: number;
}

export interface CallResult {
  /** Final status, or null when no response arrived. */
  status: number | null;
  /** Final response headers, lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
  /** Content-Type as declared by the final response. */
  declaredType: string | null;
  /** Type sniffed from the body's magic bytes. */
  sniffedType: SniffedType;
  hops: Hop[];
  /**
   * The call's latency, ms: from writing the first request to the final response's last byte, as
   * undici saw them (src/client/timing.ts); all hops included, genprobe's own work before and after not.
   */
  totalMs: number;
  /** ms until the final response's headers. */
  ttfbMs: number | null;
  /** Set when the call did not end in a 2xx with a complete body. */
  failure?: CallFailure;
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

/** A validated CallRequest with its JSON body serialised: plain data, so it can cross to the client's worker thread. */
export interface PreparedCall extends Omit<CallRequest, 'json' | 'signal'> {
  /** The route's full URL (ModalClient.urlFor), resolved on the caller's thread so a bad template throws there. */
  url: string;
  body: string | undefined;
}

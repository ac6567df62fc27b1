import { errorCode, GenprobeError } from '../errors/index.ts';
import type { CallFailure } from './types.ts';

/**
 * The client's errors, one subclass of genprobe's base (src/errors/) per cause. They are thrown
 * for programmer mistakes (bad template, bad arguments) and used internally as abort reasons;
 * transport outcomes never throw, they come back as `CallResult.failure`.
 */
export class GenprobeClientError extends GenprobeError {
  constructor(message: string, code = 'GENPROBE_ERR_CLIENT') {
    super(message, code);
  }
}

export class InvalidTargetUrlError extends GenprobeClientError {
  constructor(message: string) {
    super(message, 'GENPROBE_ERR_INVALID_TARGET_URL');
  }
}

export class InvalidArgumentError extends GenprobeClientError {
  constructor(message: string) {
    super(message, 'GENPROBE_ERR_INVALID_ARG');
  }
}

/** Abort reason when the call's single overall deadline passes. */
export class DeadlineExceededError extends GenprobeClientError {
  readonly deadlineMs: number;
  constructor(deadlineMs: number) {
    super(`deadline of ${deadlineMs} ms passed`, 'GENPROBE_ERR_DEADLINE');
    this.deadlineMs = deadlineMs;
  }
}

/** Abort reason when the caller's own signal fires. */
export class CallerAbortedError extends GenprobeClientError {
  constructor() {
    super('call aborted by the caller', 'GENPROBE_ERR_CALLER_ABORTED');
  }
}

export const BODY_EXCERPT_CHARS = 300;

/** The body as a quoted, one-line string of at most 300 characters (plus an ellipsis marker). */
export function quoteBody(bodyText: string): string {
  const chars = [...bodyText];
  if (chars.length === 0) return '(empty body)';
  const cut = chars.length > BODY_EXCERPT_CHARS;
  const excerpt = cut ? chars.slice(0, BODY_EXCERPT_CHARS).join('') : bodyText;
  return `${JSON.stringify(excerpt)}${cut ? ` (truncated, ${chars.length} chars)` : ''}`;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/**
 * Who produced a non-2xx answer (anchors.md §2.2: classify by status and `modal-http:` prefix
 * before blaming the model). `bodyText` should be the start of the body, decoded as UTF-8.
 * The returned message quotes at most 300 characters of the body; callers redact it.
 */
export function classifyFailure(status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): CallFailure {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new InvalidArgumentError(`classifyFailure needs an HTTP status, got ${String(status)}`);
  }
  if (status >= 200 && status < 300) {
    throw new InvalidArgumentError(`classifyFailure was given a success status ${status}; only non-2xx answers are failures`);
  }
  const quoted = quoteBody(bodyText);
  const trimmed = bodyText.trimStart();

  // Modal's edge prefixes every message it writes itself; user code never does.
  if (trimmed.startsWith('modal-http:')) {
    return { class: 'modal-platform', status, message: `Modal platform answered ${status}: ${quoted}` };
  }
  if (status === 408 && (bodyText.includes('Missing request') || !looksLikeJson(bodyText))) {
    // Modal's ASGI shim: the container never received the request (expired/cancelled, often a cold start).
    return { class: 'modal-platform', status, message: `Modal platform answered 408 (request expired before the container took it): ${quoted}` };
  }
  if (status >= 300 && status < 400) {
    // Redirects come from Modal's 150 s result-URL mechanism; one we could not follow is a platform fault.
    const location = headerValue(headers, 'location');
    return {
      class: 'modal-platform',
      status,
      message: `Modal platform answered ${status} without a usable Location${location ? ` (${JSON.stringify(location.slice(0, 200))})` : ''}: ${quoted}`,
    };
  }
  const json = parseJsonObject(bodyText);
  if (json && ('detail' in json || 'error' in json)) {
    const type = typeof json.type === 'string' ? ` (${json.type.slice(0, 80)})` : '';
    return { class: 'app-error', status, message: `app answered ${status}${type}: ${quoted}` };
  }
  return { class: 'app-error', status, message: `app answered ${status}: ${quoted}` };
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

interface ErrorLike {
  message?: unknown;
}

const NETWORK_EXPLANATIONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed while sending (broken pipe)',
  ECONNABORTED: 'connection aborted',
  ENOTFOUND: 'DNS name not found',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'timed out waiting for response body data',
  UND_ERR_SOCKET: 'socket closed unexpectedly',
  UND_ERR_CLOSED: 'dispatcher closed',
  UND_ERR_DESTROYED: 'dispatcher destroyed',
  UND_ERR_INFO: 'connection ended',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'body length does not match Content-Length',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'request body length does not match Content-Length',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'response exceeded the dispatcher size limit',
  UND_ERR_NOT_SUPPORTED: 'not supported by the HTTP client',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate could not be verified',
};

/** A one-line explanation of a transport error, e.g. "connection refused (ECONNREFUSED)". */
export function describeNetworkError(err: unknown): string {
  const code = errorCode(err);
  const raw = err && typeof err === 'object' && typeof (err as ErrorLike).message === 'string' ? ((err as ErrorLike).message as string) : String(err);
  if (code && code.startsWith('HPE_')) return `invalid HTTP response (${code}: ${raw.slice(0, 200)})`;
  const known = code ? NETWORK_EXPLANATIONS[code] : undefined;
  const detail = raw && known && !known.includes(raw) && raw !== known ? `: ${raw.slice(0, 200)}` : '';
  if (known) return `${known} (${code})${detail}`;
  return code ? `${raw.slice(0, 200)} (${code})` : raw.slice(0, 200) || 'unknown network error';
}

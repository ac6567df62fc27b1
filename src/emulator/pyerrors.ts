/**
 * How the fleet's Python code turns failures into HTTP answers (contracts.md §2.5), modelled as
 * thrown values so route handlers read like the handlers they imitate.
 *
 * - `HttpErr` = FastAPI `HTTPException(status, detail)`.
 * - `PyErr` = any other Python exception (KeyError, ValueError, UnidentifiedImageError, …).
 * Which body shape the client sees depends on the route's error style, not on the thrown value.
 */

export class HttpErr extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    /** Seconds of (emulated) work done before the exception surfaced. */
    readonly afterSec = 0,
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }
}

export class PyErr extends Error {
  constructor(
    readonly pyType: string,
    /** Python `str(exc)`: for KeyError this is the quoted key, e.g. `'prompt'`. */
    readonly text: string,
    readonly afterSec = 0,
    /** Source line shown in the fake traceback. */
    readonly codeLine = '',
  ) {
    super(`${pyType}: ${text}`);
  }
}

/** Python `str(KeyError('prompt'))` is `'prompt'` (quoted). */
export function keyError(key: string): PyErr {
  return new PyErr('KeyError', `'${key}'`, 0, `item["${key}"]`);
}

/** Which exception wrapper a route runs under. */
export type ErrorStyle =
  /** No try/except in the route: HTTPException → `{"detail"}`, others → the app's global handler. */
  | 'plain'
  /** `/sdxl-instantid`, `/flux-instantid`, `/flux-ipadapter-faceid`: status by substring search. */
  | 'try-except'
  /** `/seedvr2`: like try-except plus "not found" → 404. */
  | 'try-except-seedvr2';

export interface ErrorAnswer {
  status: number;
  json: unknown;
}

/** A plausible Python traceback; the fleet ships real ones in `details`, clients only display them. */
export function traceback(handlerFile: string, func: string, pyType: string, text: string, codeLine: string): string {
  return [
    'Traceback (most recent call last):',
    `  File "/root/${handlerFile}", line ${100 + (func.length * 7) % 200}, in ${func}`,
    `    ${codeLine || 'result = execute_workflow(workflow)'}`,
    `${pyType}: ${text}`,
    '',
  ].join('\n');
}

export interface ErrorSite {
  style: ErrorStyle;
  handlerFile: string;
  func: string;
  /** ryla-flux and ryla-comfyui add `"path"` to the global handler body. */
  globalAddsPath: boolean;
  path: string;
}

/** Status rule of the try/except routes (contracts.md §0.7, §2.5). */
function tryExceptStatus(text: string, seedvr2: boolean): number {
  const lower = text.toLowerCase();
  if (lower.includes('not loaded') || text.includes('503')) return 503;
  if (text.includes('400') || lower.includes('bad request')) return 400;
  if (seedvr2 && lower.includes('not found')) return 404;
  return 500;
}

/** Formats a thrown HttpErr / PyErr the way the route's Python code would answer. */
export function answerFor(err: HttpErr | PyErr, site: ErrorSite): ErrorAnswer {
  const tryExcept = site.style !== 'plain';
  if (err instanceof HttpErr) {
    if (!tryExcept) return { status: err.status, json: { detail: err.detail } };
    const text = `${err.status}: ${typeof err.detail === 'string' ? err.detail : JSON.stringify(err.detail)}`;
    return {
      status: err.status,
      json: { error: text, details: traceback(site.handlerFile, site.func, 'HTTPException', text, 'raise HTTPException(...)'), type: 'HTTPException' },
    };
  }
  const details = traceback(site.handlerFile, site.func, err.pyType, err.text, err.codeLine);
  if (tryExcept) {
    return {
      status: tryExceptStatus(err.text, site.style === 'try-except-seedvr2'),
      json: { error: err.text, details, type: err.pyType },
    };
  }
  const body: Record<string, unknown> = { error: err.text, details, type: err.pyType };
  if (site.globalAddsPath) body.path = site.path;
  return { status: 500, json: body };
}

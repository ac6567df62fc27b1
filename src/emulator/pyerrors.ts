/**
 * How the fleet's Python code turns failures into HTTP answers (docs/fleet.md §2.5), modelled as
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

/**
 * A failure that comes out of ComfyUI (its /prompt validation or a node failing at execution).
 * `apiText` is what `execute_workflow_via_api` raises
 * (jatidevelopments/ryla@57209b5:apps/modal/utils/comfyui.py:224-226 for a refused queue, :325-389
 * for an execution error); the route's execution path decides the text the client finally sees
 * (see `surfaceComfyFailure`).
 */
export class ComfyFailure extends PyErr {
  constructor(
    readonly apiText: string,
    /** What ComfyUI itself reported, as `comfy run` would print it. */
    readonly comfyMessage: string,
    afterSec = 0,
  ) {
    super('Exception', apiText, afterSec, 'raise Exception(f"Failed to queue workflow: HTTP {response.status_code} - {error_text}")');
  }
}

/** Python `json.dumps` with its default separators (`", "` and `": "`), as aiohttp's json_response writes. */
export function pyJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A refused /prompt: utils/comfyui.py:224-226 raises
 * `Exception(f"Failed to queue workflow: HTTP {response.status_code} - {response.text[:500]}")`.
 * The JSON after the dash is ComfyUI's own answer (server.py `post_prompt`), not the fleet's code.
 */
export function comfyQueueRefused(nodeId: string, classType: string, errType: string, message: string, details: string, afterSec = 1): ComfyFailure {
  // invented: ComfyUI's /prompt 400 body, approximated from ComfyUI's server (not in the fleet repo).
  const body = pyJsonDumps({
    error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
    node_errors: { [nodeId]: { errors: [{ type: errType, message, details, extra_info: {} }], dependent_outputs: ['9'], class_type: classType } },
  });
  return new ComfyFailure(`Failed to queue workflow: HTTP 400 - ${body.slice(0, 500)}`, `${classType}: ${message}: ${details}`, afterSec);
}

/**
 * A node failing at execution. ComfyUI's `execution_error` message has no `error` key, so
 * utils/comfyui.py:296-335 builds `Workflow failed at node {node_id} ({node_type}): Workflow execution failed`
 * (its exception_type/exception_message lookups read the empty `error` dict).
 */
export function comfyExecutionFailed(nodeId: string, nodeType: string, exception: string, afterSec = 1): ComfyFailure {
  return new ComfyFailure(`Workflow failed at node ${nodeId} (${nodeType}): Workflow execution failed`, exception, afterSec);
}

/**
 * How a route runs its workflow, which decides how a ComfyUI failure reads:
 * - `api`: `execute_workflow_via_api` only (pulid_flux.py:227, lora.py:173): its text as is.
 * - `infer`: `self.comfyui.infer.local` → utils/comfyui.py:610-624 `execute_workflow`, whose fallback to
 *   `comfy run` replaces the API error with `Workflow execution failed (exit code N)…`.
 * - `api+infer`: instantid.py:518-545 / ipadapter_faceid.py:228-262 wrap both in "Both API and infer methods failed."
 * - `seedvr2`: seedvr2.py:294 `SeedVR2 execution failed (API: …, Infer: …)`.
 */
export type ExecPath = 'api' | 'infer' | 'api+infer' | 'seedvr2';

function inferText(f: ComfyFailure): string {
  // invented: the exit code and what `comfy run` prints on stderr (the fleet keeps stderr[:500]).
  return `Workflow execution failed (exit code 1)\nStderr: ${f.comfyMessage.slice(0, 500)}`;
}

function shortTraceback(file: string, line: number, func: string, text: string): string {
  return `Traceback (most recent call last):\n  File "/root/${file}", line ${line}, in ${func}\nException: ${text}\n`;
}

/** The exception the route finally raises for a ComfyUI failure, by its execution path. */
export function surfaceComfyFailure(f: ComfyFailure, path: ExecPath): PyErr {
  const raise = (text: string) => new PyErr('Exception', text, f.afterSec, 'raise Exception(...)');
  switch (path) {
    case 'api':
      return raise(f.apiText);
    case 'infer':
      return raise(inferText(f));
    case 'seedvr2':
      return raise(`SeedVR2 execution failed (API: ${f.apiText}, Infer: ${inferText(f)})`);
    case 'api+infer':
      return raise(
        `Both API and infer methods failed.\nAPI Error: ${f.apiText}\nInfer Error: ${inferText(f)}\n` +
          `\nAPI Traceback:\n${shortTraceback('utils/comfyui.py', 226, 'execute_workflow_via_api', f.apiText)}` +
          `\nInfer Traceback:\n${shortTraceback('utils/comfyui.py', 624, 'execute_workflow', inferText(f))}`,
      );
  }
}

/** An exception whose status a try/except route sets itself (instantid.py:641 `status_code = 501`). */
export class StatusPyErr extends PyErr {
  constructor(
    readonly status: number,
    pyType: string,
    text: string,
    afterSec = 0,
  ) {
    super(pyType, text, afterSec);
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
  /**
   * Answered by the app's `@fastapi.exception_handler(Exception)`: Starlette runs it in
   * ServerErrorMiddleware, outside CORSMiddleware, so the 500 carries no CORS headers.
   */
  globalHandler: boolean;
}

/**
 * A plausible Python traceback; the fleet ships real ones in `details`, clients only display them.
 * invented: its frames and line numbers (the exception line is the real `Type: text`).
 */
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

/**
 * Status rule of the try/except routes: instantid.py:624-630 / ipadapter_faceid.py:340-346 test
 * "not loaded"/"503" → 503, then "400"/"bad request" → 400; seedvr2.py:360-366 has no 503 branch and
 * tests "not found" (or a FileNotFoundError) → 404 before "400".
 */
function tryExceptStatus(text: string, pyType: string, seedvr2: boolean): number {
  const lower = text.toLowerCase();
  if (seedvr2) {
    if (lower.includes('not found') || pyType === 'FileNotFoundError') return 404;
    if (text.includes('400') || lower.includes('bad request')) return 400;
    return 500;
  }
  if (lower.includes('not loaded') || text.includes('503')) return 503;
  if (text.includes('400') || lower.includes('bad request')) return 400;
  return 500;
}

/** Formats a thrown HttpErr / PyErr the way the route's Python code would answer. */
export function answerFor(err: HttpErr | PyErr, site: ErrorSite): ErrorAnswer {
  const tryExcept = site.style !== 'plain';
  if (err instanceof HttpErr) {
    if (!tryExcept) return { status: err.status, json: { detail: err.detail }, globalHandler: false };
    const text = `${err.status}: ${typeof err.detail === 'string' ? err.detail : JSON.stringify(err.detail)}`;
    return {
      status: err.status,
      json: { error: text, details: traceback(site.handlerFile, site.func, 'HTTPException', text, 'raise HTTPException(...)'), type: 'HTTPException' },
      globalHandler: false,
    };
  }
  const details = traceback(site.handlerFile, site.func, err.pyType, err.text, err.codeLine);
  if (tryExcept) {
    return {
      status: err instanceof StatusPyErr ? err.status : tryExceptStatus(err.text, err.pyType, site.style === 'try-except-seedvr2'),
      json: { error: err.text, details, type: err.pyType },
      globalHandler: false,
    };
  }
  const body: Record<string, unknown> = { error: err.text, details, type: err.pyType };
  if (site.globalAddsPath) body.path = site.path;
  return { status: 500, json: body, globalHandler: true };
}

import { InvalidTargetUrlError } from './errors.ts';

/** Default target: a split Modal app's ASGI function (`ComfyUI.fastapi_app`), docs/fleet.md §1. */
export const DEFAULT_TARGET_TEMPLATE = 'https://{workspace}--{app}-comfyui-fastapi-app.modal.run';

export interface TargetVars {
  workspace?: string;
  app: string;
}

const KNOWN_PLACEHOLDERS = ['workspace', 'app'] as const;
type Placeholder = (typeof KNOWN_PLACEHOLDERS)[number];

/**
 * Values end up inside a host label or a path segment, so anything that could change the URL's
 * structure (`/`, `?`, `#`, `@`, `:`, whitespace) is refused rather than escaped.
 */
const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Fills `{workspace}` and `{app}` in a target template and checks the result is an http(s) URL.
 * Examples: the Modal default above, or `http://127.0.0.1:8787/{app}` for the local emulator.
 */
export function resolveTargetUrl(template: string, vars: TargetVars): string {
  if (typeof template !== 'string' || template.trim() === '') {
    throw new InvalidTargetUrlError('target template is empty');
  }
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1])
    .filter((name) => !(KNOWN_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidTargetUrlError(
      `target template ${JSON.stringify(template)} has unknown placeholder(s) ${unknown.map((n) => `{${n}}`).join(', ')}; known: {workspace}, {app}`,
    );
  }
  const filled = template.replace(/\{(workspace|app)\}/g, (_, name: Placeholder) => {
    const value = vars[name];
    if (value === undefined || value === '') {
      throw new InvalidTargetUrlError(`target template ${JSON.stringify(template)} needs {${name}} but no ${name} was given`);
    }
    if (!SAFE_VALUE.test(value)) {
      throw new InvalidTargetUrlError(`${name} ${JSON.stringify(value)} may only contain letters, digits, '.', '_' and '-'`);
    }
    return value;
  });
  if (/[{}]/.test(filled)) {
    throw new InvalidTargetUrlError(`target template ${JSON.stringify(template)} has an unbalanced '{' or '}'`);
  }
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw new InvalidTargetUrlError(`target template ${JSON.stringify(template)} does not give a valid URL (got ${JSON.stringify(filled)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidTargetUrlError(`target URL must be http or https, got ${JSON.stringify(url.protocol)} from ${JSON.stringify(template)}`);
  }
  if (url.username || url.password) {
    // Credentials travel as Modal-Key/Modal-Secret headers, never inside URLs that end up in reports.
    throw new InvalidTargetUrlError(`target template ${JSON.stringify(template)} must not carry user:password credentials`);
  }
  if (url.search || url.hash) {
    throw new InvalidTargetUrlError(`target template ${JSON.stringify(template)} must not have a query or fragment; pass them in the path`);
  }
  return filled.replace(/\/+$/, '');
}

/**
 * Appends a route (`/flux`, `health`, `/x?y=1`) to a base URL that may already have a path
 * (`http://127.0.0.1:8787/ryla-flux`). `new URL(path, base)` would drop the base's last segment.
 */
export function joinPath(base: string, path: string): string {
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
  } catch {
    throw new InvalidTargetUrlError(`base ${JSON.stringify(base)} is not a valid URL`);
  }
  if (baseUrl.search || baseUrl.hash) {
    throw new InvalidTargetUrlError(`base ${JSON.stringify(base)} must not have a query or fragment`);
  }
  if (typeof path !== 'string') throw new InvalidTargetUrlError('path must be a string');
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    throw new InvalidTargetUrlError(`path ${JSON.stringify(path)} must be a route like "/flux", not an absolute URL`);
  }
  if (/[\s#]/.test(path)) {
    throw new InvalidTargetUrlError(`path ${JSON.stringify(path)} must not contain whitespace or '#'`);
  }
  const trimmedBase = base.replace(/\/+$/, '');
  if (path === '') return trimmedBase;
  return `${trimmedBase}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** Query parameter names whose values must never reach a report (Modal's `__modal_function_call_id` is not one). */
const SECRET_PARAM = /(key|secret|token|passw|pwd|auth|sig|signature|credential|session|cookie)/i;

/** A URL safe to record: userinfo dropped, secret-looking query values replaced, query kept otherwise. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[unparseable URL]';
  }
  url.username = '';
  url.password = '';
  const query = url.search.startsWith('?') ? url.search.slice(1) : '';
  url.search = '';
  url.hash = '';
  if (query === '') return url.toString();
  const parts = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      /* keep the raw name for the check */
    }
    return SECRET_PARAM.test(decoded) ? `${name}=[REDACTED]` : pair;
  });
  return `${url.toString()}?${parts.join('&')}`;
}

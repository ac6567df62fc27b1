/**
 * Reading a fleet answer without generating anything: which layer answered (Modal's edge for an
 * app that is not deployed, FastAPI for a path the app does not register, the handler itself),
 * and which request fields the handler's error names.
 */
import type { CallResult } from '../client/types.ts';

export type AnswerKind =
  /** 404 `modal-http: invalid function call` (or `… app … is stopped`): no such app deployed. */
  | 'app-not-deployed'
  /** 404 `{"detail":"Not Found"}`: the app runs but does not register the path. */
  | 'route-not-found'
  /** 405 `{"detail":"Method Not Allowed"}`. */
  | 'method-not-allowed'
  /** No HTTP answer (network, deadline). */
  | 'no-answer'
  /** Any other status from the app: the route is registered and its handler (or validation) answered. */
  | 'handler';

export function answerKind(r: CallResult): AnswerKind {
  if (r.status === null) return 'no-answer';
  const text = r.body.toString('utf8', 0, Math.min(r.body.length, 4096));
  if (r.status === 404 && text.includes('modal-http')) return 'app-not-deployed';
  if (r.status === 404 && detailOf(text) === 'Not Found') return 'route-not-found';
  if (r.status === 405) return 'method-not-allowed';
  return 'handler';
}

function detailOf(text: string): unknown {
  try {
    return (JSON.parse(text) as { detail?: unknown }).detail;
  } catch {
    return undefined;
  }
}

/** The error's message(s): `detail` (string, object or FastAPI's 422 list), `error`, or the text. */
export function errorMessages(r: CallResult): string[] {
  const text = r.body.toString('utf8', 0, Math.min(r.body.length, 64 * 1024));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [text];
  }
  if (!json || typeof json !== 'object') return [text];
  const o = json as { detail?: unknown; error?: unknown; type?: unknown };
  const out: string[] = [];
  if (typeof o.detail === 'string') out.push(o.detail);
  else if (Array.isArray(o.detail)) for (const d of o.detail as Array<{ loc?: unknown[]; msg?: string }>) out.push(`${(d.loc ?? []).slice(-1).join('')} is required: ${d.msg ?? ''}`);
  else if (o.detail && typeof o.detail === 'object') out.push(JSON.stringify(o.detail));
  if (typeof o.error === 'string') out.push(o.type === 'KeyError' ? `${o.error.replace(/^'|'$/g, '')} is required (KeyError)` : o.error);
  return out.length ? out : [text];
}

const REQUIRED = /(?:^|[\s"'(:,])([a-z][a-z0-9_]*)(?: or ([a-z][a-z0-9_]*))? is required/g;
const MISSING = /Missing '([a-z][a-z0-9_]*)' field/g;

/**
 * Request fields an error message says are required (`prompt is required`, `'prompt'` KeyError,
 * `Missing 'image' field`), as groups of alternatives (`face_image or reference_face is required`).
 */
export function fieldsNamed(messages: string[]): string[][] {
  const out: string[][] = [];
  const push = (group: string[]) => {
    if (!out.some((g) => g.join('|') === group.join('|'))) out.push(group);
  };
  for (const m of messages) {
    for (const hit of m.matchAll(REQUIRED)) push([hit[1], hit[2]].filter((g): g is string => Boolean(g)));
    for (const hit of m.matchAll(MISSING)) push([hit[1]]);
  }
  return out;
}

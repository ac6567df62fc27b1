import type { ErrorAnswer, ErrorBodyShape } from '../catalog/types.ts';
import { checkStatus } from './status.ts';
import { fail, pass, skip, withFinding, type CheckResult } from './types.ts';

type Parsed = { ok: true; message: string } | { ok: false; why: string };

/** The message a person reads in each documented error shape. */
export function parseShape(text: string, shape: ErrorBodyShape): Parsed {
  if (shape === 'text') {
    if (text.trim() === '') return { ok: false, why: 'empty body' };
    return { ok: true, message: text };
  }
  if (shape === 'not-found') {
    if (/^modal-http: (invalid function call|app for invoked web endpoint is stopped)/.test(text.trim())) return { ok: true, message: text.trim() };
    const detail = parseShape(text, 'detail');
    if (detail.ok && detail.message === 'Not Found') return detail;
    return { ok: false, why: `neither {"detail":"Not Found"} nor a modal-http "invalid function call" / "app … stopped" answer: ${JSON.stringify(text.slice(0, 120))}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, why: `not JSON: ${JSON.stringify(text.slice(0, 120))}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, why: 'JSON body is not an object' };
  const o = json as Record<string, unknown>;
  switch (shape) {
    case 'detail':
      return typeof o.detail === 'string' ? { ok: true, message: o.detail } : { ok: false, why: `"detail" is ${kindOf(o.detail)}, expected a string` };
    case 'detail-object':
      return typeof o.detail === 'object' && o.detail !== null && !Array.isArray(o.detail)
        ? { ok: true, message: JSON.stringify(o.detail) }
        : { ok: false, why: `"detail" is ${kindOf(o.detail)}, expected an object` };
    case 'error-details-type': {
      const bad = (['error', 'details', 'type'] as const).filter((k) => typeof o[k] !== 'string');
      if (bad.length) return { ok: false, why: `${bad.map((k) => `"${k}" is ${kindOf(o[k])}`).join(', ')}; expected strings error/details/type` };
      return { ok: true, message: o.error as string };
    }
    case 'json-message':
      return jsonMessage(o);
  }
}

/**
 * Any of the JSON error shapes a caller can read: `{"detail": "…"}`, `{"detail": {…}}` or FastAPI's
 * validation list `{"detail": [{loc, msg}]}`, or `{"error": "…", …}`. The message is what a person
 * reads; for objects and lists, their JSON.
 */
function jsonMessage(o: Record<string, unknown>): Parsed {
  if (typeof o.detail === 'string') return { ok: true, message: o.detail };
  if (typeof o.detail === 'object' && o.detail !== null) return { ok: true, message: JSON.stringify(o.detail) };
  if (typeof o.error === 'string') return { ok: true, message: o.error };
  return { ok: false, why: `no "detail" or "error" message (keys: ${Object.keys(o).slice(0, 5).join(', ') || 'none'})` };
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Whether an answer is the one recorded (status, body shape, message substring). */
export function matchesAnswer(status: number | null, text: string, answer: ErrorAnswer | undefined): boolean {
  if (!answer || status === null || !answer.status.includes(status)) return false;
  const parsed = parseShape(text, answer.body);
  return parsed.ok && (answer.contains === undefined || parsed.message.includes(answer.contains));
}

/**
 * The body of an answer whose status is the promised one: the promised shape, and the message
 * names what the contract says it must (for bad input, the field). Another status is judged by the
 * status / error-status check alone, so one defect fails one check.
 */
export function judgeErrorBody(status: number | null, body: Uint8Array, expect: ErrorAnswer): CheckResult {
  const expected = { body: expect.body, contains: expect.contains };
  if (status === null || !expect.status.includes(status)) {
    return skip('error-body', `not judged: status ${status ?? 'none'} is not the promised ${expect.status.join('/')}`);
  }
  const text = Buffer.from(body).toString('utf8');
  const parsed = parseShape(text, expect.body);
  if (!parsed.ok) {
    return withFinding(fail('error-body', `body is not the ${expect.body} shape: ${parsed.why}`, text.slice(0, 300), expected), 'wrong-shape', { shape: expect.body });
  }
  if (expect.contains !== undefined && !parsed.message.includes(expect.contains)) {
    return withFinding(
      fail('error-body', `message ${JSON.stringify(parsed.message.slice(0, 200))} lacks ${JSON.stringify(expect.contains)}`, parsed.message.slice(0, 300), expected),
      'message-lacks',
      { wanted: expect.contains },
    );
  }
  return pass('error-body', `${expect.body}: ${JSON.stringify(parsed.message.slice(0, 120))}`, parsed.message.slice(0, 300), expected);
}

/**
 * A request that cannot succeed (a removed route): the status among the promised ones, then the
 * body in the documented shape with the documented message substring (case-sensitive).
 */
export function checkErrorBody(status: number | null, body: Uint8Array, expect: ErrorAnswer): CheckResult[] {
  return [checkStatus(status, expect.status), judgeErrorBody(status, body, expect)];
}

import type { ErrorCase } from '../catalog/types.ts';
import { checkStatus } from './status.ts';
import { fail, pass, type CheckResult } from './types.ts';

type BodyShape = ErrorCase['expect']['body'];

/** The message a person reads in each documented error shape. */
function parseShape(text: string, shape: BodyShape): { ok: true; message: string } | { ok: false; why: string } {
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
  }
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * A negative request's answer: status among the allowed ones, body in the documented shape, and
 * the documented message substring (case-sensitive) in the shape's message field.
 */
export function checkErrorBody(status: number | null, body: Uint8Array, expect: ErrorCase['expect']): CheckResult[] {
  const results: CheckResult[] = [checkStatus(status, expect.status)];
  const text = Buffer.from(body).toString('utf8');
  const parsed = parseShape(text, expect.body);
  const expected = { body: expect.body, contains: expect.contains };
  if (!parsed.ok) {
    results.push(fail('error-body', `body is not the ${expect.body} shape: ${parsed.why}`, text.slice(0, 300), expected));
  } else if (expect.contains !== undefined && !parsed.message.includes(expect.contains)) {
    results.push(fail('error-body', `message ${JSON.stringify(parsed.message.slice(0, 200))} lacks ${JSON.stringify(expect.contains)}`, parsed.message.slice(0, 300), expected));
  } else {
    results.push(pass('error-body', `${expect.body}: ${JSON.stringify(parsed.message.slice(0, 120))}`, parsed.message.slice(0, 300), expected));
  }
  return results;
}

/**
 * The fleet's handlers read the JSON body as a Python dict: `item.get(key, default)`, `item[key]`
 * (KeyError), `"key" not in item` (presence, so an empty value passes), truthiness, `str(v)`.
 * These are those semantics, so each route reads its fields as its handler does.
 */
import { pyTypeName } from '../media.ts';
import { HttpErr, keyError, PyErr } from '../pyerrors.ts';

/** `key in item`. */
export function has(item: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(item, key);
}

/** `item.get(key, dflt)`. */
export function get<T>(item: Record<string, unknown>, key: string, dflt: T): unknown {
  return has(item, key) ? item[key] : dflt;
}

/** Python truthiness. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** `item["key"]` → KeyError when absent. */
export function req(item: Record<string, unknown>, key: string): unknown {
  if (!has(item, key)) throw keyError(key);
  return item[key];
}

/** Python `str(v)` as an f-string shows a JSON value. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Python `str(v)` for the scalars a JSON body can carry. */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  return str(v);
}

/** A string field the handler calls a `str` method on: anything else is an AttributeError. */
export function strField(v: unknown, method: string): string {
  if (typeof v === 'string') return v;
  throw new PyErr('AttributeError', `'${pyTypeName(v)}' object has no attribute '${method}'`, 0, `value.${method}(...)`);
}

/** `if "key" not in item: raise HTTPException(400, detail)`: presence only, so an empty value passes. */
export function requirePresent(item: Record<string, unknown>, key: string, detail: string): void {
  if (!has(item, key)) throw new HttpErr(400, detail);
}

/** `v = item.get(key); if not v: raise ValueError(text)` (qwen_edit.py:347-425, wan26.py:732-800). */
export function requireValue(item: Record<string, unknown>, key: string, text = `${key} is required`): unknown {
  const v = get(item, key, null);
  if (!truthy(v)) throw new PyErr('ValueError', text, 0, `raise ValueError("${text}")`);
  return v;
}

/** `item["prompt"]` as the workflow builder reads it. */
export function promptText(item: Record<string, unknown>, key = 'prompt'): string {
  return str(req(item, key));
}

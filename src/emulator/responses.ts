/**
 * What an emulated call answers before it is written: status, headers, body, the transport faults
 * to apply while sending, and who answered (Modal's edge, the app, or the app's global exception
 * handler), because that decides whether CORS headers are added.
 */
import type { AppSpec } from './fleet/index.ts';
import type { FaultName } from './faults.ts';
import { traceback } from './pyerrors.ts';

/** Modal's edge answers in plain text. */
export const MODAL_TEXT = 'text/plain; charset=utf-8';

export interface EmuResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Transport faults to apply while sending. */
  transport: FaultName[];
  /** Answered by Modal's edge, not the app (no CORS headers). */
  platform?: boolean;
  /** Answered by the app's global exception handler, outside CORSMiddleware (no CORS headers). */
  globalHandler?: boolean;
}

/** An answer of Modal's edge (`modal-http: …`). */
export function textResponse(status: number, text: string): EmuResponse {
  return { status, headers: { 'content-type': MODAL_TEXT }, body: Buffer.from(text, 'utf8'), transport: [], platform: true };
}

export function jsonResponse(status: number, json: unknown, extra: Record<string, string> = {}): EmuResponse {
  return { status, headers: { 'content-type': 'application/json', ...extra }, body: Buffer.from(JSON.stringify(json), 'utf8'), transport: [] };
}

/** A 500 from the app's global exception handler (ServerErrorMiddleware: no CORS headers). */
export function globalResponse(app: AppSpec, path: string, pyType: string, text: string): EmuResponse {
  const body: Record<string, unknown> = { error: text, details: traceback(`apps/${app.name.replace(/^ryla-/, '')}/app.py`, 'fastapi_app', pyType, text, ''), type: pyType };
  if (app.globalErrorAddsPath) body.path = path;
  return { ...jsonResponse(500, body), globalHandler: true };
}

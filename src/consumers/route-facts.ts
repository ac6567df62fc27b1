/**
 * What a catalog route accepts and sends, read once from its entry: field names, which are
 * required, their types (from the zod request schema), and the response headers that reach a
 * caller. Cached per entry so verifying thousands of calls costs a map lookup each.
 */
import { z } from 'zod';
import { APPS, CATALOG, latencyBudgetSec, MODAL_HTTP_LIMIT_SEC } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import type { FieldType } from './contract.ts';

export interface RouteField {
  name: string;
  type: FieldType;
  /** Element type of an array field. */
  items?: FieldType;
  enum?: Array<string | number | boolean>;
  required: boolean;
  /** The field must be a `data:` URL (instantid / pulid / ipadapter treat anything else as a file name). */
  dataUrl: boolean;
}

export interface RouteFacts {
  entry: EndpointEntry;
  fields: Map<string, RouteField>;
  /** Lower-cased response headers that reach the caller. */
  headers: Set<string>;
  /** Headers the handler sets but the route's copy loop drops (cost headers everywhere but /flux-pulid). */
  droppedHeaders: Set<string>;
  warmSec: number;
  /** Warm time plus the cold starts of the route's app and every app it delegates to. */
  coldSec: number;
}

export const COST_HEADERS = ['x-cost-usd', 'x-execution-time-sec', 'x-gpu-type'];
/** Headers every answer of a FastAPI app behind Modal carries. */
const TRANSPORT_HEADERS = ['content-type', 'content-length', 'date', 'server'];

type Def = { type: string; innerType?: z.ZodType; element?: z.ZodType; entries?: Record<string, string | number>; values?: unknown[]; options?: z.ZodType[]; checks?: Array<{ _zod?: { def?: { format?: string; pattern?: RegExp } } }> };
const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

function describe(schema: z.ZodType): Omit<RouteField, 'name' | 'required'> {
  let s = schema;
  for (let d = defOf(s); ['default', 'optional', 'nullable', 'prefault', 'nonoptional', 'readonly'].includes(d.type) && d.innerType; d = defOf(s)) s = d.innerType;
  const d = defOf(s);
  switch (d.type) {
    case 'string': {
      const dataUrl = (d.checks ?? []).some((c) => c._zod?.def?.pattern?.source.startsWith('^data:'));
      return { type: 'string', dataUrl };
    }
    case 'number':
    case 'int':
      return { type: 'number', dataUrl: false };
    case 'boolean':
      return { type: 'boolean', dataUrl: false };
    case 'array':
      return { type: 'array', items: d.element ? describe(d.element).type : 'unknown', dataUrl: false };
    case 'object':
    case 'record':
      return { type: 'object', dataUrl: false };
    case 'enum': {
      const values = Object.values(d.entries ?? {});
      return { type: typeof values[0] === 'number' ? 'number' : 'string', enum: values, dataUrl: false };
    }
    case 'literal': {
      const values = (d.values ?? []) as Array<string | number | boolean>;
      return { type: typeof values[0] as FieldType, enum: values, dataUrl: false };
    }
    default:
      return { type: 'unknown', dataUrl: false };
  }
}

function requestFields(entry: EndpointEntry): Map<string, RouteField> {
  const fields = new Map<string, RouteField>();
  if (!(entry.request instanceof z.ZodObject)) return fields;
  for (const [name, schema] of Object.entries(entry.request.shape as Record<string, z.ZodType>)) {
    fields.set(name, { name, required: !schema.safeParse(undefined).success, ...describe(schema) });
  }
  return fields;
}

/** Seconds of cold start before the route can answer: its own app and every app it calls. */
export function coldStartSec(entry: EndpointEntry): number {
  return [entry.app, ...(entry.delegatesTo ?? [])].reduce((sum, app) => sum + APPS[app].coldStartSec, 0);
}

const CACHE = new WeakMap<EndpointEntry, RouteFacts>();

export function routeFacts(entry: EndpointEntry): RouteFacts {
  let facts = CACHE.get(entry);
  if (facts) return facts;
  const headers = new Set(TRANSPORT_HEADERS);
  const droppedHeaders = new Set<string>();
  for (const h of COST_HEADERS) (entry.headers.cost === 'present' ? headers : entry.headers.cost === 'dropped' ? droppedHeaders : new Set<string>()).add(h);
  for (const h of Object.keys(entry.headers.surviving ?? {})) headers.add(h.toLowerCase());
  const warmSec = latencyBudgetSec(entry, 'warm');
  facts = { entry, fields: requestFields(entry), headers, droppedHeaders, warmSec, coldSec: warmSec + coldStartSec(entry) };
  CACHE.set(entry, facts);
  return facts;
}

const BY_PATH = new Map<string, EndpointEntry[]>();
for (const e of CATALOG) BY_PATH.set(e.path, [...(BY_PATH.get(e.path) ?? []), e]);

/** Catalog entries at this path (one per app that serves it). */
export function entriesAtPath(path: string): EndpointEntry[] {
  return BY_PATH.get(path) ?? [];
}

export function isFleetApp(app: string): app is AppName {
  return Object.prototype.hasOwnProperty.call(APPS, app);
}

export { APPS, MODAL_HTTP_LIMIT_SEC };

/** The route field a misspelt consumer field most likely means (`num_frames` → `length` is beyond it; `reference_video` → `reference_videos` is not). */
export function closestField(name: string, fields: Iterable<string>): string | undefined {
  let best: { field: string; score: number } | undefined;
  for (const f of fields) {
    const score = f.startsWith(name) || name.startsWith(f) ? Math.abs(f.length - name.length) : levenshtein(name, f);
    if (score <= Math.max(2, Math.floor(name.length / 4)) && (!best || score < best.score)) best = { field: f, score };
  }
  return best?.field;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The consumer-contract file: what a caller of the fleet (e.g. the studio's API, `studio-api`)
 * sends and expects, call by call. genprobe checks it against the catalog (static) and against a
 * deployed target (live), so a deploy that would break a caller is found before it ships.
 *
 * JSON, `schemaVersion: 1` (fields are only ever added):
 *
 *   { "schemaVersion": 1,
 *     "consumers": [ { "name": "studio-api", "source": "libs/business/src/services/modal-client.ts",
 *       "calls": [ { "method": "generateWan26R2V", "app": "ryla-wan26", "path": "/wan2.6-r2v", "httpMethod": "POST",
 *                    "fields": { "prompt": { "type": "string", "required": true },
 *                                "reference_video": { "type": "string", "required": true, "media": true } },
 *                    "example": { "prompt": "…", "reference_video": { "$file": "../media/portrait.mp4" } },
 *                    "reads": { "body": "binary", "headers": ["content-type", "x-cost-usd"] },
 *                    "timeoutMs": 600000, "followsRedirects": true } ] } ] }
 *
 * `fields` is the request type the consumer sends (what its code allows); `example` is one real
 * payload. Media in examples are file references (`{"$file": path}`, relative to the contract
 * file) and are inlined as base64 data URLs (`data:<mime>;base64,…`) only when a request is sent.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GenprobeError } from '../errors/index.ts';

export const FIELD_TYPES = ['string', 'number', 'boolean', 'array', 'object', 'unknown'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const fieldSchema = z
  .object({
    type: z.enum(FIELD_TYPES),
    required: z.boolean(),
    /** Element type when `type` is array. */
    items: z.enum(FIELD_TYPES).optional(),
    /** Literal values the consumer's type allows (`'CPU' | 'GPU'`). */
    enum: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
    /** The field carries media (a data URL or raw base64). */
    media: z.boolean().optional(),
  })
  .strict();
export type FieldSpec = z.infer<typeof fieldSchema>;

export interface FileRef {
  $file: string;
}
export type ExampleValue = string | number | boolean | null | FileRef | ExampleValue[] | { [key: string]: ExampleValue };

/** JSON values and `{"$file": path}` references, checked by one walk that names what it accepts. */
function isExampleValue(v: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isExampleValue(x, depth + 1));
  if (typeof v !== 'object') return false;
  if ('$file' in v) return Object.keys(v).length === 1 && typeof (v as FileRef).$file === 'string' && (v as FileRef).$file.length > 0;
  return Object.values(v).every((x) => isExampleValue(x, depth + 1));
}
const exampleValue = z.custom<ExampleValue>((v) => isExampleValue(v), 'must be JSON (string, number, boolean, null, list, object) or {"$file": "path"} and nothing else');

export const BODY_KINDS = ['binary', 'json', 'text', 'none'] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

const callSchema = z
  .object({
    /** The consumer's own name for the call (its method), used in every finding. */
    method: z.string().min(1),
    /** The Modal app the consumer sends this call to (its endpoint→app map). */
    app: z.string().min(1),
    path: z.string().regex(/^\//, 'must start with /'),
    httpMethod: z.enum(['GET', 'POST']),
    fields: z.record(z.string(), fieldSchema).default({}),
    example: z.record(z.string(), exampleValue).default({}),
    reads: z
      .object({
        body: z.enum(BODY_KINDS),
        /** Response headers the consumer reads (any case; compared lower-cased). */
        headers: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    /** Client-side deadline for the whole call (all 303 hops included), ms. */
    timeoutMs: z.number().int().positive(),
    /** Whether the consumer follows Modal's 303 to the result URL (fetch's default `redirect: 'follow'`). */
    followsRedirects: z.boolean().default(true),
    /** Where the importer found the call (file:line), for people reading findings. */
    source: z.string().optional(),
  })
  .strict();
export type ConsumerCall = z.infer<typeof callSchema>;

const consumerSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, . _ - only'),
    source: z.string().optional(),
    calls: z.array(callSchema),
    /** What the importer could not resolve, kept so a reader knows the file's limits. */
    unresolved: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.calls.forEach((call, i) => {
      if (seen.has(call.method)) ctx.addIssue({ code: 'custom', path: ['calls', i, 'method'], message: `duplicate method "${call.method}" in consumer ${c.name}` });
      seen.add(call.method);
    });
  });
export type Consumer = z.infer<typeof consumerSchema>;

export const consumerFileSchema = z
  .object({
    schemaVersion: z.literal(1),
    consumers: z.array(consumerSchema).min(1),
  })
  .strict();
export type ConsumerFile = z.infer<typeof consumerFileSchema>;

export class ConsumerFileError extends GenprobeError {
  constructor(message: string) {
    super(message, 'GENPROBE_CONSUMERS');
  }
}

/** Parse and validate a consumer-contract file's text; errors name the path of each bad field. */
export function parseConsumerFile(text: string, source = 'consumers'): ConsumerFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConsumerFileError(`${source}: not valid JSON: ${(err as Error).message}`);
  }
  const result = consumerFileSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConsumerFileError(`${source}: invalid consumer-contract file:\n${lines.join('\n')}`);
  }
  return result.data;
}

export interface LoadedConsumers {
  file: string;
  /** Directory `$file` references resolve against. */
  baseDir: string;
  contract: ConsumerFile;
}

export function loadConsumerFile(file: string): LoadedConsumers {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConsumerFileError(`${file}: cannot read consumer-contract file: ${(err as Error).message}`);
  }
  return { file, baseDir: path.dirname(path.resolve(file)), contract: parseConsumerFile(text, file) };
}

export function isFileRef(v: unknown): v is FileRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as FileRef).$file === 'string';
}

const MIME_BY_EXT: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

export function mimeOf(file: string): string {
  const mime = MIME_BY_EXT[path.extname(file).toLowerCase()];
  if (!mime) throw new ConsumerFileError(`$file ${file}: unknown media extension (known: ${Object.keys(MIME_BY_EXT).join(', ')})`);
  return mime;
}

/** The example with every `$file` replaced by `resolve(ref)` (also inside arrays and objects). */
export function substituteFiles(example: Record<string, ExampleValue>, resolve: (ref: FileRef) => string): Record<string, unknown> {
  const visit = (v: ExampleValue): unknown => {
    if (isFileRef(v)) return resolve(v);
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(example) as Record<string, unknown>;
}

/** Reads each referenced file and inlines it as a base64 data URL — what is really sent. */
export function inlineFiles(example: Record<string, ExampleValue>, baseDir: string): Record<string, unknown> {
  return substituteFiles(example, (ref) => {
    const file = path.resolve(baseDir, ref.$file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new ConsumerFileError(`$file ${ref.$file}: cannot read ${file}: ${(err as Error).message}`);
    }
    return `data:${mimeOf(file)};base64,${bytes.toString('base64')}`;
  });
}

/** A tiny stand-in data URL per reference (static verification validates shapes, not pixels). */
export function placeholderFiles(example: Record<string, ExampleValue>): Record<string, unknown> {
  return substituteFiles(example, (ref) => `data:${MIME_BY_EXT[path.extname(ref.$file).toLowerCase()] ?? 'application/octet-stream'};base64,AAAA`);
}

export function renderConsumerFile(contract: ConsumerFile): string {
  return `${JSON.stringify(contract, null, 2)}\n`;
}

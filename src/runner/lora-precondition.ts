/**
 * LoRA routes need a LoRA the fleet has. The fleet resolves the LoRA before it looks at anything
 * else (e.g. jatidevelopments/ryla@57209b5:apps/modal/handlers/flux.py:391-408, qwen_image.py:667-724,
 * wan26.py:997-1055), so on a fleet without genprobe's probe LoRA every case of the route — the
 * negative ones included — answers 404 `LoRA not found` and fails for the wrong reason. The
 * precondition is checked first: with `GET /loras` where the app has it, else from the happy path's
 * answer. Missing probe LoRA → the endpoint is skipped with what to configure; a LoRA the config
 * names that is missing → a failure (it disappeared).
 */
import type { EndpointEntry } from '../catalog/types.ts';
import { fail, type CheckResult } from '../checks/types.ts';
import type { CallResult } from '../client/types.ts';
import type { EndpointOverride } from '../config/endpoint.ts';

/** genprobe's own LoRA, which a studio trains once for its probes (the catalog's `needs-lora` samples). */
export const PROBE_LORA_ID = 'genprobe-probe';

/**
 * Apps that answer `GET /loras` with `{"loras":[{"name","path"}], …}`:
 * apps/modal/apps/flux/app.py:148-158 and apps/modal/apps/lora/app.py:127-137 (no other app has it).
 */
export const APPS_WITH_LORA_LIST: ReadonlySet<string> = new Set(['ryla-flux', 'ryla-lora']);

/** File prefix a handler puts before a `lora_id` (flux.py:401, lora.py:139, qwen_image.py:677, wan26.py:1008). */
const ID_PREFIX: Record<string, string> = { 'ryla-qwen-image': 'qwen-character-', 'ryla-wan26': 'wan-character-' };

export interface LoraRequirement {
  field: 'lora_id' | 'lora_name';
  value: string;
  /** The file the handler looks up (`lora_name` wins over `lora_id`, as in every LoRA handler). */
  file: string;
  /** The LoRA comes from the config (`endpoints.<id>.request`), not from the catalog's sample. */
  configured: boolean;
  /** The catalog's placeholder genprobe-probe, not a LoRA baked into the fleet's images. */
  probe: boolean;
}

/** What LoRA the route's happy path needs, or null for routes without one. */
export function loraRequirement(entry: EndpointEntry, override: EndpointOverride = {}): LoraRequirement | null {
  if (entry.method !== 'POST') return null;
  const request: Record<string, unknown> = { ...entry.sample, ...(override.request ?? {}) };
  const field = typeof request.lora_name === 'string' ? 'lora_name' : typeof request.lora_id === 'string' ? 'lora_id' : null;
  if (!field) return null;
  const value = request[field] as string;
  const file = field === 'lora_name' ? (value.endsWith('.safetensors') ? value : `${value}.safetensors`) : `${ID_PREFIX[entry.app] ?? 'character-'}${value}.safetensors`;
  const configured = override.request?.lora_id !== undefined || override.request?.lora_name !== undefined;
  return { field, value, file, configured, probe: !configured && field === 'lora_id' && value === PROBE_LORA_ID };
}

function configureHint(entry: EndpointEntry): string {
  return `set endpoints.${entry.id}.request.lora_id (a trained character id) or endpoints.${entry.id}.request.lora_name (a LoRA file) to a LoRA the fleet has`;
}

export type LoraVerdict = { kind: 'ok' } | { kind: 'skip'; reason: string } | { kind: 'fail'; check: CheckResult };

/** Names in a `GET /loras` answer, or null when the answer is not that list. */
export function listedLoras(call: CallResult): string[] | null {
  if (call.status !== 200) return null;
  try {
    const json = JSON.parse(call.body.toString('utf8')) as { loras?: unknown };
    if (!Array.isArray(json.loras)) return null;
    return json.loras.map((l) => (l && typeof l === 'object' ? String((l as { name?: unknown }).name) : String(l)));
  } catch {
    return null;
  }
}

/** The precondition judged from `GET /loras`; an unusable list leaves the decision to the contract run. */
export function judgeLoraList(entry: EndpointEntry, need: LoraRequirement, list: CallResult): LoraVerdict {
  const names = listedLoras(list);
  if (!names || names.includes(need.file)) return { kind: 'ok' };
  return missing(entry, need, `GET /loras on ${entry.app} lists ${names.length} LoRA(s), not ${need.file}`);
}

/** The precondition judged from the happy path's answer (apps without `GET /loras`). */
export function judgeLoraAnswer(entry: EndpointEntry, need: LoraRequirement, call: CallResult): LoraVerdict {
  if (call.status !== 404 || !/LoRA not found/.test(call.body.toString('utf8'))) return { kind: 'ok' };
  return missing(entry, need, `${entry.path} answered 404 LoRA not found for ${need.file}`);
}

function missing(entry: EndpointEntry, need: LoraRequirement, evidence: string): LoraVerdict {
  if (need.probe) return { kind: 'skip', reason: `needs a LoRA: ${evidence}; ${configureHint(entry)}` };
  const origin = need.configured ? `the configured ${need.field} "${need.value}"` : `the fleet's baked LoRA ${need.file}`;
  return {
    kind: 'fail',
    check: fail('status', `LoRA missing: ${origin} is not on the fleet (${evidence}); it was there when the contract was set up`, { file: need.file }, 'the LoRA the request names is installed', ),
  };
}

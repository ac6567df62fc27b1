/**
 * Vocabulary shared by the endpoint data files: field schemas for media, the drift rows that apply
 * to many routes, and a few literal builders. Everything here returns plain data so an entry reads
 * as a table row.
 */
import { z } from 'zod';
import type { AsBuiltAnswer, DocDrift, ErrorAnswer, ErrorCase, OutputSpec, SizeRule } from '../types.ts';

/**
 * A data URL (`data:<mime>;base64,…`). instantid / pulid / ipadapter treat anything else as a
 * filename in ComfyUI's input/ folder (docs/fleet.md §2.2), so their reference fields require this.
 */
export const dataUrl = () =>
  z.string().regex(/^data:[a-z]+\/[a-z0-9.+-]+;base64,/i, 'must be a data URL (data:<mime>;base64,…)');

/** Media accepted as a data URL or raw base64 (z_image, qwen, wan26, wan22, seedvr2 helpers). */
export const media = () => z.string().min(1, 'media must not be empty');

/** Seeds: ComfyUI takes any non-negative integer; random when absent on some routes. */
export const seed = () => z.number().int().nonnegative();

export const int = () => z.number().int();

/**
 * One of two alternative fields must be present and non-empty (LoRA, face routes): the promise.
 * As built the fleet tests key presence only (`"lora_id" not in item and "lora_name" not in item`,
 * jatidevelopments/ryla@57209b5:apps/modal/handlers/flux.py:391), so `{"lora_id": ""}` passes its
 * check and is answered 404 `LoRA not found: character-.safetensors` (flux.py:400-408).
 */
export function oneOf(a: string, b: string) {
  return (o: Record<string, unknown>) => Boolean(o[a]) || Boolean(o[b]);
}

/** Starlette lower-cases header names, so the routes' `startswith("X-")` copy loop copies nothing (§0.1). */
export const DRIFT_COST_HEADERS: DocDrift = {
  topic: 'cost headers',
  docs: 'All endpoints return X-Cost-USD, X-Execution-Time-Sec, X-GPU-Type, X-Model, X-Steps (ENDPOINTS-REFERENCE.md; "Headers present" in P8-TEST-RESULTS.md)',
  code: 'Set on the inner response and lost in the case-sensitive `startswith("X-")` copy loop; only /flux-pulid keeps them',
};

export const DRIFT_LORA_STRENGTH: DocDrift = {
  topic: 'lora_strength default',
  docs: '0.8 (ENDPOINTS-REFERENCE.md examples, QUALITY-SETTINGS.md)',
  code: '1.0 in every live LoRA handler (0.8 only in the dead z-image-pulid-lora path)',
};

export const DRIFT_WAN26_WEIGHTS: DocDrift = {
  topic: 'model weights',
  docs: 'Wan 2.6 1.3B',
  code: 'apps/wan26/image.py falls back to Wan 2.1 1.3B files under the 2.6 names when the 2.6 repo is unavailable; which one is live is unknown',
};

export const DRIFT_SDXL_REMOVED: DocDrift = {
  topic: 'route exists',
  docs: 'Live (ENDPOINT-APP-MAPPING.md, ENDPOINTS-REFERENCE.md, BENCHMARK-RESULTS, ModalClient, playground constants)',
  code: 'Deleted from handlers/instantid.py by e5a81e3 (2026-02-06) → 404 {"detail":"Not Found"}',
};

export const DRIFT_STILL_REGISTERED: DocDrift = {
  topic: 'route exists',
  docs: 'Removed',
  code: 'Still registered at HEAD; fails at request time',
};

export const DRIFT_QWEN_EDIT_APP: DocDrift = {
  topic: 'serving app',
  docs: 'ryla-qwen-image (ENDPOINT-APP-MAPPING.md, ModalClient) vs ryla-qwen-edit (ENDPOINTS-REFERENCE.md, benchmark, tests/endpoint_urls.py, quality scripts)',
  code: 'Both ryla-qwen-image and ryla-qwen-edit define the route; the catalog probes it on ryla-qwen-image (deployed) only',
};

// ---------------------------------------------------------------- outputs

/** ComfyUI SaveImage/PreviewImage: PNG bytes under a `image/jpeg` label (docs/fleet.md §0.2). */
export function pngUnderJpeg(size: SizeRule, minBytes: number): OutputSpec {
  return { kind: 'png', declaredType: 'image/jpeg', size, minBytes };
}

export function sizeFromRequest(defaultWidth: number, defaultHeight: number): SizeRule {
  return { kind: 'request', widthField: 'width', heightField: 'height', defaultWidth, defaultHeight };
}

/** Wan SaveAnimatedWEBP: frames = length/num_frames, frame delay int(1000/fps) ms (62 ms at 16). */
export function animatedWebp(
  defaultWidth: number,
  defaultHeight: number,
  framesField: 'length' | 'num_frames',
  defaultFrames: number,
): OutputSpec {
  return {
    kind: 'webp-animated',
    declaredType: 'image/webp',
    size: sizeFromRequest(defaultWidth, defaultHeight),
    frames: { kind: 'request', field: framesField, defaultValue: defaultFrames },
    fps: { field: 'fps', defaultValue: 16 },
    minBytes: 20_000,
  };
}

/** JSON answers of GET routes. */
export const JSON_OUTPUT: OutputSpec = {
  kind: 'json',
  declaredType: 'application/json',
  size: { kind: 'none' },
  minBytes: 10,
};

// ---------------------------------------------------------------- errors

/**
 * The promise for bad input: a client error — 400, or 422 as FastAPI's own validation answers —
 * whose body names the field, so a caller can tell its own mistake from a server failure.
 */
export function namesField(field: string): ErrorAnswer {
  return { status: [400, 422], body: 'json-message', contains: field };
}

/** A bad request about `field`: promised a 4xx naming it; `asBuilt` is what the fleet answers today. */
export function badInput(
  name: string,
  change: { omit?: string[]; override?: ErrorCase['override'] },
  field: string,
  asBuilt: AsBuiltAnswer,
  note?: string,
): ErrorCase {
  return { name, ...change, expect: namesField(field), asBuilt, ...(note ? { note } : {}) };
}

/**
 * `item["prompt"]` KeyError → global handler 500 `{"error":"'prompt'",…,"type":"KeyError"}`
 * (as built; the promise is a 4xx naming `prompt`). `source` is the line that reads the key.
 */
export function missingPromptKeyError(source: string, note = 'KeyError caught by the app-wide exception handler'): ErrorCase {
  return badInput('missing prompt', { omit: ['prompt'] }, 'prompt', { status: [500], body: 'error-details-type', contains: 'prompt', source }, note);
}

export function routeRemoved404(note: string, source: string): ErrorCase {
  const answer: ErrorAnswer = { status: [404], body: 'not-found' };
  return { name: 'route removed', expect: answer, asBuilt: { ...answer, source }, note };
}

/** A LoRA route without lora_id/lora_name: the fleet keeps the promise (400 `{"detail"}`). */
export function missingLora(field: string, source: string): ErrorCase {
  return badInput('missing lora', { omit: [field] }, field, {
    status: [400],
    body: 'detail',
    contains: 'lora_id or lora_name is required',
    source,
  });
}

/** An unknown LoRA: promised a client error that says the LoRA is the problem (the fleet: 404). */
export function unknownLora(field: 'lora_id' | 'lora_name', source: string): ErrorCase {
  return {
    name: 'unknown lora',
    override: { [field]: 'genprobe-no-such-lora-0000' },
    expect: { status: [400, 404, 422], body: 'json-message', contains: 'LoRA' },
    asBuilt: { status: [404], body: 'detail', contains: 'LoRA not found', source },
  };
}

/**
 * ryla-z-image — handlers/z_image.py (docs/fleet.md §3.4). No try/except: HTTPExceptions are
 * `{"detail": …}`, other failures 500 via the global handler.
 */
import { z } from 'zod';
import type { EndpointEntry } from '../types.ts';
import {
  DRIFT_COST_HEADERS,
  DRIFT_LORA_STRENGTH,
  DRIFT_STILL_REGISTERED,
  badInput,
  int,
  missingPromptKeyError,
  media,
  missingLora,
  oneOf,
  pngUnderJpeg,
  seed,
  sizeFromRequest,
  unknownLora,
} from './shared.ts';

const SOURCE = 'apps/modal/handlers/z_image.py';
const PROMPT = 'a candid photo of a golden retriever on a beach';

/** ZImageLoader (Tongyi-MAI/Z-Image-Turbo bf16) + ZImageSampler, diffusers pipeline. */
const diffusersFields = (steps: number) => ({
  prompt: z.string(),
  width: int().default(1024),
  height: int().default(1024),
  steps: int().default(steps),
  cfg: z.number().default(0.0), // → guidance_scale
  seed: seed().default(42),
  negative_prompt: z.string().default(''),
});

/** UNET z_image_turbo_bf16 + LoraLoaderModelOnly, CLIPLoader qwen_3_4b, KSampler euler/simple. */
const loraFields = {
  lora_id: z.string().optional(), // → character-{id}.safetensors
  lora_name: z.string().optional(),
  prompt: z.string(),
  width: int().default(1024),
  height: int().default(1024),
  steps: int().default(9),
  cfg: z.number().default(1.0),
  seed: seed().optional(), // random 0…2³²−1 when absent
  negative_prompt: z.string().optional(),
  lora_strength: z.number().default(1.0),
  trigger_word: z.string().optional(),
  nsfw: z.boolean().default(false),
};

/**
 * /z-image-realism and /z-image-nsfw prepend a style / set a default negative prompt, then run the
 * *simple* pipeline (`handler._z_image_simple_impl(item)`, z_image.py:1206,1239), so they read the
 * simple route's fields and defaults (build_z_image_simple_workflow, z_image.py:93-103).
 */
const wrapperFields = (prompt: z.ZodType<unknown>) => ({
  ...diffusersFields(4), // steps 4, cfg 0.0, seed 42
  prompt,
  negative_prompt: z.string().optional(), // falsy → the route's own default
});

const removedFaceFields = {
  reference_image: media(),
  prompt: z.string(),
};

export const Z_IMAGE_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'z-image-simple',
    app: 'ryla-z-image',
    path: '/z-image-simple',
    method: 'POST',
    title: 'Z-Image Turbo text-to-image (4 steps)',
    tags: ['image', 't2i'],
    lifecycle: 'live',
    lifecycleNote: 'Monolith run of 2026-01-28 failed with 500',
    gpu: 'L40S',
    timing: {
      documentedSec: 51,
      measured: [
        { source: 'bench', seconds: 51, date: '2026-02-02', note: '1229 KB; run parameters uncertain' },
        { source: 'api', seconds: 61.1, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.028,
    request: z.looseObject(diffusersFields(4)),
    sample: { prompt: PROMPT, width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [missingPromptKeyError(`${SOURCE}:93`)],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS],
    source: SOURCE,
  },
  {
    id: 'z-image-danrisi',
    app: 'ryla-z-image',
    path: '/z-image-danrisi',
    method: 'POST',
    title: 'Z-Image Turbo, Danrisi settings (8 steps, flash attention)',
    tags: ['image', 't2i', 'cheap'],
    lifecycle: 'live',
    lifecycleNote: 'Monolith run of 2026-01-28 failed with 500',
    gpu: 'L40S',
    timing: {
      documentedSec: 6,
      measured: [
        { source: 'bench', seconds: 6, date: '2026-02-02', note: '1229 KB; run parameters uncertain' },
        { source: 'api', seconds: 65.7, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.003,
    // attention "flash", cfg_normalization true; otherwise the simple route's fields.
    request: z.looseObject(diffusersFields(8)),
    sample: { prompt: PROMPT, width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [missingPromptKeyError(`${SOURCE}:145`)],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS],
    source: SOURCE,
  },
  {
    id: 'z-image-lora',
    app: 'ryla-z-image',
    path: '/z-image-lora',
    method: 'POST',
    title: 'Z-Image Turbo with a LoRA (ComfyUI UNET path)',
    tags: ['image', 't2i', 'lora', 'cheap'],
    lifecycle: 'live',
    lifecycleNote: 'Preinstalled LoRAs are best-effort CivitAI downloads at image build; 408 observed in the playground audit',
    gpu: 'L40S',
    timing: {
      documentedSec: 29,
      measured: [{ source: 'bench', seconds: 29, date: '2026-02-02', note: '104 KB; run parameters uncertain' }],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.016,
    request: z.looseObject(loraFields).refine(oneOf('lora_id', 'lora_name'), 'lora_id or lora_name is required'),
    sample: { prompt: PROMPT, lora_name: 'realistic-snapshot-zit', width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [
      missingLora('lora_name', `${SOURCE}:983-984`),
      unknownLora('lora_name', `${SOURCE}:1010-1012`),
      badInput('missing prompt', { omit: ['prompt'] }, 'prompt', { status: [400], body: 'detail', contains: 'prompt is required', source: `${SOURCE}:1015-1016` }, 'checked after the LoRA is resolved'),
    ],
    // X-NSFW-Mode is set after the copy loop, so it survives; value mirrors `nsfw`.
    headers: { cost: 'dropped', surviving: { 'X-NSFW-Mode': 'false' } },
    drift: [DRIFT_COST_HEADERS, DRIFT_LORA_STRENGTH],
    source: SOURCE,
  },
  {
    id: 'z-image-realism',
    app: 'ryla-z-image',
    path: '/z-image-realism',
    method: 'POST',
    title: 'Z-Image Turbo realism styles',
    tags: ['image', 't2i'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: { measured: [] },
    // prompt optional: `item.get("prompt", "")` (z_image.py:1197), though the docstring says required.
    // A falsy negative_prompt becomes "ugly, deformed, cartoon, anime, …" (:1201-1202).
    request: z.looseObject({
      ...wrapperFields(z.string().optional()),
      // instagram | cinematic | candid | snapshot, lower-cased (:1186); unknown → snapshot prefix,
      // but X-Style echoes the lower-cased value as sent (:1214).
      style: z.string().default('snapshot'),
    }),
    sample: { prompt: PROMPT, width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [],
    headers: { cost: 'dropped', surviving: { 'X-Style': 'snapshot' } },
    drift: [
      DRIFT_COST_HEADERS,
      { topic: 'prompt required', docs: 'route docstring: "prompt: str - Text prompt (required)" (z_image.py:1177)', code: 'item.get("prompt", "") (:1197): without a prompt it generates from the style prefix alone' },
    ],
    source: SOURCE,
  },
  {
    id: 'z-image-nsfw',
    app: 'ryla-z-image',
    path: '/z-image-nsfw',
    method: 'POST',
    title: 'Z-Image Turbo NSFW mode',
    tags: ['image', 't2i', 'nsfw'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: { measured: [] },
    // A falsy negative_prompt becomes "ugly, deformed, blurry, low quality" (z_image.py:1234-1235).
    request: z.looseObject(wrapperFields(z.string())),
    sample: { prompt: PROMPT, width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [missingPromptKeyError(`${SOURCE}:93`, 'KeyError in the simple pipeline (z_image.py:1239 → :93), caught by the app-wide exception handler')],
    headers: { cost: 'dropped', surviving: { 'X-NSFW-Mode': 'true' } },
    drift: [DRIFT_COST_HEADERS],
    source: SOURCE,
  },
  {
    id: 'z-image-instantid',
    app: 'ryla-z-image',
    path: '/z-image-instantid',
    method: 'POST',
    title: 'Z-Image + InstantID (incompatible)',
    tags: ['image', 'face', 't2i'],
    lifecycle: 'incompatible',
    lifecycleNote: 'Documented removed ("encoder incompatible"), still registered; the API adapter throws before calling it',
    gpu: 'L40S',
    timing: { measured: [] },
    request: z.looseObject(removedFaceFields),
    sample: { reference_image: { $fixture: 'face:astronaut' }, prompt: 'a professional headshot of a person' },
    // Never produces an image at HEAD; its other fields are not recorded.
    output: pngUnderJpeg({ kind: 'none' }, 10_000),
    // The sample request fails today (encoder incompatible): judged as a route that must work (route-broken).
    asBuiltFailure: {
      status: [500],
      body: 'error-details-type',
      contains: 'Workflow execution failed',
      source: `${SOURCE}:866-892 via self.comfyui.infer.local (:881) → apps/modal/utils/comfyui.py:610-624`,
      note: 'the InstantID nodes fail on the Z-Image encoder (documented "encoder incompatible"); the API error is replaced by the comfy run fallback\'s "Workflow execution failed (exit code N)", answered 500 by the global handler',
    },
    errors: [
      badInput('missing reference_image', { omit: ['reference_image'] }, 'reference_image', {
        status: [400],
        body: 'detail',
        contains: 'reference_image is required for InstantID workflow',
        source: `${SOURCE}:868-870`,
      }),
    ],
    headers: { cost: 'dropped' },
    face: { target: [85, 90], referenceField: 'reference_image', mode: 'generation' },
    drift: [DRIFT_STILL_REGISTERED],
    source: SOURCE,
  },
  {
    id: 'z-image-pulid',
    app: 'ryla-z-image',
    path: '/z-image-pulid',
    method: 'POST',
    title: 'Z-Image + PuLID (incompatible)',
    tags: ['image', 'face', 't2i'],
    lifecycle: 'incompatible',
    lifecycleNote: 'Documented removed ("encoder incompatible"), still registered; the API routes z-image-pulid workflows to /flux-pulid',
    gpu: 'L40S',
    timing: { measured: [] },
    request: z.looseObject(removedFaceFields),
    sample: { reference_image: { $fixture: 'face:astronaut' }, prompt: 'a professional headshot of a person' },
    // Never produces an image at HEAD; its other fields are not recorded.
    output: pngUnderJpeg({ kind: 'none' }, 10_000),
    // The sample request fails today (encoder incompatible): judged as a route that must work (route-broken).
    asBuiltFailure: {
      status: [500],
      body: 'error-details-type',
      contains: 'Workflow execution failed',
      source: `${SOURCE}:894-920 via self.comfyui.infer.local (:909) → apps/modal/utils/comfyui.py:610-624`,
      note: 'the PuLID nodes fail on the Z-Image encoder (documented "encoder incompatible"); the API error is replaced by the comfy run fallback\'s "Workflow execution failed (exit code N)", answered 500 by the global handler',
    },
    errors: [
      badInput('missing reference_image', { omit: ['reference_image'] }, 'reference_image', {
        status: [400],
        body: 'detail',
        contains: 'reference_image is required for PuLID workflow',
        source: `${SOURCE}:896-898`,
      }),
    ],
    headers: { cost: 'dropped' },
    face: { target: [80, 85], referenceField: 'reference_image', mode: 'generation' },
    drift: [DRIFT_STILL_REGISTERED],
    source: SOURCE,
  },
  {
    id: 'z-image-pulid-lora',
    app: 'ryla-z-image',
    path: '/z-image-pulid-lora',
    method: 'POST',
    title: 'Z-Image PuLID + LoRA (always 501)',
    tags: ['image', 'face', 'lora'],
    lifecycle: 'incompatible',
    lifecycleNote: 'Always answers 501 with alternatives; the LoRA code behind it is dead',
    gpu: 'L40S',
    timing: { measured: [] },
    request: z.looseObject({}),
    sample: { prompt: 'a professional headshot of a person', reference_image: { $fixture: 'face:astronaut' } },
    output: pngUnderJpeg({ kind: 'none' }, 10_000),
    // Always 501 today: judged as a route that must work (route-broken).
    asBuiltFailure: {
      status: [501],
      body: 'detail-object',
      contains: 'ComfyUI LoRAs not supported',
      source: `${SOURCE}:1267-1268`,
      note: '{"detail":{"error":"Z-Image uses diffusers pipeline - ComfyUI LoRAs not supported","alternatives":[…]}}',
    },
    errors: [],
    headers: { cost: 'dropped' },
    face: { target: [80, 85], referenceField: 'reference_image', mode: 'generation' },
    source: SOURCE,
  },
];

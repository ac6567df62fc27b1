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
 * /z-image-realism and /z-image-nsfw pick a baked LoRA and run the /z-image-lora pipeline, so its
 * sizing fields pass through (inferred from the shared headers and LoRA set; not recorded).
 */
const wrapperFields = {
  prompt: z.string(),
  width: int().default(1024),
  height: int().default(1024),
  seed: seed().optional(),
};

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
    request: z.looseObject({
      ...wrapperFields,
      style: z.string().default('snapshot'), // instagram | cinematic | candid | snapshot; unknown → snapshot prefix
    }),
    sample: { prompt: PROMPT, width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [],
    headers: { cost: 'dropped', surviving: { 'X-Style': 'snapshot' } },
    drift: [DRIFT_COST_HEADERS],
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
    request: z.looseObject(wrapperFields), // minimal default negative prompt
    sample: { prompt: PROMPT, width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [],
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
      source: `${SOURCE}:860-880 (ComfyUI failure through the global handler, inferred)`,
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
      source: `${SOURCE}:890-910 (ComfyUI failure through the global handler, inferred)`,
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

/**
 * ryla-flux — apps/modal/handlers/flux.py (docs/fleet.md §3.1, timings §4, client timeouts §7.1).
 * Errors on this app go through a global handler that adds "path" to `{"error","details","type"}`.
 */
import { z } from 'zod';
import type { EndpointEntry } from '../types.ts';
import {
  DRIFT_COST_HEADERS,
  DRIFT_LORA_STRENGTH,
  JSON_OUTPUT,
  missingPromptKeyError,
  int,
  missingLora,
  oneOf,
  pngUnderJpeg,
  seed,
  sizeFromRequest,
  unknownLora,
} from './shared.ts';

const SOURCE = 'apps/modal/handlers/flux.py';
const FLEET_DEFAULT_TIMEOUT_MS = 180_000; // ModalClient constructor default from the adapter

/** Fields every flux text-to-image route reads; `negative_prompt` falsy → DEFAULT_NEGATIVE_PROMPT. */
const fluxFields = (steps: number) => ({
  prompt: z.string(),
  negative_prompt: z.string().optional(),
  width: int().default(1024),
  height: int().default(1024),
  steps: int().default(steps),
  cfg: z.number().default(1.0),
  seed: seed().default(42),
});

export const FLUX_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'flux',
    app: 'ryla-flux',
    path: '/flux',
    method: 'POST',
    title: 'Flux Schnell fp8 text-to-image',
    tags: ['image', 't2i', 'cheap'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 29,
      measured: [
        { source: 'bench', seconds: 29, date: '2026-02-02', note: '1331 KB; run parameters uncertain' },
        { source: 'mono', seconds: 18.8, date: '2026-01-28', note: 'ryla-comfyui monolith; 1638 KB' },
        { source: 'api', seconds: 49.0, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed, 1024²' },
        { source: 'set', seconds: 68.5, date: '2026-02-04', start: 'warm', note: 'influencer set, warm_endpoints' },
      ],
      fleetClientTimeoutMs: FLEET_DEFAULT_TIMEOUT_MS,
    },
    documentedCostUsd: 0.016,
    request: z.looseObject(fluxFields(4)),
    sample: { prompt: 'a red apple on a wooden table, studio photo', width: 512, height: 512, steps: 4, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [missingPromptKeyError(`${SOURCE}:61`)],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS],
    source: SOURCE,
  },
  {
    id: 'flux-dev',
    app: 'ryla-flux',
    path: '/flux-dev',
    method: 'POST',
    title: 'Flux Dev text-to-image',
    tags: ['image', 't2i', 'cheap'],
    lifecycle: 'live',
    lifecycleNote: 'The only Modal route production calls (Studio and base images, via ModalJobRunner.submitBaseImages)',
    gpu: 'L40S',
    timing: {
      documentedSec: 37,
      measured: [
        { source: 'bench', seconds: 37, date: '2026-02-02', note: '1126 KB; run parameters uncertain' },
        { source: 'mono', seconds: 62.5, date: '2026-01-28', note: 'ryla-comfyui monolith; 1205 KB' },
        { source: 'api', seconds: 20.2, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed, 1024²' },
      ],
      fleetClientTimeoutMs: FLEET_DEFAULT_TIMEOUT_MS,
    },
    documentedCostUsd: 0.02,
    request: z.looseObject(fluxFields(20)),
    sample: { prompt: 'a red apple on a wooden table, studio photo', width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [missingPromptKeyError(`${SOURCE}:156`)],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS],
    source: SOURCE,
  },
  {
    id: 'flux-dev-lora',
    app: 'ryla-flux',
    path: '/flux-dev-lora',
    method: 'POST',
    title: 'Flux Dev with a LoRA',
    tags: ['image', 't2i', 'lora'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 60,
      measured: [
        { source: 'bench', seconds: 60, date: '2026-02-02', note: '1434 KB; run parameters uncertain' },
        { source: 'api', seconds: 0.65, date: '2026-02-06', outcome: 'error', note: '400, no LoRA sent' },
      ],
      fleetClientTimeoutMs: FLEET_DEFAULT_TIMEOUT_MS,
    },
    documentedCostUsd: 0.033,
    request: z
      .looseObject({
        ...fluxFields(20),
        // lora_id → character-{id}.safetensors; lora_name gets .safetensors appended if missing
        lora_id: z.string().optional(),
        lora_name: z.string().optional(),
        trigger_word: z.string().optional(), // prepended to the prompt
        lora_strength: z.number().default(1.0), // model and clip strength
      })
      .refine(oneOf('lora_id', 'lora_name'), 'lora_id or lora_name is required'),
    // flux-realism-lora is baked into the image (apps/modal/apps/flux/image.py).
    sample: {
      prompt: 'a portrait photo of a woman in a park',
      lora_name: 'flux-realism-lora',
      width: 512,
      height: 512,
      seed: 42,
    },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [missingLora('lora_name', `${SOURCE}:391-392`), unknownLora('lora_name', `${SOURCE}:405-407`), missingPromptKeyError(`${SOURCE}:222`)],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS, DRIFT_LORA_STRENGTH],
    source: SOURCE,
  },
  {
    id: 'flux-dev-realism',
    app: 'ryla-flux',
    path: '/flux-dev-realism',
    method: 'POST',
    title: 'Flux Dev + baked realism LoRA',
    tags: ['image', 't2i', 'lora'],
    lifecycle: 'live',
    lifecycleNote: 'Missing from the dead per-app copy apps/modal/apps/flux/handler.py; served by handlers/flux.py',
    gpu: 'L40S',
    timing: { measured: [] },
    // Forces lora_name=flux-realism-lora (lora_strength = realism_strength), prepends "Ultra realistic, "
    // unless the prompt has it, then runs _flux_dev_lora_impl (flux.py:529-537), so the flux-dev fields
    // pass through. prompt is optional: `item.get("prompt", "")` (flux.py:533).
    request: z.looseObject({
      ...fluxFields(20),
      prompt: z.string().optional(),
      realism_strength: z.number().default(0.85), // → lora_strength
      nsfw: z.boolean().default(false),
    }),
    sample: { prompt: 'a portrait photo of a woman in a park', width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [],
    // X-NSFW-Mode is set after the copy loop, so it survives; value mirrors `nsfw`.
    headers: { cost: 'dropped', surviving: { 'X-NSFW-Mode': 'false' } },
    drift: [DRIFT_COST_HEADERS],
    source: SOURCE,
  },
  {
    id: 'loras',
    app: 'ryla-flux',
    path: '/loras',
    method: 'GET',
    title: 'List installed LoRAs',
    tags: ['json', 'cheap'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: { measured: [] },
    request: z.looseObject({}),
    sample: {},
    // {"loras":[{"name","path"}],"count":n}
    output: JSON_OUTPUT,
    errors: [],
    headers: { cost: 'none' }, // no CostTracker on GET routes
    source: SOURCE,
  },
  {
    id: 'debug/test',
    app: 'ryla-flux',
    path: '/debug/test',
    method: 'GET',
    title: 'Handler import self-test',
    tags: ['json', 'cheap'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: { measured: [] },
    request: z.looseObject({}),
    sample: {},
    // {"status":"ok","handler_import":"success"} or {"status":"error",…}
    output: JSON_OUTPUT,
    errors: [],
    headers: { cost: 'none' }, // no CostTracker on GET routes
    source: SOURCE,
  },
];

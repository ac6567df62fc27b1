/**
 * ryla-lora — handlers/lora.py (docs/fleet.md §3.8). Deployment unknown: not in the "8 deployed
 * apps" list. Targeted by ModalJobRunner.generateFluxLoRA and the adapter's submitFluxLora.
 */
import { z } from 'zod';
import type { EndpointEntry } from '../types.ts';
import {
  DRIFT_COST_HEADERS,
  DRIFT_LORA_STRENGTH,
  missingPromptKeyError,
  int,
  JSON_OUTPUT,
  missingLora,
  oneOf,
  pngUnderJpeg,
  seed,
  sizeFromRequest,
  unknownLora,
} from './shared.ts';

export const LORA_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'flux-lora',
    app: 'ryla-lora',
    path: '/flux-lora',
    method: 'POST',
    title: 'Flux Dev with a character LoRA (ryla-lora app)',
    tags: ['image', 't2i', 'lora', 'needs-lora'],
    lifecycle: 'live',
    lifecycleNote: 'App deployment unknown (an undeployed app answers 404 "modal-http: invalid function call"). No LoRA is preinstalled: train one and override lora_id',
    gpu: 'L40S',
    timing: { measured: [], fleetClientTimeoutMs: 180_000 },
    request: z
      .looseObject({
        lora_id: z.string().optional(),
        lora_name: z.string().optional(),
        prompt: z.string(),
        trigger_word: z.string().optional(),
        lora_strength: z.number().default(1.0),
        width: int().default(1024),
        height: int().default(1024),
        steps: int().default(20),
        cfg: z.number().default(1.0),
        seed: seed().default(42),
      })
      .refine(oneOf('lora_id', 'lora_name'), 'lora_id or lora_name is required'),
    sample: { prompt: 'a portrait photo of a woman in a park', lora_id: 'genprobe-probe', width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [
      missingLora('lora_id', 'apps/modal/handlers/lora.py:129-130'),
      unknownLora('lora_id', 'apps/modal/handlers/lora.py:156-158'),
      missingPromptKeyError('apps/modal/handlers/lora.py', 'only reached with a LoRA that resolves'),
    ],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS, DRIFT_LORA_STRENGTH],
    source: 'apps/modal/handlers/lora.py',
  },
  {
    // ryla-flux has the same path (id `loras`), so this one's id names its app.
    id: 'ryla-lora/loras',
    app: 'ryla-lora',
    path: '/loras',
    method: 'GET',
    title: 'List installed LoRAs (ryla-lora app)',
    tags: ['json', 'cheap'],
    lifecycle: 'live',
    lifecycleNote: 'App deployment unknown (an undeployed app answers 404 "modal-http: invalid function call")',
    gpu: 'L40S',
    timing: { measured: [] },
    request: z.looseObject({}),
    sample: {},
    // {"loras":[{"name","path"}]} from /root/models/loras and ComfyUI's models/loras — no "count",
    // unlike ryla-flux's (apps/modal/apps/lora/app.py:127-137).
    output: JSON_OUTPUT,
    errors: [],
    headers: { cost: 'none' }, // no CostTracker on GET routes
    source: 'apps/modal/apps/lora/app.py',
  },
];

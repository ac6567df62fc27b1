/**
 * ryla-wan26 — handlers/wan26.py (docs/fleet.md §3.5). KSampler uni_pc/simple, ModelSamplingSD3
 * shift 8, EmptyHunyuanLatentVideo; output frames = `length` when length = 4k+1 (17, 33, 49…).
 * No try/except: HTTPExceptions are `{"detail": …}`, other failures 500 via the global handler.
 */
import { z } from 'zod';
import type { DocDrift, EndpointEntry, ErrorCase } from '../types.ts';
import {
  DRIFT_COST_HEADERS,
  DRIFT_LORA_STRENGTH,
  DRIFT_WAN26_WEIGHTS,
  animatedWebp,
  badInput,
  int,
  media,
  oneOf,
  seed,
  sizeFromRequest,
  unknownLora,
} from './shared.ts';

const SOURCE = 'apps/modal/handlers/wan26.py';
const T2V_PROMPT = 'a paper boat drifting on a calm lake, gentle ripples';
const I2V_PROMPT = 'the person smiles and slowly turns their head';
const PORTRAIT_VIDEO = { $fixture: 'video:portrait' } as const;
/** 17 = 4·4+1, the smallest length that still shows motion; default is 33. */
const SAMPLE_LENGTH = 17;

const wanFields = {
  prompt: z.string(),
  width: int().default(832),
  height: int().default(480),
  length: int().default(33),
  steps: int().default(30),
  cfg: z.number().default(6.0),
  fps: int().default(16),
  seed: seed().optional(), // random when absent
  negative_prompt: z.string().default(''),
};

/** `prompt` missing → ValueError("prompt is required") → 500 on the T2V-style routes (as built). */
const missingPromptValueError = (line: string): ErrorCase =>
  badInput('missing prompt', { omit: ['prompt'] }, 'prompt', {
    status: [500],
    body: 'error-details-type',
    contains: 'prompt is required',
    source: `${SOURCE}:${line}`,
  });

/** A FastAPI HTTPException(400, …) naming the field: the promise kept. */
const missing400 = (field: string, contains: string, line: string): ErrorCase =>
  badInput(`missing ${field}`, { omit: [field] }, field, { status: [400], body: 'detail', contains, source: `${SOURCE}:${line}` });

const DRIFT_TS_NUM_FRAMES: DocDrift = {
  topic: 'frame count field',
  docs: 'ModalWan26Request sends num_frames',
  code: 'handler reads length; num_frames is ignored (33 frames)',
};

export const WAN26_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'wan2.6',
    app: 'ryla-wan26',
    path: '/wan2.6',
    method: 'POST',
    title: 'Wan 2.6 1.3B text-to-video (animated WebP)',
    tags: ['video', 't2v', 'cheap'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 35, // Bench says ~29
      measured: [
        { source: 'bench', seconds: 29, date: '2026-02-02', note: '661 KB; run parameters uncertain' },
        { source: 'api', seconds: 101.2, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.019,
    request: z.looseObject(wanFields),
    sample: { prompt: T2V_PROMPT, length: SAMPLE_LENGTH, seed: 42 },
    output: animatedWebp(832, 480, 'length', 33),
    errors: [missingPromptValueError('734')],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS, DRIFT_WAN26_WEIGHTS, DRIFT_TS_NUM_FRAMES],
    source: SOURCE,
  },
  {
    id: 'wan2.6-r2v',
    app: 'ryla-wan26',
    path: '/wan2.6-r2v',
    method: 'POST',
    title: 'Wan 2.6 reference-to-video',
    tags: ['video', 't2v'],
    lifecycle: 'live',
    lifecycleNote:
      'Never tested by the fleet. Reference videos are loaded but not wired into conditioning (behaves like T2V, inferred); non-numeric node ids force the `comfy run` CLI path',
    gpu: 'L40S',
    timing: { measured: [], fleetClientTimeoutMs: 600_000 },
    request: z.looseObject({
      ...wanFields,
      reference_videos: z.array(media()).min(1).max(3), // data URLs; mp4 or webm
    }),
    sample: { prompt: T2V_PROMPT, reference_videos: [PORTRAIT_VIDEO], length: SAMPLE_LENGTH, seed: 42 },
    output: animatedWebp(832, 480, 'length', 33),
    errors: [
      missingPromptValueError('796'),
      badInput('empty reference_videos', { override: { reference_videos: [] } }, 'reference_videos', {
        status: [500],
        body: 'error-details-type',
        source: `${SOURCE}:275,800`,
      }),
      badInput(
        'more than 3 reference_videos',
        { override: { reference_videos: [PORTRAIT_VIDEO, PORTRAIT_VIDEO, PORTRAIT_VIDEO, PORTRAIT_VIDEO] } },
        'reference_videos',
        { status: [500], body: 'error-details-type', contains: 'Maximum 3 reference videos', source: `${SOURCE}:278` },
      ),
    ],
    headers: { cost: 'dropped' },
    drift: [
      DRIFT_COST_HEADERS,
      DRIFT_WAN26_WEIGHTS,
      {
        topic: 'reference field',
        docs: 'ModalWan26R2VRequest sends reference_video (singular)',
        code: 'reference_videos[] (1–3); the TS request fails with 500',
      },
    ],
    source: SOURCE,
  },
  {
    id: 'wan2.6-i2v',
    app: 'ryla-wan26',
    path: '/wan2.6-i2v',
    method: 'POST',
    title: 'Wan 2.6 image-to-video (animated WebP)',
    tags: ['video', 'i2v', 'cheap'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 35,
      measured: [{ source: 'api', seconds: 79.0, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' }],
      fleetClientTimeoutMs: 120_000,
    },
    documentedCostUsd: 0.019,
    request: z.looseObject({ ...wanFields, reference_image: media() }), // WanImageToVideo start image
    sample: { prompt: I2V_PROMPT, reference_image: { $fixture: 'face:astronaut' }, length: SAMPLE_LENGTH, seed: 42 },
    output: animatedWebp(832, 480, 'length', 33),
    errors: [missing400('prompt', 'prompt is required', '865-866'), missing400('reference_image', 'reference_image is required', '867-868')],
    headers: { cost: 'dropped' },
    drift: [
      DRIFT_COST_HEADERS,
      DRIFT_WAN26_WEIGHTS,
      DRIFT_TS_NUM_FRAMES,
      { topic: 'output format', docs: 'route docstring: video/mp4', code: 'animated WebP (image/webp)' },
    ],
    source: SOURCE,
  },
  {
    id: 'wan2.6-i2v-faceswap',
    app: 'ryla-wan26',
    path: '/wan2.6-i2v-faceswap',
    method: 'POST',
    title: 'Wan 2.6 image-to-video, then ReActor face swap (MP4)',
    tags: ['video', 'i2v', 'face', 'faceswap'],
    lifecycle: 'live',
    lifecycleNote:
      'Phase 2 POSTs the WebP to ryla-qwen-image /batch-video-faceswap (timeout 1200 s); its failure → 502 "Face swap service failed: …". Handler cost counts the I2V phase only',
    gpu: 'L40S',
    timing: {
      documentedSec: 160,
      measured: [{ source: 'api', seconds: 199.3, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' }],
      fleetClientTimeoutMs: 300_000,
    },
    documentedCostUsd: 0.087,
    request: z
      .looseObject({
        ...wanFields,
        reference_image: media(), // the image to animate
        face_image: media().optional(), // the face swapped in…
        reference_face: media().optional(), // …or under this name
        restore_face: z.boolean().default(true),
      })
      .refine(oneOf('face_image', 'reference_face'), 'face_image or reference_face is required'),
    // Grace Hopper is animated, then the astronaut's face is swapped in.
    sample: {
      prompt: I2V_PROMPT,
      reference_image: { $fixture: 'face:grace_hopper' },
      face_image: { $fixture: 'face:astronaut' },
      length: SAMPLE_LENGTH,
      seed: 42,
    },
    output: {
      kind: 'mp4',
      declaredType: 'video/mp4',
      size: sizeFromRequest(832, 480),
      frames: { kind: 'request', field: 'length', defaultValue: 33 },
      fps: { field: 'fps', defaultValue: 16 }, // used for both phases
      codec: 'avc1',
      audio: 'none',
      minBytes: 20_000,
    },
    errors: [
      missing400('face_image', 'face_image or reference_face is required', '940-942'),
      missing400('reference_image', 'reference_image is required', '867-868 (via _wan26_i2v_impl at :948, after the face check at :940)'),
    ],
    headers: { cost: 'dropped' },
    face: {
      target: [85, 90],
      referenceField: 'face_image',
      mode: 'swap',
      docNote: 'no documented identity target; genprobe holds swaps to the InstantID bar',
    },
    delegatesTo: ['ryla-qwen-image'],
    drift: [DRIFT_COST_HEADERS, DRIFT_WAN26_WEIGHTS],
    source: SOURCE,
  },
  {
    id: 'wan2.6-lora',
    app: 'ryla-wan26',
    path: '/wan2.6-lora',
    method: 'POST',
    title: 'Wan 2.6 text-to-video with a character LoRA',
    tags: ['video', 't2v', 'lora', 'needs-lora'],
    lifecycle: 'live',
    lifecycleNote: 'No LoRA is preinstalled: train one and override lora_id',
    gpu: 'L40S',
    timing: {
      documentedSec: 47,
      measured: [
        { source: 'bench', seconds: 47, date: '2026-02-02', note: '246 KB; run parameters uncertain' },
        { source: 'api', seconds: 62.9, date: '2026-02-06', outcome: 'error', start: 'cold', note: '400 "lora_id or lora_name is required" after a cold start' },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.025,
    request: z
      .looseObject({
        ...wanFields,
        // lora_id → wan-character-{id}.safetensors in /root/models/wan-loras/, then /root/models/loras/,
        // then legacy character-{id}
        lora_id: z.string().optional(),
        lora_name: z.string().optional(),
        lora_strength: z.number().default(1.0), // docs: "typical 1.0–2.0"
        trigger_word: z.string().optional(),
      })
      .refine(oneOf('lora_id', 'lora_name'), 'lora_id or lora_name is required'),
    sample: { prompt: T2V_PROMPT, lora_id: 'genprobe-probe', length: SAMPLE_LENGTH, seed: 42 },
    output: animatedWebp(832, 480, 'length', 33),
    errors: [
      { ...missing400('lora_id', 'lora_id or lora_name is required', '997-998'), name: 'missing lora', note: 'observed 2026-02-06' },
      unknownLora('lora_id', `${SOURCE}:1052-1054`),
      { ...missingPromptValueError('1063'), note: 'only reached with a LoRA that resolves' },
    ],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS, DRIFT_WAN26_WEIGHTS, DRIFT_LORA_STRENGTH],
    source: SOURCE,
  },
];

/**
 * ryla-qwen-image — handlers/qwen_image.py (+ qwen_edit.py) (docs/fleet.md §3.3). No try/except in
 * these routes: HTTPExceptions come back as `{"detail": …}`, everything else through the app's
 * global handler as 500 `{"error","details","type"}`.
 *
 * Edit and inpaint are also defined by ryla-qwen-edit; they are listed once, here (the deployed
 * app), and the split is recorded as drift.
 */
import { z } from 'zod';
import type { EndpointEntry, ErrorCase, SizeRule } from '../types.ts';
import {
  DRIFT_COST_HEADERS,
  DRIFT_LORA_STRENGTH,
  DRIFT_QWEN_EDIT_APP,
  badInput,
  int,
  media,
  oneOf,
  pngUnderJpeg,
  seed,
  unknownLora,
} from './shared.ts';

const QWEN_SOURCE = 'apps/modal/handlers/qwen_image.py';
const EDIT_SOURCE = 'apps/modal/handlers/qwen_edit.py';
const ASTRONAUT = { $fixture: 'face:astronaut' } as const;
const GRACE_HOPPER = { $fixture: 'face:grace_hopper' } as const;
const COFFEE = { $fixture: 'scene:coffee' } as const;
const PORTRAIT_VIDEO = { $fixture: 'video:portrait' } as const;

/** aspect_ratio overrides width/height; an unknown ratio falls back to width/height (§3.3). */
const QWEN_ASPECT_RATIOS: Record<string, [number, number]> = {
  '1:1': [1328, 1328],
  '16:9': [1664, 928],
  '9:16': [928, 1664],
  '4:3': [1472, 1104],
  '3:4': [1104, 1472],
  '3:2': [1584, 1056],
  '2:3': [1056, 1584],
};

const QWEN_SIZE: SizeRule = {
  kind: 'aspect-ratio',
  field: 'aspect_ratio',
  table: QWEN_ASPECT_RATIOS,
  widthField: 'width',
  heightField: 'height',
  defaultWidth: 1328,
  defaultHeight: 1328,
};

const qwenT2iFields = (steps: number, cfg: number) => ({
  prompt: z.string().default('A beautiful woman'), // no error when missing
  aspect_ratio: z.string().optional(),
  width: int().default(1328),
  height: int().default(1328),
  steps: int().default(steps),
  cfg: z.number().default(cfg),
  seed: seed().optional(), // random 0…2³²−1 when absent
  negative_prompt: z.string().optional(), // Chinese default
  use_lightning_lora: z.boolean().default(false),
});

/**
 * Swap routes: the face of `reference_image` is put into existing media (ReActor inswapper_128 +
 * retinaface_resnet50 + GFPGANv1.4).
 */
const reactorFields = {
  reference_image: media(),
  restore_face: z.boolean().default(true),
  face_restore_visibility: z.number().default(1.0),
  codeformer_weight: z.number().default(0.5),
};

const SWAP_FACE = {
  target: [85, 90] as [number, number],
  referenceField: 'reference_image',
  mode: 'swap' as const,
  docNote: 'no documented identity target; genprobe holds swaps to the InstantID bar',
};

/**
 * Empty media → 0-byte input file → PIL "cannot identify image file" (observed in
 * PLAYGROUND-ENDPOINT-AUDIT.md): the handler checks key presence only (`"source_image" not in item`,
 * qwen_image.py:945), so "" reaches LoadImage.
 */
function emptyMedia(field: string, source: string): ErrorCase {
  return badInput(`empty ${field}`, { override: { [field]: '' } }, field, {
    status: [500],
    body: 'error-details-type',
    contains: 'cannot identify image file',
    source,
  });
}

/**
 * qwen_edit.py tests truthiness (`if not source_image_data: raise ValueError(...)`), so an empty
 * string fails the same way as a missing one: 500 from the global handler, not a PIL error.
 */
function emptyRequired500(field: string, source: string): ErrorCase {
  return badInput(`empty ${field}`, { override: { [field]: '' } }, field, {
    status: [500],
    body: 'error-details-type',
    contains: `${field} is required`,
    source,
  });
}

/** A ValueError("<field> is required …") → 500 through the global handler. */
function missingField500(field: string, source: string): ErrorCase {
  return badInput(`missing ${field}`, { omit: [field] }, field, { status: [500], body: 'error-details-type', contains: field, source });
}

/** A FastAPI HTTPException(400, "<field> is required (base64 data URL)"): the promise kept. */
function missing400(field: string, source: string): ErrorCase {
  return badInput(`missing ${field}`, { omit: [field] }, field, { status: [400], body: 'detail', contains: `${field} is required`, source });
}

export const QWEN_IMAGE_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'qwen-image-2512',
    app: 'ryla-qwen-image',
    path: '/qwen-image-2512',
    method: 'POST',
    title: 'Qwen-Image 2512 text-to-image (50 steps)',
    tags: ['image', 't2i'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 103,
      measured: [
        { source: 'bench', seconds: 103, date: '2026-02-02', note: '1945 KB; run parameters uncertain' },
        { source: 'api', seconds: 117.4, date: '2026-02-06', start: 'mixed', note: 'retried sum of two attempts' },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.056,
    request: z.looseObject(qwenT2iFields(50, 4.0)),
    sample: { prompt: 'a lighthouse on a cliff at sunset', aspect_ratio: '1:1', seed: 42 },
    output: pngUnderJpeg(QWEN_SIZE, 60_000),
    errors: [],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS],
    source: QWEN_SOURCE,
  },
  {
    id: 'qwen-image-2512-fast',
    app: 'ryla-qwen-image',
    path: '/qwen-image-2512-fast',
    method: 'POST',
    title: 'Qwen-Image 2512 with the Lightning 4-step LoRA',
    tags: ['image', 't2i'],
    lifecycle: 'live',
    lifecycleNote: '408 seen on cold start (MODAL-LOGS-REVIEW.md)',
    gpu: 'L40S',
    timing: {
      documentedSec: 73,
      measured: [
        { source: 'bench', seconds: 73, date: '2026-02-02', note: '2253 KB; run parameters uncertain' },
        { source: 'api', seconds: 85.5, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.04,
    request: z.looseObject(qwenT2iFields(4, 1.0)),
    sample: { prompt: 'a lighthouse on a cliff at sunset', aspect_ratio: '1:1', seed: 42 },
    output: pngUnderJpeg(QWEN_SIZE, 60_000),
    errors: [],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS],
    source: QWEN_SOURCE,
  },
  {
    id: 'qwen-image-2512-lora',
    app: 'ryla-qwen-image',
    path: '/qwen-image-2512-lora',
    method: 'POST',
    title: 'Qwen-Image 2512 with a character LoRA',
    tags: ['image', 't2i', 'lora', 'needs-lora'],
    lifecycle: 'live',
    lifecycleNote: 'No LoRA is preinstalled: train one and override lora_id',
    gpu: 'L40S',
    timing: {
      documentedSec: 143,
      measured: [{ source: 'bench', seconds: 143, date: '2026-02-02', note: '1945 KB; run parameters uncertain' }],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.078,
    request: z
      .looseObject({
        ...qwenT2iFields(50, 4.0),
        // lora_id → qwen-character-{id}.safetensors in /root/models/qwen-loras/, /root/models/loras/,
        // then legacy character-{id} in both
        lora_id: z.string().optional(),
        lora_name: z.string().optional(),
        lora_strength: z.number().default(1.0),
        trigger_word: z.string().optional(),
      })
      .refine(oneOf('lora_id', 'lora_name'), 'lora_id or lora_name is required'),
    sample: { prompt: 'a portrait photo of a woman in a park', lora_id: 'genprobe-probe', aspect_ratio: '1:1', seed: 42 },
    output: pngUnderJpeg(QWEN_SIZE, 60_000),
    errors: [
      badInput('missing lora', { omit: ['lora_id'] }, 'lora_id', {
        status: [400],
        body: 'detail',
        contains: 'lora_id or lora_name',
        source: `${QWEN_SOURCE}:667-668`,
      }),
      unknownLora('lora_id', `${QWEN_SOURCE}:721-723`),
    ],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS, DRIFT_LORA_STRENGTH],
    source: QWEN_SOURCE,
  },
  {
    id: 'video-faceswap',
    app: 'ryla-qwen-image',
    path: '/video-faceswap',
    method: 'POST',
    title: 'ReActor face swap on a video (VHS, keeps audio)',
    tags: ['video', 'face', 'faceswap'],
    lifecycle: 'live',
    lifecycleNote: 'Needs MP4 input (animated WebP not supported). A failed workflow waits the full 600 s poll, then 500',
    gpu: 'L40S',
    timing: {
      documentedSec: 85,
      measured: [{ source: 'bench', seconds: 85, date: '2026-02-02', note: '38 KB; run parameters uncertain' }],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.046,
    request: z.looseObject({
      source_video: media(),
      ...reactorFields,
      fps: int().default(30), // also force_rate on VHS_LoadVideo
    }),
    sample: { source_video: PORTRAIT_VIDEO, reference_image: ASTRONAUT },
    output: {
      kind: 'mp4',
      declaredType: 'video/mp4',
      size: { kind: 'same-as-input', inputField: 'source_video' },
      frames: { kind: 'from-input-duration', inputField: 'source_video' },
      fps: { field: 'fps', defaultValue: 30 },
      codec: 'avc1',
      audio: 'passthrough',
      minBytes: 20_000,
    },
    errors: [missing400('source_video', `${QWEN_SOURCE}:797-798`), missing400('reference_image', `${QWEN_SOURCE}:799-800`)],
    headers: { cost: 'dropped' },
    face: SWAP_FACE,
    drift: [
      DRIFT_COST_HEADERS,
      { topic: 'fps default', docs: '24 (ENDPOINTS-REFERENCE.md)', code: '30' },
      {
        topic: 'face field',
        docs: 'benchmark-endpoints.py sends face_image; quality-test-matrix.py sends video_url',
        code: 'reference_image and source_video (base64); the other names are ignored',
      },
    ],
    source: QWEN_SOURCE,
  },
  {
    id: 'image-faceswap',
    app: 'ryla-qwen-image',
    path: '/image-faceswap',
    method: 'POST',
    title: 'ReActor face swap on a still image',
    tags: ['image', 'face', 'faceswap', 'cheap'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 10,
      measured: [{ source: 'api', seconds: 62.5, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' }],
      fleetClientTimeoutMs: 120_000,
    },
    documentedCostUsd: 0.005,
    request: z.looseObject({ source_image: media(), ...reactorFields }),
    // source_image must show a face for ReActor to replace: Grace Hopper gets the astronaut's face.
    sample: { source_image: GRACE_HOPPER, reference_image: ASTRONAUT },
    output: pngUnderJpeg({ kind: 'same-as-input', inputField: 'source_image' }, 10_000),
    errors: [emptyMedia('source_image', `${QWEN_SOURCE}:945 (key presence only)`)],
    headers: { cost: 'dropped' },
    face: SWAP_FACE,
    drift: [DRIFT_COST_HEADERS, { topic: 'output format', docs: 'PNG', code: 'PNG bytes declared image/jpeg' }],
    source: QWEN_SOURCE,
  },
  {
    id: 'batch-video-faceswap',
    app: 'ryla-qwen-image',
    path: '/batch-video-faceswap',
    method: 'POST',
    title: 'ReActor face swap frame by frame (ffmpeg/PIL, no audio)',
    tags: ['video', 'face', 'faceswap'],
    lifecycle: 'live',
    lifecycleNote: 'Also the phase-2 target of /wan2.6-i2v-faceswap and /wan22-i2v-faceswap. A still image input yields a 1-frame MP4',
    gpu: 'L40S',
    timing: {
      // Documented "~60–120 s (~2–3 s/frame)"; the upper bound is kept.
      documentedSec: 120,
      measured: [
        { source: 'api', seconds: 2.9, date: '2026-02-06', start: 'mixed', note: '1-frame (still image) input' },
      ],
      fleetClientTimeoutMs: 300_000,
    },
    documentedCostUsd: 0.065,
    request: z.looseObject({
      source_video: media(), // RIFF/WEBP → all frames via PIL (fps ignored); else ffmpeg -vf fps=N
      ...reactorFields,
      fps: int().default(24),
    }),
    // fps 8 halves the frame count of the 16 fps fixture (~17 frames); each frame costs ~2–3 s of GPU.
    sample: { source_video: PORTRAIT_VIDEO, reference_image: ASTRONAUT, fps: 8 },
    output: {
      kind: 'mp4',
      declaredType: 'video/mp4',
      size: { kind: 'same-as-input', inputField: 'source_video' },
      frames: { kind: 'from-input-duration', inputField: 'source_video' },
      fps: { field: 'fps', defaultValue: 24 },
      codec: 'avc1',
      audio: 'none',
      minBytes: 20_000,
    },
    errors: [
      badInput(
        'source_video not a video',
        { override: { source_video: 'bm90IGEgdmlkZW8gYXQgYWxs' } }, // base64("not a video at all")
        'source_video',
        { status: [500], body: 'error-details-type', source: `${QWEN_SOURCE}:1034-1037 (then ffmpeg fails; global handler)` },
        'ffmpeg "moov atom not found / Invalid data found" → "Failed to extract frames…" or "No frames extracted from video"',
      ),
    ],
    headers: { cost: 'dropped' },
    face: SWAP_FACE,
    drift: [DRIFT_COST_HEADERS],
    source: QWEN_SOURCE,
  },
  {
    id: 'qwen-image-edit-2511',
    app: 'ryla-qwen-image',
    path: '/qwen-image-edit-2511',
    method: 'POST',
    title: 'Qwen-Image Edit 2511 instruction edit',
    tags: ['image', 'edit'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 54,
      measured: [
        { source: 'bench', seconds: 54, date: '2026-02-02', note: 'against ryla-qwen-edit; 1126 KB' },
        { source: 'set', seconds: 183.1, date: '2026-02-04', start: 'warm' },
      ],
      fleetClientTimeoutMs: 420_000,
    },
    documentedCostUsd: 0.029,
    request: z.looseObject({
      source_image: media(),
      instruction: z.string(),
      steps: int().default(50),
      cfg: z.number().default(4.0),
      seed: seed().optional(), // random when absent
      denoise: z.number().default(0.8),
    }),
    sample: { source_image: COFFEE, instruction: 'make the coffee cup bright blue', seed: 42 },
    // Output via PreviewImage; dims ≈ source (inferred).
    output: pngUnderJpeg({ kind: 'same-as-input', inputField: 'source_image' }, 10_000),
    errors: [
      missingField500('source_image', `${EDIT_SOURCE}:349`),
      missingField500('instruction', `${EDIT_SOURCE}:353`),
      emptyRequired500('source_image', `${EDIT_SOURCE}:349`),
    ],
    headers: { cost: 'dropped' },
    drift: [
      DRIFT_COST_HEADERS,
      DRIFT_QWEN_EDIT_APP,
      {
        topic: 'request fields',
        docs: 'quality-test-matrix.py sends image/mask',
        code: 'source_image, instruction (and mask_image for inpaint)',
      },
    ],
    source: EDIT_SOURCE,
  },
  {
    id: 'qwen-image-inpaint-2511',
    app: 'ryla-qwen-image',
    path: '/qwen-image-inpaint-2511',
    method: 'POST',
    title: 'Qwen-Image Edit 2511 + mask composite ("inpaint")',
    tags: ['image', 'edit', 'inpaint'],
    lifecycle: 'live',
    lifecycleNote: 'Full instruction edit, then a PIL composite through the mask (not true inpainting)',
    gpu: 'L40S',
    timing: {
      documentedSec: 53,
      measured: [{ source: 'bench', seconds: 53, date: '2026-02-02', note: '236 KB; run parameters uncertain' }],
      fleetClientTimeoutMs: 420_000,
    },
    documentedCostUsd: 0.029,
    request: z.looseObject({
      source_image: media(),
      mask_image: media(), // white = edit
      prompt: z.string(),
      steps: int().default(50),
      cfg: z.number().default(4.0),
      seed: seed().optional(),
    }),
    // The mask is 512² and the scene 600×400: the composite resizes the mask to the source
    // (inferred; the edit output itself is not exactly source-sized either).
    sample: { source_image: COFFEE, mask_image: { $fixture: 'mask:center' }, prompt: 'a bright blue coffee cup', seed: 42 },
    output: {
      kind: 'jpeg', // PIL re-encode, q=95
      declaredType: 'image/jpeg',
      size: { kind: 'same-as-input', inputField: 'source_image' },
      minBytes: 10_000,
    },
    errors: [
      missingField500('mask_image', `${EDIT_SOURCE}:421`),
      missingField500('prompt', `${EDIT_SOURCE}:425`),
      emptyRequired500('source_image', `${EDIT_SOURCE}:417`),
    ],
    headers: { cost: 'dropped' },
    drift: [DRIFT_COST_HEADERS, DRIFT_QWEN_EDIT_APP],
    source: EDIT_SOURCE,
  },
];

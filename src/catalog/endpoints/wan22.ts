/**
 * ryla-wan22-i2v — handlers/wan22_i2v.py (docs/fleet.md §3.6). A100-80GB, WanVideoWrapper with the
 * GGUF Wan2.2-I2V-A14B LowNoise Q5_K_S; the source image is ImageScale-lanczos center-cropped to
 * width×height. The handlers bill under the cost key "A100" (= A100-80GB price).
 *
 * Pricing drift applies to both routes: ENDPOINTS-REFERENCE.md prices A100-80GB at $0.00167/s but
 * computes these routes' documented costs at the L40S rate.
 */
import { z } from 'zod';
import type { DocDrift, EndpointEntry } from '../types.ts';
import { DRIFT_COST_HEADERS, animatedWebp, badInput, int, media, oneOf, seed, sizeFromRequest } from './shared.ts';

const SOURCE = 'apps/modal/handlers/wan22_i2v.py';
const I2V_PROMPT = 'the person smiles and slowly turns their head';
/** 17 = 4·4+1 frames (the older faceswap runs used 17); default is 33. */
const SAMPLE_FRAMES = 17;

const DRIFT_WAN22_PRICING: DocDrift = {
  topic: 'pricing',
  docs: 'A100-80GB $0.00167/s (ENDPOINTS-REFERENCE.md header); the documented cost is doc time × $0.000542 (L40S)',
  code: 'CostTracker(gpu_type="A100") → $0.000694/s',
};

export const WAN22_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'wan22-i2v',
    app: 'ryla-wan22-i2v',
    path: '/wan22-i2v',
    method: 'POST',
    title: 'Wan 2.2 14B image-to-video (animated WebP)',
    tags: ['video', 'i2v'],
    lifecycle: 'live',
    lifecycleNote: 'Two consecutive 600 s client timeouts on 2026-02-06 (832×480, 49 frames, 40 steps); warm with GET /health first',
    gpu: 'A100-80GB',
    timing: {
      documentedSec: 240, // plus a documented 2–3 min cold start
      measured: [
        {
          source: 'api',
          seconds: 1200,
          date: '2026-02-06',
          outcome: 'timeout',
          start: 'mixed',
          note: 'retried sum: 2 × 600 s client timeouts (832×480, 49 frames, 40 steps)',
        },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.13,
    request: z.looseObject({
      source_image: media(),
      prompt: z.string().default(''), // "" → "high quality, smooth motion, detailed, professional"
      negative_prompt: z.string().default('blur, low quality, distorted, deformed'),
      width: int().default(512),
      height: int().default(768),
      num_frames: int().default(33),
      fps: int().default(16),
      steps: int().default(20),
      cfg: z.number().default(3.5),
      seed: seed().optional(), // random when absent
    }),
    sample: { source_image: { $fixture: 'face:astronaut' }, prompt: I2V_PROMPT, num_frames: SAMPLE_FRAMES, seed: 42 },
    output: animatedWebp(512, 768, 'num_frames', 33),
    errors: [
      badInput('missing source_image', { omit: ['source_image'] }, 'source_image', {
        status: [400],
        body: 'detail',
        contains: 'source_image is required',
        source: `${SOURCE}:336-337`,
      }),
    ],
    headers: { cost: 'dropped' },
    drift: [
      DRIFT_COST_HEADERS,
      DRIFT_WAN22_PRICING,
      { topic: 'defaults', docs: '832×480, steps 30, cfg 5.0', code: '512×768, steps 20, cfg 3.5' },
    ],
    source: SOURCE,
  },
  {
    id: 'wan22-i2v-faceswap',
    app: 'ryla-wan22-i2v',
    path: '/wan22-i2v-faceswap',
    method: 'POST',
    title: 'Wan 2.2 image-to-video, then ReActor face swap (MP4)',
    tags: ['video', 'i2v', 'face', 'faceswap'],
    lifecycle: 'live',
    lifecycleNote:
      'Phase 2 POSTs to ryla-qwen-image /batch-video-faceswap (timeout 1200 s); its failure → 502. Cost is both phases at the A100 rate while the qwen container bills separately. 408 observed cold',
    gpu: 'A100-80GB',
    timing: {
      documentedSec: 425,
      measured: [{ source: 'api', seconds: 369.0, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' }],
      fleetClientTimeoutMs: 900_000,
    },
    documentedCostUsd: 0.23,
    request: z
      .looseObject({
        source_image: media(), // the image to animate
        face_image: media().optional(), // the face swapped in…
        reference_image: media().optional(), // …or under this name
        prompt: z.string().optional(),
        negative_prompt: z.string().default('blur, low quality, distorted'),
        width: int().default(832),
        height: int().default(480),
        num_frames: int().default(33),
        fps: int().default(16),
        steps: int().default(30),
        cfg: z.number().default(5.0),
        seed: seed().optional(),
        restore_face: z.boolean().default(true),
      })
      .refine(oneOf('face_image', 'reference_image'), 'face_image or reference_image is required'),
    sample: {
      source_image: { $fixture: 'face:grace_hopper' },
      face_image: { $fixture: 'face:astronaut' },
      prompt: I2V_PROMPT,
      num_frames: SAMPLE_FRAMES,
      seed: 42,
    },
    output: {
      kind: 'mp4',
      declaredType: 'video/mp4',
      size: sizeFromRequest(832, 480),
      frames: { kind: 'request', field: 'num_frames', defaultValue: 33 },
      fps: { field: 'fps', defaultValue: 16 },
      codec: 'avc1',
      audio: 'none',
      minBytes: 20_000,
    },
    errors: [
      badInput('missing face_image', { omit: ['face_image'] }, 'face_image', {
        status: [400],
        body: 'detail',
        contains: 'face_image or reference_image is required',
        source: `${SOURCE}:420-421`,
      }),
      badInput('missing source_image', { omit: ['source_image'] }, 'source_image', {
        status: [400],
        body: 'detail',
        contains: 'source_image is required',
        source: `${SOURCE}:418-419`,
      }),
    ],
    headers: { cost: 'dropped' },
    face: {
      target: [85, 90],
      referenceField: 'face_image',
      mode: 'swap',
      docNote: 'no documented identity target; genprobe holds swaps to the InstantID bar',
    },
    delegatesTo: ['ryla-qwen-image'],
    drift: [
      DRIFT_COST_HEADERS,
      DRIFT_WAN22_PRICING,
      { topic: 'defaults', docs: 'route docstring: 512×768, steps 20, cfg 3.5', code: '832×480, steps 30, cfg 5.0' },
    ],
    source: SOURCE,
  },
];

/**
 * ryla-instantid — handlers/instantid.py, pulid_flux.py, ipadapter_faceid.py (docs/fleet.md §3.2).
 *
 * /sdxl-instantid, /flux-instantid and /flux-ipadapter-faceid wrap their work in try/except and
 * pick the status by substring search of the exception text (§0.7): a workflow failure can come
 * back as 400, 500 or 503, always with `{"error","details","type"}`. /flux-pulid has no try/except:
 * its HTTPExceptions are plain `{"detail": …}`.
 *
 * Face routes use 768² samples rather than 512²: the identity checks need a face of useful size,
 * and SDXL degrades visibly below its 1024 training size.
 */
import { z } from 'zod';
import type { EndpointEntry, ErrorCase } from '../types.ts';
import {
  DRIFT_COST_HEADERS,
  DRIFT_SDXL_REMOVED,
  DRIFT_STILL_REGISTERED,
  badInput,
  dataUrl,
  missingPromptKeyError,
  int,
  pngUnderJpeg,
  routeRemoved404,
  seed,
  sizeFromRequest,
} from './shared.ts';

const INSTANTID_SOURCE = 'apps/modal/handlers/instantid.py';
const FACE_PROMPT = 'a professional headshot of a person, soft studio light, neutral background';
const ASTRONAUT = { $fixture: 'face:astronaut' } as const;

/** Callers are still told the removed SDXL routes exist (jatidevelopments/ryla@57209b5). */
const SDXL_LISTED_BY = [
  'libs/business/src/services/modal-client.ts:23-24 (ENDPOINT_APP_MAP)',
  'apps/modal-playground/lib/constants.ts:40-41',
  'apps/modal/ENDPOINT-APP-MAPPING.md:41-42',
  'apps/modal/docs/ENDPOINTS-REFERENCE.md:15,107,123',
];

/**
 * try/except routes: the 400 HTTPException is re-wrapped as `{"error":"400: …","details","type"}`
 * and keeps its status (`if isinstance(e, HTTPException): status_code = e.status_code`,
 * instantid.py:625-626, 683-684; ipadapter_faceid.py:341-342).
 */
const missingReferenceTryExcept = (source: string): ErrorCase =>
  badInput('missing reference_image', { omit: ['reference_image'] }, 'reference_image', {
    status: [400],
    body: 'error-details-type',
    contains: 'reference_image is required',
    source,
  });

/**
 * A non-`data:` string is taken as a filename in ComfyUI input/ (instantid.py:199-201), so ComfyUI
 * rejects the prompt: "Both API and infer methods failed … Failed to queue workflow: HTTP 400 …"
 * (instantid.py:546, utils/comfyui.py:226), and the "400" in that text picks status 400
 * (instantid.py:687-688). The text is ComfyUI's and never names the field.
 */
const referenceNotDataUrlTryExcept = (source: string): ErrorCase =>
  badInput(
    'reference_image not a data URL',
    { override: { reference_image: 'genprobe-no-such-file.png' } },
    'reference_image',
    { status: [400], body: 'error-details-type', contains: 'Failed to queue workflow: HTTP 400', source },
    'treated as a ComfyUI input filename; status picked by substring search of the error text',
  );

/**
 * The handlers test key presence only (instantid.py:482, ipadapter_faceid.py:198, pulid_flux.py:213),
 * and `_save_reference_image("")` returns "" as a filename (instantid.py:199-201). In ComfyUI, ""
 * names the input/ folder itself, which passes LoadImage's exists() validation and fails when opened
 * at execution, so there is no queue-time "400" in the text and the answer is 500.
 */
const emptyReference = (contains: string, source: string): ErrorCase =>
  badInput(
    'empty reference_image',
    { override: { reference_image: '' } },
    'reference_image',
    { status: [500], body: 'error-details-type', contains, source },
    'passes the key-presence check; fails in ComfyUI (the try/except routes could still pick 400/503 if the text held those digits)',
  );

/**
 * KeyError inside try/except: str(e) is "'prompt'", which holds none of the substrings that switch
 * the status, so it stays 500.
 */
const missingPromptTryExcept = (source: string): ErrorCase => missingPromptKeyError(source, 'KeyError caught by the route try/except');

const sdxlInstantIdFields = {
  reference_image: dataUrl(),
  prompt: z.string(),
  negative_prompt: z.string().default(''),
  sdxl_checkpoint: z.string().default('sd_xl_base_1.0.safetensors'), // no validation at HEAD
  face_provider: z.string().default('CPU'), // → InstantIDFaceAnalysis
  instantid_strength: z.number().default(0.8), // → ApplyInstantID weight
  width: int().default(1024),
  height: int().default(1024),
  steps: int().default(20),
  cfg: z.number().default(7.0),
  sampler_name: z.string().default('euler'),
  scheduler: z.string().default('normal'),
  seed: seed().default(42),
  // controlnet_strength: sent by docs, the TS client and the consistency test, ignored at HEAD
};

export const INSTANTID_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'sdxl-instantid',
    app: 'ryla-instantid',
    path: '/sdxl-instantid',
    method: 'POST',
    title: 'SDXL + InstantID face-conditioned generation',
    tags: ['image', 'face', 't2i', 'cheap'],
    lifecycle: 'live',
    lifecycleNote: 'Monolith run of 2026-01-28 failed with 503 (workflow failure)',
    gpu: 'L40S',
    timing: {
      documentedSec: 29,
      measured: [
        { source: 'bench', seconds: 29, date: '2026-02-02', note: '1945 KB; run parameters uncertain' },
        { source: 'api', seconds: 95.6, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' },
        { source: 'set', seconds: 64.1, date: '2026-02-04', start: 'warm' },
        { source: 'set', seconds: 44.7, date: '2026-02-04', start: 'warm' },
        { source: 'set', seconds: 27.6, date: '2026-02-04', start: 'warm' },
      ],
      fleetClientTimeoutMs: 420_000,
    },
    documentedCostUsd: 0.016,
    request: z.looseObject(sdxlInstantIdFields),
    sample: { reference_image: ASTRONAUT, prompt: FACE_PROMPT, width: 768, height: 768, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 20_000),
    errors: [
      missingReferenceTryExcept(`${INSTANTID_SOURCE}:482-483`),
      missingPromptTryExcept(`${INSTANTID_SOURCE}:285`),
      referenceNotDataUrlTryExcept(`${INSTANTID_SOURCE}:199-201,546,687-688`),
      emptyReference('Both API and infer methods failed', `${INSTANTID_SOURCE}:482,199-201,546,682-689`),
    ],
    headers: { cost: 'dropped' },
    face: { target: [85, 90], referenceField: 'reference_image', mode: 'generation' },
    drift: [
      DRIFT_COST_HEADERS,
      { topic: 'cfg default', docs: 'cfg 5.0', code: 'cfg 7.0' },
      {
        topic: 'controlnet_strength',
        docs: 'controlnet_strength 0.8 (docs, ModalInstantIDRequest, tests/test_instantid_consistency.py)',
        code: 'ignored',
      },
    ],
    source: INSTANTID_SOURCE,
  },
  {
    id: 'flux-instantid',
    app: 'ryla-instantid',
    path: '/flux-instantid',
    method: 'POST',
    title: 'Flux Dev + InstantID (incompatible)',
    tags: ['image', 'face', 't2i'],
    lifecycle: 'incompatible',
    lifecycleNote: 'Re-added by e5a81e3; the SDXL InstantID ControlNet cannot feed Flux ("mat1 and mat2 shapes cannot be multiplied (… 2816 …)"), rewritten to 501',
    gpu: 'L40S',
    timing: { measured: [] },
    request: z.looseObject({ ...sdxlInstantIdFields, cfg: z.number().default(1.0) }),
    sample: { reference_image: ASTRONAUT, prompt: FACE_PROMPT, width: 768, height: 768, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 20_000),
    // The sample request itself fails today: judged as a route that must work (route-broken).
    asBuiltFailure: {
      status: [501],
      body: 'error-details-type',
      contains: 'InstantID ControlNet incompatibility',
      source: `${INSTANTID_SOURCE}:636-645`,
      note: 'the SDXL ControlNet cannot feed Flux; the shape-mismatch error is rewritten to 501',
    },
    errors: [missingReferenceTryExcept(`${INSTANTID_SOURCE}:365-366`)],
    headers: { cost: 'dropped' },
    face: { target: [85, 90], referenceField: 'reference_image', mode: 'generation' },
    drift: [DRIFT_STILL_REGISTERED],
    source: INSTANTID_SOURCE,
  },
  {
    id: 'flux-pulid',
    app: 'ryla-instantid',
    path: '/flux-pulid',
    method: 'POST',
    title: 'Flux Dev + PuLID face-conditioned generation',
    tags: ['image', 'face', 't2i'],
    lifecycle: 'live',
    lifecycleNote: 'Also the Modal route for z-image-pulid workflows in the API adapter',
    gpu: 'L40S',
    timing: {
      documentedSec: 83,
      measured: [
        { source: 'bench', seconds: 83, date: '2026-02-02', note: '1229 KB; run parameters uncertain' },
        { source: 'api', seconds: 71.1, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' },
        { source: 'set', seconds: 44.4, date: '2026-02-04', start: 'warm' },
        { source: 'set', seconds: 63.9, date: '2026-02-04', start: 'warm' },
        {
          source: 'header',
          seconds: 12.6,
          date: '2026-02-06',
          start: 'warm',
          note: 'X-Cost-USD 0.006825 ÷ $0.000542/s; handler time only',
        },
      ],
      fleetClientTimeoutMs: 420_000,
    },
    documentedCostUsd: 0.045,
    request: z.looseObject({
      reference_image: dataUrl(),
      prompt: z.string(),
      pulid_weight: z.number().default(0.9),
      start_at: z.number().default(0.0),
      end_at: z.number().default(1.0),
      guidance: z.number().default(3.5), // FluxGuidance; KSampler cfg fixed at 1.0
      width: int().default(1024),
      height: int().default(1024),
      steps: int().default(20),
      seed: seed().optional(), // random 0…2³¹−1 when absent
      // negative_prompt is unused: the negative conditioning is the positive one
    }),
    sample: { reference_image: ASTRONAUT, prompt: FACE_PROMPT, width: 768, height: 768, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 20_000),
    errors: [
      badInput('missing reference_image', { omit: ['reference_image'] }, 'reference_image', {
        status: [400],
        body: 'detail',
        contains: 'reference_image is required for PuLID Flux',
        source: 'apps/modal/handlers/pulid_flux.py:213-215',
      }),
      missingPromptKeyError('apps/modal/handlers/pulid_flux.py:147'),
      badInput(
        'reference_image not a data URL',
        { override: { reference_image: 'genprobe-no-such-file.png' } },
        'reference_image',
        { status: [500], body: 'error-details-type', source: 'apps/modal/handlers/pulid_flux.py (no try/except; global handler)' },
        'taken as a ComfyUI input filename; the workflow failure reaches the global handler (inferred)',
      ),
      emptyReference('Workflow failed at node', 'apps/modal/handlers/pulid_flux.py:213,31-33,227 → apps/modal/utils/comfyui.py:332 (no try/except; global handler)'),
    ],
    headers: { cost: 'present' },
    face: { target: [80, 85], referenceField: 'reference_image', mode: 'generation' },
    drift: [
      {
        topic: 'PuLID parameters',
        docs: 'pulid_strength 0.8 and cfg (docs; "default 0.8" in QUALITY-SETTINGS.md); ModalPuLIDRequest sends pulid_strength/pulid_start/pulid_end',
        code: 'pulid_weight 0.9, start_at, end_at, guidance 3.5; cfg fixed 1.0; the TS field names are ignored',
      },
    ],
    source: 'apps/modal/handlers/pulid_flux.py',
  },
  {
    id: 'flux-ipadapter-faceid',
    app: 'ryla-instantid',
    path: '/flux-ipadapter-faceid',
    method: 'POST',
    title: 'Flux Dev + XLabs IP-Adapter FaceID',
    tags: ['image', 'face', 't2i'],
    lifecycle: 'live',
    lifecycleNote: 'Benchmark output was 54 KB for 1024² (vs ≥1.1 MB elsewhere): check for blank images',
    gpu: 'L40S',
    timing: {
      documentedSec: 60,
      measured: [
        { source: 'bench', seconds: 60, date: '2026-02-02', note: '54 KB output, suspiciously small' },
        { source: 'api', seconds: 132.2, date: '2026-02-06', start: 'mixed', note: 'retried sum of two attempts' },
      ],
      fleetClientTimeoutMs: 420_000,
    },
    documentedCostUsd: 0.033,
    request: z.looseObject({
      reference_image: dataUrl(),
      prompt: z.string(),
      ipadapter_strength: z.number().default(0.8), // → ip_scale
      face_provider: z.string().default('CPU'),
      negative_prompt: z.string().optional(), // absent → DEFAULT_NEGATIVE_PROMPT
      width: int().default(1024),
      height: int().default(1024),
      steps: int().default(20),
      seed: seed().default(42),
      guidance_scale: z.number().default(3.5), // → XlabsSampler true_gs
      timestep_to_start_cfg: int().default(1),
    }),
    sample: { reference_image: ASTRONAUT, prompt: FACE_PROMPT, width: 768, height: 768, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 20_000),
    errors: [
      missingReferenceTryExcept('apps/modal/handlers/ipadapter_faceid.py:198-199'),
      missingPromptTryExcept('apps/modal/handlers/ipadapter_faceid.py:131'),
      emptyReference('Both API and infer methods failed', 'apps/modal/handlers/ipadapter_faceid.py:198,32-33,256,340-346'),
    ],
    headers: { cost: 'dropped' },
    face: {
      target: [80, 85],
      referenceField: 'reference_image',
      mode: 'generation',
      docNote: 'ENDPOINTS-REFERENCE.md and MODAL-ENDPOINT-COST-REPORT.md say 75–80 %; most docs say 80–85 %',
    },
    drift: [
      DRIFT_COST_HEADERS,
      { topic: 'cfg', docs: 'cfg 3.5', code: 'guidance_scale 3.5 (→ true_gs); cfg ignored' },
      { topic: 'face target', docs: '75–80 % (ENDPOINTS-REFERENCE.md, MODAL-ENDPOINT-COST-REPORT.md)', code: 'nothing measures it; most docs say 80–85 %' },
    ],
    source: 'apps/modal/handlers/ipadapter_faceid.py',
  },
  {
    id: 'sdxl-turbo',
    app: 'ryla-instantid',
    path: '/sdxl-turbo',
    method: 'POST',
    title: 'SDXL Turbo (removed)',
    tags: ['image', 't2i'],
    lifecycle: 'removed',
    lifecycleNote: 'Deleted by e5a81e3 (2026-02-06); observed 404 {"detail":"Not Found"}',
    gpu: 'L40S',
    timing: {
      documentedSec: 45,
      measured: [
        { source: 'bench', seconds: 45, date: '2026-02-02', note: 'before removal; 2355 KB' },
        { source: 'api', seconds: 0.56, date: '2026-02-06', outcome: 'error', note: '404 Not Found' },
      ],
      fleetClientTimeoutMs: 180_000,
    },
    documentedCostUsd: 0.024,
    // Previous code (git show e5a81e3~1): sd_xl_turbo_1.0_fp16, steps clamped 1–4, cfg fixed 0.0.
    request: z.looseObject({
      prompt: z.string(),
      width: int().default(1024),
      height: int().default(1024),
      steps: int().min(1).max(4).default(4),
      seed: seed().default(42),
    }),
    sample: { prompt: 'a red apple on a wooden table', width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [routeRemoved404('deleted at HEAD; the app still runs, so FastAPI answers', 'e5a81e3 removed it from apps/modal/handlers/instantid.py')],
    headers: { cost: 'dropped' },
    drift: [DRIFT_SDXL_REMOVED],
    stillListedBy: SDXL_LISTED_BY,
    source: INSTANTID_SOURCE,
  },
  {
    id: 'sdxl-lightning',
    app: 'ryla-instantid',
    path: '/sdxl-lightning',
    method: 'POST',
    title: 'SDXL Lightning 4-step (removed)',
    tags: ['image', 't2i'],
    lifecycle: 'removed',
    lifecycleNote: 'Deleted by e5a81e3 (2026-02-06); observed 404 {"detail":"Not Found"}',
    gpu: 'L40S',
    timing: {
      documentedSec: 66,
      measured: [
        { source: 'bench', seconds: 66, date: '2026-02-02', note: 'before removal; 1434 KB' },
        { source: 'api', seconds: 0.53, date: '2026-02-06', outcome: 'error', note: '404 Not Found' },
      ],
      fleetClientTimeoutMs: 180_000,
    },
    documentedCostUsd: 0.036,
    // Previous code: sdxl_lightning_4step, steps fixed 4, cfg (1.0).
    request: z.looseObject({
      prompt: z.string(),
      width: int().default(1024),
      height: int().default(1024),
      cfg: z.number().default(1.0),
      seed: seed().default(42),
    }),
    sample: { prompt: 'a red apple on a wooden table', width: 512, height: 512, seed: 42 },
    output: pngUnderJpeg(sizeFromRequest(1024, 1024), 10_000),
    errors: [routeRemoved404('deleted at HEAD; the app still runs, so FastAPI answers', 'e5a81e3 removed it from apps/modal/handlers/instantid.py')],
    headers: { cost: 'dropped' },
    drift: [DRIFT_SDXL_REMOVED],
    stillListedBy: SDXL_LISTED_BY,
    source: INSTANTID_SOURCE,
  },
];


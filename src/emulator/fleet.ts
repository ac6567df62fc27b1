/**
 * The emulated fleet: every Modal app and route of jatidevelopments/ryla at 57209b5, written from
 * the fleet's handlers (apps/modal/handlers/<module>.py and apps/modal/apps/<app>/app.py) and docs/fleet.md
 * (§1 apps, §2 cross-cutting contract, §3 routes, §4 timings).
 *
 * Deliberately independent of src/catalog: genprobe's catalog and checks are cross-checked by
 * running them against this table. Each route handler mirrors its Python handler: it reads the
 * JSON body with `item.get(...)` semantics, raises the same exceptions in the same order, and
 * returns a plan (what to render, which headers survive, how long the GPU works).
 */
import { createHash } from 'node:crypto';
import { ComfyFailure, HttpErr, PyErr, StatusPyErr, comfyExecutionFailed, comfyQueueRefused, keyError, surfaceComfyFailure, traceback, type ErrorStyle, type ExecPath } from './pyerrors.ts';
import { decodeDataUrlOrRaw, newInputName, openImage, probeVideo, pyB64decode, pyTypeName, type ImageInfo, type VideoInfo } from './media.ts';

export type AppName =
  | 'ryla-flux'
  | 'ryla-instantid'
  | 'ryla-qwen-image'
  | 'ryla-qwen-edit'
  | 'ryla-z-image'
  | 'ryla-wan26'
  | 'ryla-wan22-i2v'
  | 'ryla-seedvr2'
  | 'ryla-lora'
  | 'ryla-wan2'
  | 'ryla-comfyui';

export type StillKind = 'png' | 'jpeg';
/** `webp` (still) only appears through the wrong-format fault. */
export type OutputKind = StillKind | 'webp' | 'webp-anim' | 'mp4';

export type BaseSpec =
  | { type: 'scene' }
  /** A request image the output is derived from (edit, inpaint, faceswap, i2v, upscale). */
  | { type: 'image'; bytes: Buffer; crop: 'cover' | 'fill' }
  /** Source video frames (faceswap routes); `fps` = ffmpeg fps filter, undefined = native rate. */
  | { type: 'video'; bytes: Buffer; info: VideoInfo; fps?: number };

/** Everything the renderer needs; plain data so it can be hashed into a cache key. */
export interface OutputPlan {
  kind: OutputKind;
  width: number;
  height: number;
  /** 1 for stills. For `base.type === 'video'` the renderer uses the decoded frame count. */
  frames: number;
  fps: number;
  seed: number;
  base: BaseSpec;
  /** Image composited large and centred (the identity the route must preserve), or null. */
  face: Buffer | null;
  /** ComfyUI API prompt embedded as PNG `tEXt prompt` (PNG outputs only). */
  comfyPrompt?: Record<string, unknown>;
  /** `/video-faceswap` passes the source audio through. */
  keepAudio?: boolean;
  /** Degenerate content (faults): near-black or uniform frames. */
  quality?: 'normal' | 'blank' | 'tiny';
  /** Frames added/removed relative to what the route produces (wrong-frames fault). */
  frameDelta?: number;
}

export type Plan =
  | { type: 'json'; status: number; json: unknown; execSec: number }
  | {
      type: 'media';
      contentType: string;
      output: OutputPlan;
      /** Headers that reach the client (lower-case, as Starlette sends them). */
      headers: Record<string, string>;
      /** Emulated handler (GPU) seconds at timeScale 1. */
      execSec: number;
      /** `/flux-pulid` only: X-Cost-USD / X-Execution-Time-Sec / X-GPU-Type survive. */
      costHeaders: boolean;
    };

export interface FleetOptions {
  /** Installed LoRA files (stems, without `.safetensors`) in addition to the pre-installed ones. */
  loras: string[];
  /** Face shown by trained character LoRAs (`character-*`), e.g. fixtures/faces/astronaut.png bytes. */
  characterFace: Buffer | null;
}

export interface RouteCtx {
  item: Record<string, unknown>;
  app: AppSpec;
  options: FleetOptions;
  /** Random seed in [0, max] when the route's default is random. */
  randomSeed(max: number): number;
}

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  /** docs/fleet.md §4 "Doc time" (or the stated substitute), seconds at timeScale 1. */
  docTimeSec: number;
  errorStyle: ErrorStyle;
  handlerFile: string;
  handle(ctx: RouteCtx): Promise<Plan>;
}

export interface AppSpec {
  name: AppName;
  deployed: boolean;
  gpu: 'L40S' | 'A100-80GB';
  maxInputs: number;
  coldStartSec: number;
  scaledownWindowSec: number;
  functionTimeoutSec: number;
  health: Record<string, string> | null;
  cors: boolean;
  globalErrorAddsPath: boolean;
  routes: RouteSpec[];
}

// ---------------------------------------------------------------------------------------------
// item.get() semantics

function has(item: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(item, key);
}
function get<T>(item: Record<string, unknown>, key: string, dflt: T): unknown {
  return has(item, key) ? item[key] : dflt;
}
/** Python truthiness. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}
/** `item["key"]` → KeyError when absent. */
function req(item: Record<string, unknown>, key: string): unknown {
  if (!has(item, key)) throw keyError(key);
  return item[key];
}
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** ComfyUI's INT widget validation: int(value), then min/max (docs/fleet.md §0.8: no other checks). */
function comfyInt(item: Record<string, unknown>, key: string, dflt: number, node: string, min = -Infinity, max = Infinity): number {
  const raw = get(item, key, dflt);
  let n: number;
  if (typeof raw === 'number' && Number.isFinite(raw)) n = Math.trunc(raw);
  else if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) n = Number.parseInt(raw, 10);
  else throw comfyValidation(node, `Failed to convert an input value to a INT value: ${key}, ${str(raw)}, invalid literal for int() with base 10: '${str(raw)}'`);
  if (n < min) throw comfyValidation(node, `Value ${n} smaller than min of ${min}: ${key}`);
  if (n > max) throw comfyValidation(node, `Value ${n} bigger than max of ${max}: ${key}`);
  return n;
}
function comfyFloat(item: Record<string, unknown>, key: string, dflt: number, node: string): number {
  const raw = get(item, key, dflt);
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n)) throw comfyValidation(node, `Failed to convert an input value to a FLOAT value: ${key}, ${str(raw)}, could not convert string to float: '${str(raw)}'`);
  return n;
}
/** ComfyUI's /prompt refuses a widget value (its validation texts; ComfyUI's, not the fleet's). */
function comfyValidation(node: string, message: string): ComfyFailure {
  return comfyQueueRefused('3', node, 'invalid_input', 'Invalid input', message);
}

/**
 * Wraps a route so a ComfyUI failure surfaces the way the route's execution path words it
 * (pyerrors.ts `ExecPath`).
 */
function runsVia(exec: ExecPath, route: RouteSpec): RouteSpec {
  return {
    ...route,
    async handle(ctx) {
      try {
        return await route.handle(ctx);
      } catch (e) {
        if (e instanceof ComfyFailure) throw surfaceComfyFailure(e, exec);
        throw e;
      }
    },
  };
}

/** Python `str(v)` for the scalars a JSON body can carry. */
function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  return str(v);
}

/** A string field the handler calls a `str` method on: anything else is an AttributeError. */
function strField(v: unknown, method: string): string {
  if (typeof v === 'string') return v;
  throw new PyErr('AttributeError', `'${pyTypeName(v)}' object has no attribute '${method}'`, 0, `value.${method}(...)`);
}

const MAX_PIXELS = 4096 * 4096;
/** Latent-based dims: ComfyUI latents are width/8 × height/8; huge sizes run out of GPU memory. */
function latentDims(item: Record<string, unknown>, dw: number, dh: number, node: string, multiple = 8): { width: number; height: number } {
  const w = comfyInt(item, 'width', dw, node, 16, 16384);
  const h = comfyInt(item, 'height', dh, node, 16, 16384);
  return checkedDims(Math.floor(w / multiple) * multiple, Math.floor(h / multiple) * multiple);
}
function checkedDims(width: number, height: number): { width: number; height: number } {
  if (width * height > MAX_PIXELS) {
    // invented: the CUDA OOM wording (PyTorch's, for a latent this size; the fleet has no size checks).
    throw new PyErr('OutOfMemoryError', `CUDA out of memory. Tried to allocate ${((width * height * 64) / 2 ** 30).toFixed(2)} GiB. GPU 0 has a total capacity of 44.39 GiB`, 20);
  }
  return { width, height };
}

function seedParam(item: Record<string, unknown>, dflt: number | 'random', ctx: RouteCtx, randomMax: number): number {
  if (!has(item, 'seed') || item.seed === null) {
    if (dflt === 'random') return ctx.randomSeed(randomMax);
    if (!has(item, 'seed')) return dflt;
  }
  return comfyInt(item, 'seed', typeof dflt === 'number' ? dflt : 0, 'KSampler', 0, 2 ** 64 - 1);
}

// ---------------------------------------------------------------------------------------------
// media fields

/** `<_io.BytesIO object at 0x7f…>` as PIL names an in-memory file; no 0 digit, so no accidental "400"/"503". */
function bytesIoName(bytes: Buffer): string {
  const addr = createHash('sha1').update(bytes).digest('hex').replace(/[^1-9a-f]/g, 'e').slice(0, 12);
  return `<_io.BytesIO object at 0x7f${addr}>`;
}

/**
 * instantid / pulid / ipadapter `_save_reference_image` (instantid.py:189-224, pulid_flux.py:21-56,
 * ipadapter_faceid.py:22-57). The route tests key *presence* only (instantid.py:482,
 * pulid_flux.py:213, ipadapter_faceid.py:198); a value that does not start with `data:` is used as a
 * filename in ComfyUI's input/, so it fails only when ComfyUI runs the workflow — returned as the
 * ComfyFailure the route raises after building the workflow.
 */
async function instantidReference(item: Record<string, unknown>, requiredDetail: string): Promise<ImageInfo | ComfyFailure> {
  if (!has(item, 'reference_image')) throw new HttpErr(400, requiredDetail);
  const ref = strField(item.reference_image, 'startswith');
  if (!ref.startsWith('data:')) {
    // "" names input/ itself: os.path.exists passes LoadImage's validation, opening it fails at execution.
    if (ref === '') return comfyExecutionFailed('13', 'LoadImage', "IsADirectoryError: [Errno 21] Is a directory: '/root/comfy/ComfyUI/input/'");
    return comfyQueueRefused('13', 'LoadImage', 'custom_validation_failed', 'Custom validation failed for node', `image - Invalid image file: ${ref.slice(0, 80)}`);
  }
  const bytes = pyB64decode(ref.includes(',') ? ref.slice(ref.indexOf(',') + 1) : ref);
  try {
    return await openImage(bytes, 'reference.png');
  } catch {
    throw new PyErr('ValueError', `Invalid image format: cannot identify image file ${bytesIoName(bytes)}`, 0, 'raise ValueError(f"Invalid image format: {e}")');
  }
}

/** The reference as an image, or the ComfyUI failure it causes once the workflow runs. */
function refImage(ref: ImageInfo | ComfyFailure): ImageInfo {
  if (ref instanceof ComfyFailure) throw ref;
  return ref;
}

/**
 * z_image / qwen / wan `_save_*_to_input`: the handlers test key presence, then call
 * `value.startswith("data:")` (so a non-string is an AttributeError), write the bytes as-is and
 * ComfyUI/PIL fails to open an empty or garbage file ("cannot identify image file").
 */
function mediaValue(item: Record<string, unknown>, key: string): string {
  return strField(item[key], 'startswith');
}

/** z_image / qwen / wan `_save_*_to_input`: data URL or raw base64, written as-is, then opened. */
async function inputImage(item: Record<string, unknown>, key: string, rawExt: 'png' | 'jpg'): Promise<ImageInfo> {
  const field = decodeDataUrlOrRaw(mediaValue(item, key));
  const ext = field.mime ? (field.mime.includes('webp') ? 'webp' : field.mime.includes('png') ? 'png' : 'jpg') : rawExt;
  return openImage(field.bytes, newInputName(ext));
}

async function inputVideo(item: Record<string, unknown>, key: string): Promise<{ bytes: Buffer; info: VideoInfo } | { bytes: Buffer; error: string }> {
  const field = decodeDataUrlOrRaw(mediaValue(item, key));
  try {
    return { bytes: field.bytes, info: await probeVideo(field.bytes) };
  } catch (e) {
    return { bytes: field.bytes, error: (e as Error).message };
  }
}

// ---------------------------------------------------------------------------------------------
// LoRAs (docs/fleet.md §3.1, §3.3–3.5, §3.8)

const FLUX_PREINSTALLED = ['flux-realism-lora'];
const ZIMAGE_PREINSTALLED = ['realistic-snapshot-zit', 'instagramification', 'cinematic-kodak-zit', 'candid-instax-zit', 'nsfw-master-zit', 'zimage-turbo-nsfw'];
export const DEFAULT_TRAINED_LORAS = ['character-genprobe-probe', 'qwen-character-genprobe-probe', 'wan-character-genprobe-probe'];

function installedLoras(app: AppSpec, options: FleetOptions): string[] {
  const base = app.name === 'ryla-flux' || app.name === 'ryla-comfyui' ? FLUX_PREINSTALLED : app.name === 'ryla-z-image' ? ZIMAGE_PREINSTALLED : [];
  return [...base, ...options.loras];
}

const stem = (file: string) => file.replace(/\.safetensors$/, '');
const withExt = (name: string) => (name.endsWith('.safetensors') ? name : `${name}.safetensors`);

interface LoraPick {
  file: string;
  character: boolean;
}

/** Where a route looks for a LoRA and how its 404 reads (verbatim from each handler). */
export interface LoraLookup {
  /** File prefix for a `lora_id`: `character-` (flux, lora, z-image), `qwen-character-`, `wan-character-`. */
  idPrefix: string;
  /** qwen_image.py:684-686 / wan26.py:1018-1020 also try the legacy `character-{lora_id}` file. */
  legacyFallback: boolean;
  notFound(file: string): string;
}

export const LORA_LOOKUPS = {
  // flux.py:404-408
  flux: { idPrefix: 'character-', legacyFallback: false, notFound: (f) => `LoRA not found: ${f}. Train it first using the LoRA training endpoint.` },
  // lora.py:155-159
  lora: { idPrefix: 'character-', legacyFallback: false, notFound: (f) => `LoRA not found. Expected: ${f} in /root/models/loras/ or /root/comfy/ComfyUI/models/loras/` },
  // z_image.py:1009-1013
  zImage: { idPrefix: 'character-', legacyFallback: false, notFound: (f) => `LoRA not found: ${f}. Upload to /root/models/loras/` },
  // qwen_image.py:720-724
  qwen: { idPrefix: 'qwen-character-', legacyFallback: true, notFound: (f) => `LoRA not found: ${f}. Train a Qwen LoRA using /ryla-qwen-lora-training or upload to /root/models/qwen-loras/` },
  // wan26.py:1051-1055
  wan: { idPrefix: 'wan-character-', legacyFallback: true, notFound: (f) => `LoRA not found: ${f}. Train a Wan LoRA using ryla-wan-lora-training or upload to /root/models/wan-loras/` },
} satisfies Record<string, LoraLookup>;

/**
 * Resolves lora_id / lora_name as every LoRA handler does (flux.py:391-401, lora.py:129-139,
 * qwen_image.py:667-677, z_image.py:983-993, wan26.py:997-1007): key *presence* decides, so an
 * empty value passes and is looked up; `lora_name` wins over `lora_id` when both are sent.
 */
function pickLora(ctx: RouteCtx, lookup: LoraLookup): LoraPick {
  const { item } = ctx;
  if (!has(item, 'lora_id') && !has(item, 'lora_name')) throw new HttpErr(400, 'lora_id or lora_name is required');
  const primary = has(item, 'lora_name') ? withExt(strField(item.lora_name, 'endswith')) : `${lookup.idPrefix}${pyStr(item.lora_id)}.safetensors`;
  const candidates = [primary];
  // The legacy name uses item.get('lora_id', ''), even when lora_name was the one sent.
  if (lookup.legacyFallback) candidates.push(`character-${has(item, 'lora_id') ? pyStr(item.lora_id) : ''}.safetensors`);
  const installed = new Set(installedLoras(ctx.app, ctx.options));
  const found = candidates.find((c) => installed.has(stem(c)));
  if (!found) throw new HttpErr(404, lookup.notFound(primary));
  return { file: found, character: /(^|-)character-/.test(found) };
}

// ---------------------------------------------------------------------------------------------
// plan builders

const JPEG = 'image/jpeg';

function comfyPrompt(p: {
  seed: number;
  steps: number;
  cfg: number;
  width: number;
  height: number;
  prompt: string;
  negative?: string;
  model: string;
  loadImage?: string;
  lora?: string;
  save?: 'SaveImage' | 'PreviewImage';
}): Record<string, unknown> {
  const nodes: Record<string, unknown> = {
    '3': { inputs: { seed: p.seed, steps: p.steps, cfg: p.cfg, sampler_name: 'euler', scheduler: 'simple', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] }, class_type: 'KSampler' },
    '4': { inputs: { ckpt_name: p.model }, class_type: 'CheckpointLoaderSimple' },
    '5': { inputs: { width: p.width, height: p.height, batch_size: 1 }, class_type: 'EmptyLatentImage' },
    '6': { inputs: { text: p.prompt, clip: ['4', 1] }, class_type: 'CLIPTextEncode' },
    '7': { inputs: { text: p.negative ?? '', clip: ['4', 1] }, class_type: 'CLIPTextEncode' },
    '8': { inputs: { samples: ['3', 0], vae: ['4', 2] }, class_type: 'VAEDecode' },
    '9': { inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, class_type: p.save ?? 'SaveImage' },
  };
  if (p.loadImage) nodes['13'] = { inputs: { image: p.loadImage, upload: 'image' }, class_type: 'LoadImage' };
  if (p.lora) nodes['10'] = { inputs: { lora_name: p.lora, strength_model: 1, strength_clip: 1, model: ['4', 0], clip: ['4', 1] }, class_type: 'LoraLoader' };
  return nodes;
}

function still(
  kind: StillKind,
  dims: { width: number; height: number },
  seed: number,
  execSec: number,
  extra: { base?: BaseSpec; face?: Buffer | null; prompt?: Record<string, unknown>; headers?: Record<string, string>; contentType?: string; costHeaders?: boolean } = {},
): Plan {
  return {
    type: 'media',
    contentType: extra.contentType ?? JPEG,
    output: { kind, width: dims.width, height: dims.height, frames: 1, fps: 0, seed, base: extra.base ?? { type: 'scene' }, face: extra.face ?? null, comfyPrompt: kind === 'png' ? extra.prompt : undefined },
    headers: extra.headers ?? {},
    execSec,
    costHeaders: extra.costHeaders ?? false,
  };
}

/** Wan latents are 4k+1 frames long (temporal ×4): `length` 33 → 33, 34 → 33. */
export function wanFrames(length: number): number {
  return Math.max(1, Math.floor((length - 1) / 4) * 4 + 1);
}

function fpsParam(item: Record<string, unknown>, dflt: number, node: string): number {
  const fps = comfyFloat(item, 'fps', dflt, node);
  if (fps === 0) throw new PyErr('ZeroDivisionError', 'division by zero', 0, 'duration = int(1000 / fps)');
  if (fps < 0) throw comfyValidation(node, `Value ${fps} smaller than min of 1: fps`);
  return fps;
}

function animated(
  kind: 'webp-anim' | 'mp4',
  dims: { width: number; height: number },
  frames: number,
  fps: number,
  seed: number,
  execSec: number,
  base: BaseSpec,
  face: Buffer | null,
): Plan {
  return {
    type: 'media',
    contentType: kind === 'mp4' ? 'video/mp4' : 'image/webp',
    output: { kind, width: dims.width, height: dims.height, frames, fps, seed, base, face },
    headers: {},
    execSec,
    costHeaders: false,
  };
}

function promptText(item: Record<string, unknown>, key = 'prompt'): string {
  return str(req(item, key));
}

// ---------------------------------------------------------------------------------------------
// ryla-flux (handlers/flux.py)

function fluxT2I(path: string, docTimeSec: number, steps: number, model: string): RouteSpec {
  return runsVia('infer', {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/flux.py',
    async handle(ctx) {
      const { item } = ctx;
      const prompt = promptText(item);
      const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
      const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
      const s = comfyInt(item, 'steps', steps, 'KSampler', 1, 10000);
      const cfg = comfyFloat(item, 'cfg', 1.0, 'KSampler');
      return still('png', dims, seed, docTimeSec, { prompt: comfyPrompt({ seed, steps: s, cfg, ...dims, prompt, model }) });
    },
  });
}

/**
 * flux.py `_flux_dev_lora_impl` (:388-438, run through infer.local) and lora.py `_flux_lora_impl`
 * (:127-190, execute_workflow_via_api): LoRA first, then the workflow reads `item["prompt"]`.
 */
async function fluxLoraPlan(ctx: RouteCtx, item: Record<string, unknown>, lookup: LoraLookup, docTimeSec: number, headers: Record<string, string> = {}): Promise<Plan> {
  const lora = pickLora({ ...ctx, item }, lookup);
  const trigger = get(item, 'trigger_word', '');
  // flux.py:222-225 f"{trigger_word} {prompt}"; lora.py:67 the same, stripped.
  const prompt = truthy(trigger) ? `${pyStr(trigger)} ${promptText(item)}` : promptText(item);
  const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
  const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
  const steps = comfyInt(item, 'steps', 20, 'KSampler', 1, 10000);
  const cfg = comfyFloat(item, 'cfg', 1.0, 'KSampler');
  comfyFloat(item, 'lora_strength', 1.0, 'LoraLoader');
  return still('png', dims, seed, docTimeSec, {
    face: lora.character ? ctx.options.characterFace : null,
    headers,
    prompt: comfyPrompt({ seed, steps, cfg, ...dims, prompt, model: 'flux1-dev.safetensors', lora: lora.file }),
  });
}

function fluxLoraRoute(path: string, docTimeSec: number, handlerFile: string, lookup: LoraLookup, exec: ExecPath): RouteSpec {
  return runsVia(exec, {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile,
    handle: (ctx) => fluxLoraPlan(ctx, ctx.item, lookup, docTimeSec),
  });
}

/**
 * flux.py:507-546: `prompt` is optional (`item.get("prompt", "")`, "Ultra realistic, " prepended
 * unless present), the LoRA is forced to flux-realism-lora at `realism_strength`, and the route sets
 * `X-NSFW-Mode: str(nsfw).lower()` after the copy loop, so it reaches the client.
 */
const fluxDevRealism: RouteSpec = runsVia('infer', {
  method: 'POST',
  path: '/flux-dev-realism',
  docTimeSec: 60, // undocumented; flux-dev + LoRA ≈ /flux-dev-lora
  errorStyle: 'plain',
  handlerFile: 'handlers/flux.py',
  async handle(ctx) {
    const nsfw = get(ctx.item, 'nsfw', false);
    const item: Record<string, unknown> = { ...ctx.item, lora_name: 'flux-realism-lora', lora_strength: get(ctx.item, 'realism_strength', 0.85) };
    const prompt = strField(get(ctx.item, 'prompt', ''), 'lower');
    if (!prompt.toLowerCase().includes('ultra realistic')) item.prompt = `Ultra realistic, ${prompt}`;
    return fluxLoraPlan(ctx, item, LORA_LOOKUPS.flux, 60, { 'x-nsfw-mode': pyStr(nsfw).toLowerCase() });
  },
});

function lorasRoute(withCount: boolean, handlerFile: string): RouteSpec {
  return {
    method: 'GET',
    path: '/loras',
    docTimeSec: 0,
    errorStyle: 'plain',
    handlerFile,
    async handle(ctx) {
      const loras = installedLoras(ctx.app, ctx.options).map((name) => ({ name: `${name}.safetensors`, path: `/root/models/loras/${name}.safetensors` }));
      return { type: 'json', status: 200, json: withCount ? { loras, count: loras.length } : { loras }, execSec: 0 };
    },
  };
}

const debugTest: RouteSpec = {
  method: 'GET',
  path: '/debug/test',
  docTimeSec: 0,
  errorStyle: 'plain',
  handlerFile: 'apps/flux/app.py',
  async handle() {
    return { type: 'json', status: 200, json: { status: 'ok', handler_import: 'success' }, execSec: 0 };
  },
};

// ---------------------------------------------------------------------------------------------
// ryla-instantid (instantid.py, pulid_flux.py, ipadapter_faceid.py)

const sdxlInstantid: RouteSpec = runsVia('api+infer', {
  method: 'POST',
  path: '/sdxl-instantid',
  docTimeSec: 29,
  errorStyle: 'try-except',
  handlerFile: 'handlers/instantid.py',
  async handle(ctx) {
    const { item } = ctx;
    const ref = await instantidReference(item, 'reference_image is required');
    const prompt = promptText(item);
    const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
    const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
    const steps = comfyInt(item, 'steps', 20, 'KSampler', 1, 10000);
    const cfg = comfyFloat(item, 'cfg', 7.0, 'KSampler');
    comfyFloat(item, 'instantid_strength', 0.8, 'ApplyInstantID');
    const ckpt = str(get(item, 'sdxl_checkpoint', 'sd_xl_base_1.0.safetensors'));
    const image = refImage(ref);
    return still('png', dims, seed, 29, { face: image.bytes, prompt: comfyPrompt({ seed, steps, cfg, ...dims, prompt, model: ckpt, loadImage: 'reference.png' }) });
  },
});

/**
 * instantid.py:632-642 rewrites a shape-mismatch failure mentioning 2816 into this text with status
 * 501; the exception is the combined "Both API and infer methods failed" Exception (:435).
 */
const FLUX_INSTANTID_501 =
  "InstantID ControlNet incompatibility with Flux Dev detected. InstantID's ControlNet was designed for SDXL/1.5 models (CLIP-L only, 768 dim) " +
  'but Flux Dev uses T5XXL (2816 dim) + CLIP-L (768 dim). The ControlNet expects T5XXL embeddings but receives CLIP-L only, causing shape mismatch. ' +
  'Consider using IP-Adapter FaceID instead, which is designed for Flux models, or use SDXL model for InstantID workflows.';

const fluxInstantid: RouteSpec = runsVia('api+infer', {
  method: 'POST',
  path: '/flux-instantid',
  docTimeSec: 29,
  errorStyle: 'try-except',
  handlerFile: 'handlers/instantid.py',
  async handle(ctx) {
    const { item } = ctx;
    const ref = await instantidReference(item, 'reference_image is required');
    promptText(item);
    latentDims(item, 1024, 1024, 'EmptyLatentImage');
    refImage(ref);
    throw new StatusPyErr(501, 'Exception', FLUX_INSTANTID_501, 12);
  },
});

const fluxPulid: RouteSpec = runsVia('api', {
  method: 'POST',
  path: '/flux-pulid',
  docTimeSec: 83,
  errorStyle: 'plain',
  handlerFile: 'handlers/pulid_flux.py',
  async handle(ctx) {
    const { item } = ctx;
    const ref = await instantidReference(item, 'reference_image is required for PuLID Flux');
    const seed = seedParam(item, 'random', ctx, 2 ** 31 - 1);
    const prompt = promptText(item);
    const dims = latentDims(item, 1024, 1024, 'EmptySD3LatentImage');
    const steps = comfyInt(item, 'steps', 20, 'KSampler', 1, 10000);
    comfyFloat(item, 'pulid_weight', 0.9, 'ApplyPulidFlux');
    comfyFloat(item, 'guidance', 3.5, 'FluxGuidance');
    const image = refImage(ref);
    return still('png', dims, seed, 83, { face: image.bytes, costHeaders: true, prompt: comfyPrompt({ seed, steps, cfg: 1, ...dims, prompt, model: 'flux1-dev.safetensors', loadImage: 'reference.png' }) });
  },
});

const fluxIpadapter: RouteSpec = runsVia('api+infer', {
  method: 'POST',
  path: '/flux-ipadapter-faceid',
  docTimeSec: 60,
  errorStyle: 'try-except',
  handlerFile: 'handlers/ipadapter_faceid.py',
  async handle(ctx) {
    const { item } = ctx;
    const ref = await instantidReference(item, 'reference_image is required');
    const prompt = promptText(item);
    const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
    const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
    const steps = comfyInt(item, 'steps', 20, 'XlabsSampler', 1, 10000);
    comfyFloat(item, 'ipadapter_strength', 0.8, 'ApplyFluxIPAdapter');
    const gs = comfyFloat(item, 'guidance_scale', 3.5, 'XlabsSampler');
    const image = refImage(ref);
    return still('png', dims, seed, 60, { face: image.bytes, prompt: comfyPrompt({ seed, steps, cfg: gs, ...dims, prompt, model: 'flux1-dev.safetensors', loadImage: 'reference.png' }) });
  },
});

// ---------------------------------------------------------------------------------------------
// ryla-qwen-image (qwen_image.py, qwen_edit.py)

export const QWEN_ASPECT_RATIOS: Record<string, [number, number]> = {
  '1:1': [1328, 1328],
  '16:9': [1664, 928],
  '9:16': [928, 1664],
  '4:3': [1472, 1104],
  '3:4': [1104, 1472],
  '3:2': [1584, 1056],
  '2:3': [1056, 1584],
};

function qwenT2I(path: string, docTimeSec: number, steps: number, cfg: number, lora: boolean): RouteSpec {
  return runsVia('infer', {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/qwen_image.py',
    async handle(ctx) {
      const { item } = ctx;
      const pick = lora ? pickLora(ctx, LORA_LOOKUPS.qwen) : null;
      const prompt = str(get(item, 'prompt', 'A beautiful woman'));
      const ratio = get(item, 'aspect_ratio', null);
      const fromTable = typeof ratio === 'string' ? QWEN_ASPECT_RATIOS[ratio] : undefined;
      const dims = fromTable ? checkedDims(fromTable[0], fromTable[1]) : latentDims(item, 1328, 1328, 'EmptySD3LatentImage');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      const s = comfyInt(item, 'steps', steps, 'KSampler', 1, 10000);
      const c = comfyFloat(item, 'cfg', cfg, 'KSampler');
      return still('png', dims, seed, docTimeSec, {
        face: pick?.character ? ctx.options.characterFace : null,
        prompt: comfyPrompt({ seed, steps: s, cfg: c, ...dims, prompt, model: 'qwen_image_2512_fp8_e4m3fn.safetensors', lora: pick?.file }),
      });
    },
  });
}

/** `v = item.get(key); if not v: raise ValueError(text)` (qwen_edit.py:347-425, wan26.py:732-800). */
function requireValue(item: Record<string, unknown>, key: string, text = `${key} is required`): unknown {
  const v = get(item, key, null);
  if (!truthy(v)) throw new PyErr('ValueError', text, 0, `raise ValueError("${text}")`);
  return v;
}

function qwenEdit(handlerFile: string): RouteSpec {
  return {
    method: 'POST',
    path: '/qwen-image-edit-2511',
    docTimeSec: 54,
    errorStyle: 'plain',
    handlerFile,
    async handle(ctx) {
      const { item } = ctx;
      requireValue(item, 'source_image', 'source_image is required (base64 data URL)');
      const instruction = str(requireValue(item, 'instruction', 'instruction is required (editing instruction)'));
      const src = await inputImage(item, 'source_image', handlerFile.includes('qwen_edit') ? 'png' : 'jpg');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      const steps = comfyInt(item, 'steps', 50, 'KSampler', 1, 10000);
      const dims = checkedDims(src.width, src.height);
      return still('png', dims, seed, 54, {
        base: { type: 'image', bytes: src.bytes, crop: 'fill' },
        prompt: comfyPrompt({ seed, steps, cfg: 4, ...dims, prompt: instruction, model: 'qwen_image_edit_2511_bf16.safetensors', loadImage: 'source.png', save: 'PreviewImage' }),
      });
    },
  };
}

function qwenInpaint(handlerFile: string): RouteSpec {
  return {
    method: 'POST',
    path: '/qwen-image-inpaint-2511',
    docTimeSec: 53,
    errorStyle: 'plain',
    handlerFile,
    async handle(ctx) {
      const { item } = ctx;
      requireValue(item, 'source_image', 'source_image is required (base64 data URL)');
      requireValue(item, 'mask_image', 'mask_image is required (base64 data URL, white = edit area)');
      requireValue(item, 'prompt', 'prompt is required (what to inpaint)');
      const src = await inputImage(item, 'source_image', 'png');
      await inputImage(item, 'mask_image', 'png');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      comfyInt(item, 'steps', 50, 'KSampler', 1, 10000);
      // Instruction edit + PIL mask composite, re-encoded as real JPEG q95 (docs/fleet.md §0.2).
      return still('jpeg', checkedDims(src.width, src.height), seed, 53, { base: { type: 'image', bytes: src.bytes, crop: 'fill' } });
    },
  };
}

const imageFaceswap: RouteSpec = {
  method: 'POST',
  path: '/image-faceswap',
  docTimeSec: 10,
  errorStyle: 'plain',
  handlerFile: 'handlers/qwen_image.py',
  async handle(ctx) {
    const { item } = ctx;
    // The handler tests key presence (`"source_image" not in item`), so an empty string gets past it
    // and fails later as an unreadable image (handlers/qwen_image.py _image_faceswap_impl).
    if (!('source_image' in item)) throw new HttpErr(400, 'source_image is required (base64 data URL)');
    if (!('reference_image' in item)) throw new HttpErr(400, 'reference_image is required (base64 data URL)');
    const src = await inputImage(item, 'source_image', 'jpg');
    const ref = await inputImage(item, 'reference_image', 'jpg');
    return still('png', checkedDims(src.width, src.height), 0, 10, {
      base: { type: 'image', bytes: src.bytes, crop: 'fill' },
      face: ref.bytes,
      prompt: { '1': { inputs: { image: 'source.jpg' }, class_type: 'LoadImage' }, '2': { inputs: { image: 'face.jpg' }, class_type: 'LoadImage' }, '3': { inputs: { enabled: true, swap_model: 'inswapper_128.onnx', facedetection: 'retinaface_resnet50', face_restore_model: 'GFPGANv1.4.pth', input_image: ['1', 0], source_image: ['2', 0] }, class_type: 'ReActorFaceSwap' }, '4': { inputs: { filename_prefix: 'faceswap', images: ['3', 0] }, class_type: 'SaveImage' } },
    });
  },
};

const MAX_VIDEO_FRAMES = 600;

const videoFaceswap: RouteSpec = {
  method: 'POST',
  path: '/video-faceswap',
  docTimeSec: 85,
  errorStyle: 'plain',
  handlerFile: 'handlers/qwen_image.py',
  async handle(ctx) {
    const { item } = ctx;
    // Key presence (qwen_image.py:797-800): an empty string gets past it.
    if (!has(item, 'source_video')) throw new HttpErr(400, 'source_video is required (base64 data URL)');
    if (!has(item, 'reference_image')) throw new HttpErr(400, 'reference_image is required (base64 data URL)');
    const video = await inputVideo(item, 'source_video');
    const fps = fpsParam(item, 30, 'VHS_LoadVideo');
    // The route has no try/except, so every failure reaches the app's global handler
    // ({"error","details","type"}). VHS_LoadVideo cannot read WebP/garbage and ReActor cannot read an
    // unreadable face, but the handler never inspects ComfyUI errors: it polls history for outputs
    // until its 600 s budget is spent (qwen_image.py:856-874).
    const timedOut = () => new PyErr('Exception', 'Video processing timed out after 10 minutes', 600, 'raise Exception("Video processing timed out after 10 minutes")');
    if ('error' in video || video.info.container === 'webp') throw timedOut();
    let ref: ImageInfo;
    try {
      ref = await inputImage(item, 'reference_image', 'jpg');
    } catch (e) {
      if (e instanceof PyErr && e.pyType === 'UnidentifiedImageError') throw timedOut();
      throw e;
    }
    const frames = Math.min(MAX_VIDEO_FRAMES, Math.max(1, Math.round(video.info.durationSec * fps)));
    const plan = animated('mp4', checkedDims(video.info.width, video.info.height), frames, fps, 0, 85, { type: 'video', bytes: video.bytes, info: video.info, fps }, ref.bytes);
    if (plan.type === 'media') plan.output.keepAudio = true;
    return plan;
  },
};

const batchVideoFaceswap: RouteSpec = {
  method: 'POST',
  path: '/batch-video-faceswap',
  docTimeSec: 90,
  errorStyle: 'plain',
  handlerFile: 'handlers/qwen_image.py',
  async handle(ctx) {
    const { item } = ctx;
    // Key presence, as in _batch_video_faceswap_impl.
    if (!('source_video' in item)) throw new HttpErr(400, 'source_video is required (base64 data URL)');
    if (!('reference_image' in item)) throw new HttpErr(400, 'reference_image is required (base64 data URL)');
    const fps = fpsParam(item, 24, 'ffmpeg');
    const video = await inputVideo(item, 'source_video');
    const ref = await inputImage(item, 'reference_image', 'jpg');
    if ('error' in video) {
      // A bare `raise Exception(...)` inside try/finally: the app's global handler answers 500.
      throw new PyErr('Exception', `Failed to extract frames. RC: 1. Err: ${video.error}`, 1, 'raise Exception(f"Failed to extract frames. RC: {result.returncode}. Err: {err_msg[-400:]}")');
    }
    // WebP: every frame via PIL (fps ignored for extraction); otherwise ffmpeg -vf fps=N.
    const frames = video.info.container === 'webp' ? video.info.frames : Math.max(1, Math.round(video.info.durationSec * fps) || 1);
    const execSec = Math.max(2.9, 2.5 * Math.min(frames, MAX_VIDEO_FRAMES)); // "~2–3 s/frame"; 2.9 s observed for 1 frame
    return animated('mp4', checkedDims(video.info.width, video.info.height), Math.min(frames, MAX_VIDEO_FRAMES), fps, 0, execSec, {
      type: 'video',
      bytes: video.bytes,
      info: video.info,
      fps: video.info.container === 'webp' ? undefined : fps,
    }, ref.bytes);
  },
};

// ---------------------------------------------------------------------------------------------
// ryla-z-image (z_image.py)

/**
 * z_image.py `build_z_image_simple_workflow` (:60-110; danrisi :120-160): ZImageLoader + ZImageSampler,
 * `item["prompt"]`, steps (4 simple / 8 danrisi), guidance_scale = cfg (0.0), seed (42), run through infer.local.
 */
function zImageDiffusersPlan(ctx: RouteCtx, item: Record<string, unknown>, docTimeSec: number, steps: number, headers: Record<string, string>): Plan {
  const prompt = promptText(item);
  // Diffusers pipeline (ZImageSampler) needs multiples of 16.
  const dims = latentDims(item, 1024, 1024, 'ZImageSampler', 16);
  const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
  const s = comfyInt(item, 'steps', steps, 'ZImageSampler', 1, 10000);
  const cfg = comfyFloat(item, 'cfg', 0.0, 'ZImageSampler');
  return still('png', dims, seed, docTimeSec, { headers, prompt: comfyPrompt({ seed, steps: s, cfg, ...dims, prompt, model: 'Tongyi-MAI/Z-Image-Turbo' }) });
}

function zImageT2I(path: string, docTimeSec: number, steps: number): RouteSpec {
  return runsVia('infer', {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/z_image.py',
    handle: async (ctx) => zImageDiffusersPlan(ctx, ctx.item, docTimeSec, steps, {}),
  });
}

/** z_image.py:1186-1191, verbatim. */
export const Z_STYLES: Record<string, string> = {
  instagram: 'instagram style photo, social media aesthetic, vibrant colors, perfect lighting',
  cinematic: 'cinematic film still, kodak portra 400, anamorphic lens, dramatic lighting',
  candid: 'candid instax polaroid photo, natural moment, soft colors, authentic',
  snapshot: 'realistic snapshot, RAW photo, professional photography, photorealistic',
};

/**
 * z_image.py:1168-1215: `style` lower-cased (unknown → the snapshot prefix, but X-Style echoes the
 * lower-cased value), `prompt` optional (`f"{prefix}, {item.get('prompt', '')}"`), a default negative
 * prompt, then the *simple* pipeline; X-Style is set after the copy loop, so it reaches the client.
 */
const zImageRealism: RouteSpec = runsVia('infer', {
  method: 'POST',
  path: '/z-image-realism',
  docTimeSec: 51, // the /z-image-simple pipeline
  errorStyle: 'plain',
  handlerFile: 'handlers/z_image.py',
  async handle(ctx) {
    const style = strField(get(ctx.item, 'style', 'snapshot'), 'lower').toLowerCase();
    const prefix = Z_STYLES[style] ?? Z_STYLES.snapshot;
    const item: Record<string, unknown> = { ...ctx.item, prompt: `${prefix}, ${pyStr(get(ctx.item, 'prompt', ''))}` };
    if (!truthy(item.negative_prompt)) item.negative_prompt = 'ugly, deformed, cartoon, anime, blurry, low quality, artificial, CGI';
    return zImageDiffusersPlan(ctx, item, 51, 4, { 'x-style': style });
  },
});

/** z_image.py:1217-1248: the simple pipeline (prompt required), minimal negative, `X-NSFW-Mode: true`. */
const zImageNsfw: RouteSpec = runsVia('infer', {
  method: 'POST',
  path: '/z-image-nsfw',
  docTimeSec: 51, // the /z-image-simple pipeline
  errorStyle: 'plain',
  handlerFile: 'handlers/z_image.py',
  async handle(ctx) {
    const item: Record<string, unknown> = { ...ctx.item };
    if (!truthy(item.negative_prompt)) item.negative_prompt = 'ugly, deformed, blurry, low quality';
    return zImageDiffusersPlan(ctx, item, 51, 4, { 'x-nsfw-mode': 'true' });
  },
});

/**
 * z_image.py:980-1047: LoRA (presence, lora_name wins), then `"prompt" not in item` → 400 (key
 * presence: an empty prompt passes), `X-NSFW-Mode: str(nsfw).lower()` after the copy loop.
 */
const zImageLora: RouteSpec = runsVia('infer', {
  method: 'POST',
  path: '/z-image-lora',
  docTimeSec: 29,
  errorStyle: 'plain',
  handlerFile: 'handlers/z_image.py',
  async handle(ctx) {
    const { item } = ctx;
    const nsfw = get(item, 'nsfw', false);
    const lora = pickLora(ctx, LORA_LOOKUPS.zImage);
    if (!has(item, 'prompt')) throw new HttpErr(400, 'prompt is required');
    const dims = latentDims(item, 1024, 1024, 'EmptySD3LatentImage');
    const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
    const steps = comfyInt(item, 'steps', 9, 'KSampler', 1, 10000);
    return still('png', dims, seed, 29, {
      face: lora.character ? ctx.options.characterFace : null,
      headers: { 'x-nsfw-mode': pyStr(nsfw).toLowerCase() },
      prompt: comfyPrompt({ seed, steps, cfg: 1, ...dims, prompt: pyStr(item.prompt), model: 'z_image_turbo_bf16.safetensors', lora: lora.file }),
    });
  },
});

/**
 * `/z-image-instantid`, `/z-image-pulid` (z_image.py:866-920): key presence of reference_image
 * (:868, :896), the reference saved (data URL or raw base64), `item["prompt"]` read while building
 * the workflow, then ComfyUI fails (the Z-Image encoder is incompatible with these nodes) and the
 * infer path's `comfy run` fallback words it.
 */
function zImageRemoved(path: string, which: 'InstantID' | 'PuLID'): RouteSpec {
  return runsVia('infer', {
    method: 'POST',
    path,
    docTimeSec: 10,
    errorStyle: 'plain',
    handlerFile: 'handlers/z_image.py',
    async handle(ctx) {
      const { item } = ctx;
      if (!has(item, 'reference_image')) throw new HttpErr(400, `reference_image is required for ${which} workflow`);
      await inputImage(item, 'reference_image', 'png');
      promptText(item);
      const node = which === 'InstantID' ? 'ApplyInstantID' : 'ApplyPulid';
      // invented: the shapes in the RuntimeError (the fleet's docs only say "encoder incompatible").
      throw comfyExecutionFailed('15', node, 'RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x2560 and 2048x3072)', 10);
    },
  });
}

const zImagePulidLora: RouteSpec = {
  method: 'POST',
  path: '/z-image-pulid-lora',
  docTimeSec: 0,
  errorStyle: 'plain',
  handlerFile: 'handlers/z_image.py',
  async handle() {
    throw new HttpErr(501, {
      error: 'Z-Image uses diffusers pipeline - ComfyUI LoRAs not supported',
      alternatives: ['Use /z-image-lora for LoRA generation with ComfyUI nodes', 'Use /flux-pulid for face consistency', 'Use /flux-dev-lora with a trained character LoRA'],
    });
  },
};

// ---------------------------------------------------------------------------------------------
// ryla-wan26 (wan26.py), ryla-wan22-i2v (wan22_i2v.py), ryla-wan2 (wan2.py)

/** wan26.py `_wan26_impl` (:718-778), `_wan26_r2v_impl` (:780-852), `_wan26_lora_impl` (:986-1110). */
function wanT2V(path: string, docTimeSec: number, mode: 't2v' | 'r2v' | 'lora'): RouteSpec {
  return runsVia('infer', {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/wan26.py',
    async handle(ctx) {
      const { item } = ctx;
      const lora = mode === 'lora' ? pickLora(ctx, LORA_LOOKUPS.wan) : null;
      requireValue(item, 'prompt');
      if (mode === 'r2v') {
        const refs = get(item, 'reference_videos', []);
        if (!truthy(refs)) throw new PyErr('ValueError', 'reference_videos is required (list of base64 video data URLs)');
        // Each one is saved (decoded) before the workflow builder counts them (wan26.py:812-815, :274-278).
        if (!Array.isArray(refs)) throw new PyErr('AttributeError', `'${pyTypeName(refs)}' object has no attribute 'startswith'`);
        for (const r of refs) decodeDataUrlOrRaw(strField(r, 'startswith'));
        if (refs.length > 3) throw new PyErr('ValueError', 'Maximum 3 reference videos supported for R2V');
      }
      const dims = latentDims(item, 832, 480, 'EmptyHunyuanLatentVideo', 16);
      const frames = wanFrames(comfyInt(item, 'length', 33, 'EmptyHunyuanLatentVideo', 1, 16384));
      const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      comfyInt(item, 'steps', 30, 'KSampler', 1, 10000);
      return animated('webp-anim', dims, frames, fps, seed, docTimeSec, { type: 'scene' }, lora?.character ? ctx.options.characterFace : null);
    },
  });
}

/**
 * The delegated swap (wan26.py:958-973, wan22_i2v.py:470-492): a failure of ryla-qwen-image's
 * /batch-video-faceswap becomes 502 `Face swap service failed: <its body[:500]>`; its body is that
 * app's global-handler JSON (Starlette's compact encoding).
 */
function delegatedSwapFailed(e: PyErr, afterSec: number): HttpErr {
  const body = JSON.stringify({ error: e.text, details: traceback('handlers/qwen_image.py', '_batch_video_faceswap_impl', e.pyType, e.text, e.codeLine), type: e.pyType });
  return new HttpErr(502, `Face swap service failed: ${body.slice(0, 500)}`, afterSec);
}

/**
 * wan26.py `_wan26_i2v_impl` (:854-933): key presence of prompt and reference_image (:865-868), so
 * empty values get past it. The faceswap route (:935-984) first tests face_image/reference_face
 * presence (:940), takes `item.get("face_image") or item.get("reference_face")`, runs the I2V phase,
 * then delegates the swap.
 */
function wanI2V(path: string, docTimeSec: number, faceswap: boolean): RouteSpec {
  return runsVia('infer', {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/wan26.py',
    async handle(ctx) {
      const { item } = ctx;
      if (faceswap && !has(item, 'face_image') && !has(item, 'reference_face')) {
        throw new HttpErr(400, 'face_image or reference_face is required (base64 data URL of face to swap in)');
      }
      if (!has(item, 'prompt')) throw new HttpErr(400, 'prompt is required');
      if (!has(item, 'reference_image')) throw new HttpErr(400, 'reference_image is required (base64 data URL)');
      const src = await inputImage(item, 'reference_image', 'jpg');
      const dims = latentDims(item, 832, 480, 'WanImageToVideo', 16);
      const frames = wanFrames(comfyInt(item, 'length', 33, 'WanImageToVideo', 1, 16384));
      const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      const face = faceswap ? await delegatedFace(item, truthy(item.face_image) ? 'face_image' : 'reference_face', 35) : null;
      return animated(faceswap ? 'mp4' : 'webp-anim', dims, frames, fps, seed, docTimeSec, { type: 'image', bytes: src.bytes, crop: 'cover' }, face ? face.bytes : null);
    },
  });
}

/** The face the delegated swap receives; unreadable → the 502 of the delegation, after the first phase. */
async function delegatedFace(item: Record<string, unknown>, key: string, firstPhaseSec: number): Promise<ImageInfo> {
  try {
    return await inputImage({ reference_image: item[key] ?? null }, 'reference_image', 'jpg');
  } catch (e) {
    if (e instanceof PyErr) throw delegatedSwapFailed(e, firstPhaseSec);
    throw e;
  }
}

/**
 * wan22_i2v.py `_wan22_i2v_impl` (:323-400) and `_wan22_i2v_faceswap_impl` (:402-511): key presence
 * (:336, :418-421); the faceswap route's source_image detail has no "(base64 data URL)".
 */
function wan22(path: string, docTimeSec: number, faceswap: boolean): RouteSpec {
  return runsVia('infer', {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/wan22_i2v.py',
    async handle(ctx) {
      const { item } = ctx;
      if (!has(item, 'source_image')) throw new HttpErr(400, faceswap ? 'source_image is required' : 'source_image is required (base64 data URL)');
      if (faceswap && !has(item, 'face_image') && !has(item, 'reference_image')) throw new HttpErr(400, 'face_image or reference_image is required');
      const src = await inputImage(item, 'source_image', 'jpg');
      const dims = faceswap ? latentDims(item, 832, 480, 'WanVideoImageToVideoEncode', 16) : latentDims(item, 512, 768, 'WanVideoImageToVideoEncode', 16);
      const frames = wanFrames(comfyInt(item, 'num_frames', 33, 'WanVideoImageToVideoEncode', 1, 16384));
      const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      const face = faceswap ? await delegatedFace(item, truthy(item.face_image) ? 'face_image' : 'reference_image', 240) : null;
      // The source is ImageScale'd (lanczos, center crop) to w×h: the first frame is the source.
      return animated(faceswap ? 'mp4' : 'webp-anim', dims, frames, fps, seed, docTimeSec, { type: 'image', bytes: src.bytes, crop: 'cover' }, face ? face.bytes : null);
    },
  });
}

const wan2: RouteSpec = {
  method: 'POST',
  path: '/wan2',
  docTimeSec: 20, // Mono 19.8 s
  errorStyle: 'plain',
  handlerFile: 'handlers/wan2.py',
  async handle(ctx) {
    const { item } = ctx;
    promptText(item);
    const dims = latentDims(item, 832, 480, 'EmptyHunyuanLatentVideo', 16);
    const frames = wanFrames(comfyInt(item, 'length', 33, 'EmptyHunyuanLatentVideo', 1, 16384));
    const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
    const seed = seedParam(item, 839327983272663, ctx, 2 ** 32 - 1);
    return animated('webp-anim', dims, frames, fps, seed, 20, { type: 'scene' }, null);
  },
};

// ---------------------------------------------------------------------------------------------
// ryla-seedvr2 (seedvr2.py)

/** Short side = resolution; long side follows the aspect; capped by max_resolution (docs/fleet.md §3.7). */
export function seedvr2Dims(srcW: number, srcH: number, resolution: number, maxResolution: number): { width: number; height: number } {
  const short = Math.min(srcW, srcH);
  const scale = resolution / short;
  let w = srcW * scale;
  let h = srcH * scale;
  const long = Math.max(w, h);
  if (long > maxResolution) {
    w = (w * maxResolution) / long;
    h = (h * maxResolution) / long;
  }
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  return { width: even(w), height: even(h) };
}

/**
 * seedvr2.py:189-224: a string `resolution` is int()'d, "fixed" or a non-numeric string silently
 * becomes 1080 (max_resolution: 4000, seed: 4105349922); numbers pass through to ComfyUI.
 */
export function seedvr2IntParam(raw: unknown, fallback: number): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.toLowerCase() === 'fixed') return fallback;
  return /^\s*[+-]?\d+(_\d+)*\s*$/.test(raw) ? Number.parseInt(raw.replace(/_/g, ''), 10) : fallback;
}

/** A number ComfyUI's INT widget accepts (what reaches SeedVR2VideoUpscaler). */
function seedvr2Int(value: unknown, key: string): number {
  return comfyInt({ [key]: value }, key, 0, 'SeedVR2VideoUpscaler');
}

/**
 * seedvr2.py `_seedvr2_impl` (:29-317) under the route's try/except (:334-376): missing image is a
 * ValueError (→ 500), an unreadable one `ValueError("Invalid image format: …")`, ComfyUI failures the
 * combined "SeedVR2 execution failed (API: …, Infer: …)"; status by seedvr2's own text search.
 */
const seedvr2: RouteSpec = runsVia('seedvr2', {
  method: 'POST',
  path: '/seedvr2',
  docTimeSec: 208,
  errorStyle: 'try-except-seedvr2',
  handlerFile: 'handlers/seedvr2.py',
  async handle(ctx) {
    const { item } = ctx;
    const image = get(item, 'image', null);
    if (!truthy(image)) throw new PyErr('ValueError', "Missing 'image' field in request. Provide base64-encoded image.", 0, 'raise ValueError(...)');
    const text = strField(image, 'split');
    const bytes = pyB64decode(text.includes(',') ? text.slice(text.indexOf(',') + 1) : text);
    let src: ImageInfo;
    try {
      src = await openImage(bytes, 'seedvr2_input.png');
    } catch {
      throw new PyErr('ValueError', `Invalid image format: cannot identify image file ${bytesIoName(bytes)}`, 0, 'raise ValueError(f"Invalid image format: {e}")');
    }
    const resolution = seedvr2Int(seedvr2IntParam(get(item, 'resolution', 1080), 1080), 'resolution');
    const seed = seedvr2Int(seedvr2IntParam(get(item, 'seed', 4105349922), 4105349922), 'seed');
    const maxRes = seedvr2Int(seedvr2IntParam(get(item, 'max_resolution', 4000), 4000), 'max_resolution');
    seedvr2Int(seedvr2IntParam(get(item, 'max_resolution_2', 4000), 4000), 'max_resolution_2');
    if (resolution < 16) throw comfyValidation('SeedVR2VideoUpscaler', `Value ${resolution} smaller than min of 16: resolution`);
    const target = seedvr2Dims(src.width, src.height, resolution, maxRes);
    const dims = checkedDims(target.width, target.height);
    return still('png', dims, seed, 208, {
      contentType: 'image/png',
      base: { type: 'image', bytes: src.bytes, crop: 'fill' },
      prompt: {
        '1': { inputs: { image: 'seedvr2_input.png' }, class_type: 'LoadImage' },
        '2': { inputs: { model: 'seedvr2_ema_7b_fp16.safetensors', blocks_to_swap: 35 }, class_type: 'SeedVR2LoadDiTModel' },
        '3': { inputs: { seed, resolution, max_resolution: maxRes, color_correction: 'lab', image: ['1', 0] }, class_type: 'SeedVR2VideoUpscaler' },
        '4': { inputs: { filename_prefix: 'seedvr2', images: ['3', 0] }, class_type: 'SaveImage' },
      },
    });
  },
});

// ---------------------------------------------------------------------------------------------
// ryla-comfyui (legacy monolith): /workflow and /diagnostics/nodes

const workflowRoute: RouteSpec = {
  method: 'POST',
  path: '/workflow',
  docTimeSec: 45, // P8: 30–60 s
  errorStyle: 'plain',
  handlerFile: 'handlers/workflow.py',
  async handle(ctx) {
    const { item } = ctx;
    const wf = req(item, 'workflow');
    if (!wf || typeof wf !== 'object' || Array.isArray(wf)) throw new PyErr('AttributeError', `'${pyTypeName(wf)}' object has no attribute 'items'`);
    const nodes = Object.values(wf as Record<string, { class_type?: string; inputs?: Record<string, unknown> }>);
    const latent = nodes.find((n) => /Empty.*Latent/.test(n?.class_type ?? ''));
    const w = Number(latent?.inputs?.width ?? 1024);
    const h = Number(latent?.inputs?.height ?? 1024);
    const dims = checkedDims(Math.floor(w / 8) * 8 || 1024, Math.floor(h / 8) * 8 || 1024);
    const sampler = nodes.find((n) => n?.class_type === 'KSampler');
    const seed = Number(sampler?.inputs?.seed ?? 0) || 0;
    if (nodes.some((n) => n?.class_type === 'SaveAnimatedWEBP')) {
      const length = Number(latent?.inputs?.length ?? 33);
      return animated('webp-anim', dims, wanFrames(length), 16, seed, 45, { type: 'scene' }, null);
    }
    if (nodes.some((n) => n?.class_type === 'SaveImage')) return still('png', dims, seed, 45, { prompt: wf as Record<string, unknown> });
    throw new PyErr('Exception', 'No output images found in workflow result', 45);
  },
};

/** apps/modal/app.py:247-330: what the monolith reports about its custom nodes (here: all loaded). */
const diagnosticsNodes: RouteSpec = {
  method: 'GET',
  path: '/diagnostics/nodes',
  docTimeSec: 0,
  errorStyle: 'plain',
  handlerFile: 'app.py',
  async handle() {
    const loaded = ['KSampler', 'CheckpointLoaderSimple', 'LoadImage', 'SaveImage', 'InsightFaceLoader', 'InstantIDModelLoader', 'InstantIDControlNetLoader', 'ApplyInstantID', 'SeedVR2VideoUpscaler', 'SeedVR2LoadDiTModel', 'SeedVR2LoadVAEModel'];
    const available = (nodes: string[]) => Object.fromEntries(nodes.map((n) => [n, true]));
    return {
      type: 'json',
      status: 200,
      json: {
        comfyui_path: '/root/comfy/ComfyUI',
        custom_nodes_dir: '/root/comfy/ComfyUI/custom_nodes',
        instantid_dir_exists: true,
        // invented: the file names listed from the two custom-node folders.
        instantid_files: ['__init__.py', 'InstantID.py'],
        instantid_import_error: null,
        seedvr2_dir_exists: true,
        seedvr2_files: ['__init__.py', 'nodes.py'],
        seedvr2_import_error: null,
        comfyui_loaded_nodes: loaded,
        instantid_nodes_available: available(['InsightFaceLoader', 'InstantIDModelLoader', 'InstantIDControlNetLoader', 'ApplyInstantID']),
        seedvr2_nodes_available: available(['SeedVR2VideoUpscaler', 'SeedVR2LoadDiTModel', 'SeedVR2LoadVAEModel']),
        custom_nodes_dir_exists: true,
        instantid_import_success: true,
        seedvr2_import_success: true,
        comfyui_loaded_node_count: loaded.length,
      },
      execSec: 0,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// the apps (docs/fleet.md §1)

const fluxRoutes = (): RouteSpec[] => [
  fluxT2I('/flux', 29, 4, 'flux1-schnell-fp8.safetensors'),
  fluxT2I('/flux-dev', 37, 20, 'flux1-dev.safetensors'),
  fluxLoraRoute('/flux-dev-lora', 60, 'handlers/flux.py', LORA_LOOKUPS.flux, 'infer'),
  fluxDevRealism,
];

const zImageRoutes = (): RouteSpec[] => [
  zImageT2I('/z-image-simple', 51, 4),
  zImageT2I('/z-image-danrisi', 6, 8),
  zImageLora,
  zImageRealism,
  zImageNsfw,
  zImageRemoved('/z-image-instantid', 'InstantID'),
  zImageRemoved('/z-image-pulid', 'PuLID'),
  zImagePulidLora,
];

const qwenImageRoutes = (): RouteSpec[] => [
  qwenT2I('/qwen-image-2512', 103, 50, 4.0, false),
  qwenT2I('/qwen-image-2512-fast', 73, 4, 1.0, false),
  qwenT2I('/qwen-image-2512-lora', 143, 50, 4.0, true),
  videoFaceswap,
  imageFaceswap,
  batchVideoFaceswap,
  qwenEdit('handlers/qwen_edit.py'),
  qwenInpaint('handlers/qwen_edit.py'),
];

/** Cold starts from docs/fleet.md §2.7 (documented; 2–5 min generic where nothing specific exists). */
export const COLD_START_SEC: Record<AppName, number> = {
  'ryla-flux': 60,
  'ryla-instantid': 120,
  'ryla-qwen-image': 60,
  'ryla-qwen-edit': 60,
  'ryla-z-image': 60,
  'ryla-wan26': 60,
  'ryla-wan22-i2v': 150,
  'ryla-seedvr2': 120,
  'ryla-lora': 60,
  'ryla-wan2': 120,
  'ryla-comfyui': 120,
};

/**
 * Deployed by default: the 8 web endpoints the workspace limit allows (ENDPOINT-APP-MAPPING.md
 * live set + wan22-i2v). ryla-qwen-edit and ryla-lora are "unknown" in docs/fleet.md §1 and
 * ryla-wan2 is removed; override with `deployed`.
 */
export const DEFAULT_DEPLOYED: Record<AppName, boolean> = {
  'ryla-flux': true,
  'ryla-instantid': true,
  'ryla-qwen-image': true,
  'ryla-qwen-edit': false,
  'ryla-z-image': true,
  'ryla-wan26': true,
  'ryla-wan22-i2v': true,
  'ryla-seedvr2': true,
  'ryla-lora': false,
  'ryla-wan2': false,
  'ryla-comfyui': true,
};

function app(name: AppName, routes: RouteSpec[], over: Partial<AppSpec> = {}): AppSpec {
  return {
    name,
    deployed: DEFAULT_DEPLOYED[name],
    gpu: 'L40S',
    maxInputs: 5,
    coldStartSec: COLD_START_SEC[name],
    scaledownWindowSec: 300,
    functionTimeoutSec: 1800,
    health: { status: 'healthy', app: name },
    cors: true,
    globalErrorAddsPath: false,
    routes,
    ...over,
  };
}

export function buildFleet(deployed: Partial<Record<AppName, boolean>> = {}): AppSpec[] {
  const apps: AppSpec[] = [
    app('ryla-flux', [...fluxRoutes(), lorasRoute(true, 'handlers/flux.py'), debugTest], { globalErrorAddsPath: true }),
    app('ryla-instantid', [sdxlInstantid, fluxInstantid, fluxPulid, fluxIpadapter]),
    app('ryla-qwen-image', qwenImageRoutes()),
    app('ryla-qwen-edit', [qwenEdit('handlers/qwen_edit.py'), qwenInpaint('handlers/qwen_edit.py')]),
    app('ryla-z-image', zImageRoutes()),
    app('ryla-wan26', [wanT2V('/wan2.6', 35, 't2v'), wanT2V('/wan2.6-r2v', 35, 'r2v'), wanI2V('/wan2.6-i2v', 35, false), wanI2V('/wan2.6-i2v-faceswap', 160, true), wanT2V('/wan2.6-lora', 47, 'lora')]),
    app('ryla-wan22-i2v', [wan22('/wan22-i2v', 240, false), wan22('/wan22-i2v-faceswap', 425, true)], {
      gpu: 'A100-80GB',
      maxInputs: 3,
      health: { status: 'healthy', app: 'ryla-wan22-i2v', version: 'v2' },
    }),
    app('ryla-seedvr2', [seedvr2]),
    app('ryla-lora', [fluxLoraRoute('/flux-lora', 60, 'handlers/lora.py', LORA_LOOKUPS.lora, 'api'), lorasRoute(false, 'handlers/lora.py')]),
    app('ryla-wan2', [wan2]),
    app(
      'ryla-comfyui',
      [...fluxRoutes(), sdxlInstantid, fluxInstantid, fluxIpadapter, fluxLoraRoute('/flux-lora', 60, 'handlers/lora.py', LORA_LOOKUPS.lora, 'api'), wan2, seedvr2, workflowRoute, ...zImageRoutes(), diagnosticsNodes],
      { health: null, cors: false, globalErrorAddsPath: true },
    ),
  ];
  for (const a of apps) if (deployed[a.name] !== undefined) a.deployed = deployed[a.name]!;
  return apps;
}

/** Routes the fleet's own TS client and docs still name but no handler defines (→ 404 Not Found). */
export const PHANTOM_ROUTES = ['/sdxl-turbo', '/sdxl-lightning', '/qwen-faceswap', '/qwen-faceswap-fast', '/qwen-character-scene'];

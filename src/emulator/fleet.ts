/**
 * The emulated fleet: every Modal app and route of jatidevelopments/ryla at 57209b5, written from
 * /work/shared/contracts.md (§1 apps, §2 cross-cutting contract, §3 routes, §4 timings).
 *
 * Deliberately independent of src/catalog: genprobe's catalog and checks are cross-checked by
 * running them against this table. Each route handler mirrors its Python handler: it reads the
 * JSON body with `item.get(...)` semantics, raises the same exceptions in the same order, and
 * returns a plan (what to render, which headers survive, how long the GPU works).
 */
import { createHash } from 'node:crypto';
import { HttpErr, PyErr, keyError, type ErrorStyle } from './pyerrors.ts';
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
  /** contracts.md §4 "Doc time" (or the stated substitute), seconds at timeScale 1. */
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

/** ComfyUI's INT widget validation: int(value), then min/max (contracts.md §0.8: no other checks). */
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
function comfyValidation(node: string, message: string): PyErr {
  return new PyErr('Exception', `Prompt outputs failed validation: ${node}:\n- ${message}`, 1, 'prompt_id = queue_prompt(workflow)');
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

/** instantid / pulid / ipadapter `_save_reference_image`: must be a data URL (contracts.md §2.2). */
async function instantidReference(item: Record<string, unknown>, requiredDetail: string): Promise<ImageInfo> {
  const ref = get(item, 'reference_image', null);
  if (!truthy(ref)) throw new HttpErr(400, requiredDetail);
  if (typeof ref !== 'string' || !ref.startsWith('data:')) {
    // Treated as a filename in ComfyUI input/: LoadImage validation fails and the /prompt API answers 400.
    const name = str(ref).slice(0, 80);
    throw new PyErr(
      'Exception',
      `Failed to queue workflow: 400 {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation"}, "node_errors": {"13": {"errors": [{"type": "custom_validation_failed", "message": "Invalid image file: ${name}"}], "class_type": "LoadImage"}}}`,
      1,
    );
  }
  const bytes = pyB64decode(ref.slice(ref.indexOf(',') + 1));
  try {
    return await openImage(bytes, 'reference.png');
  } catch {
    const addr = createHash('sha1').update(bytes).digest('hex').replace(/[^1-9a-f]/g, 'e').slice(0, 12);
    throw new PyErr('ValueError', `Invalid image format: cannot identify image file <_io.BytesIO object at 0x7f${addr}>`, 0, 'img = Image.open(io.BytesIO(image_bytes))');
  }
}

/** z_image / qwen / wan `_save_*_to_input`: data URL or raw base64, written as-is, then opened. */
async function inputImage(item: Record<string, unknown>, key: string, rawExt: 'png' | 'jpg'): Promise<ImageInfo> {
  const field = decodeDataUrlOrRaw(item[key]);
  const ext = field.mime ? (field.mime.includes('webp') ? 'webp' : field.mime.includes('png') ? 'png' : 'jpg') : rawExt;
  return openImage(field.bytes, newInputName(ext));
}

async function inputVideo(item: Record<string, unknown>, key: string): Promise<{ bytes: Buffer; info: VideoInfo } | { bytes: Buffer; error: string }> {
  const field = decodeDataUrlOrRaw(item[key]);
  try {
    return { bytes: field.bytes, info: await probeVideo(field.bytes) };
  } catch (e) {
    return { bytes: field.bytes, error: (e as Error).message };
  }
}

// ---------------------------------------------------------------------------------------------
// LoRAs (contracts.md §3.1, §3.3–3.5, §3.8)

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

/**
 * Resolves lora_id / lora_name. `idPrefixes` are the candidate file prefixes for a lora_id in
 * search order (e.g. qwen: `qwen-character-`, then legacy `character-`).
 */
function pickLora(ctx: RouteCtx, idPrefixes: string[], notFoundSuffix: string): LoraPick {
  const { item } = ctx;
  const id = get(item, 'lora_id', null);
  const name = get(item, 'lora_name', null);
  if (!truthy(id) && !truthy(name)) throw new HttpErr(400, 'lora_id or lora_name is required');
  const installed = new Set(installedLoras(ctx.app, ctx.options));
  const candidates = truthy(id) ? idPrefixes.map((p) => `${p}${str(id)}.safetensors`) : [withExt(str(name))];
  const found = candidates.find((c) => installed.has(stem(c)));
  if (!found) throw new HttpErr(404, `LoRA not found: ${candidates[0]}${notFoundSuffix}`);
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
  return {
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
  };
}

function fluxLoraRoute(path: string, docTimeSec: number, handlerFile: string, notFoundSuffix: string): RouteSpec {
  return {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile,
    async handle(ctx) {
      const { item } = ctx;
      const lora = pickLora(ctx, ['character-'], notFoundSuffix);
      const trigger = get(item, 'trigger_word', null);
      const prompt = (truthy(trigger) ? `${str(trigger)}, ` : '') + promptText(item);
      const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
      const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
      const steps = comfyInt(item, 'steps', 20, 'KSampler', 1, 10000);
      comfyFloat(item, 'lora_strength', 1.0, 'LoraLoader');
      return still('png', dims, seed, docTimeSec, {
        face: lora.character ? ctx.options.characterFace : null,
        prompt: comfyPrompt({ seed, steps, cfg: 1, ...dims, prompt, model: 'flux1-dev.safetensors', lora: lora.file }),
      });
    },
  };
}

const fluxDevRealism: RouteSpec = {
  method: 'POST',
  path: '/flux-dev-realism',
  docTimeSec: 60, // undocumented; flux-dev + LoRA ≈ /flux-dev-lora
  errorStyle: 'plain',
  handlerFile: 'handlers/flux.py',
  async handle(ctx) {
    const { item } = ctx;
    const prompt = `Ultra realistic, ${promptText(item)}`;
    const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
    const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
    comfyFloat(item, 'realism_strength', 0.85, 'LoraLoader');
    const nsfw = truthy(get(item, 'nsfw', false));
    return still('png', dims, seed, 60, {
      headers: { 'x-nsfw-mode': nsfw ? 'true' : 'false' },
      prompt: comfyPrompt({ seed, steps: 20, cfg: 1, ...dims, prompt, model: 'flux1-dev.safetensors', lora: 'flux-realism-lora.safetensors' }),
    });
  },
};

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

const sdxlInstantid: RouteSpec = {
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
    return still('png', dims, seed, 29, { face: ref.bytes, prompt: comfyPrompt({ seed, steps, cfg, ...dims, prompt, model: ckpt, loadImage: 'reference.png' }) });
  },
};

const fluxInstantid: RouteSpec = {
  method: 'POST',
  path: '/flux-instantid',
  docTimeSec: 29,
  errorStyle: 'try-except',
  handlerFile: 'handlers/instantid.py',
  async handle(ctx) {
    const { item } = ctx;
    await instantidReference(item, 'reference_image is required');
    promptText(item);
    latentDims(item, 1024, 1024, 'EmptyLatentImage');
    // The SDXL InstantID ControlNet cannot condition Flux Dev; the handler rewrites the shape error to 501.
    throw new HttpErr(
      501,
      'InstantID ControlNet incompatibility with Flux Dev detected. The InstantID ControlNet was trained for SDXL (2816-dim embeddings) and cannot be used with Flux Dev. Use /sdxl-instantid or /flux-pulid instead. Original error: mat1 and mat2 shapes cannot be multiplied (1x2816 and 768x3072)',
      12,
    );
  },
};

const fluxPulid: RouteSpec = {
  method: 'POST',
  path: '/flux-pulid',
  docTimeSec: 83,
  errorStyle: 'plain',
  handlerFile: 'handlers/pulid_flux.py',
  async handle(ctx) {
    const { item } = ctx;
    const ref = await instantidReference(item, 'reference_image is required for PuLID Flux');
    const prompt = promptText(item);
    const dims = latentDims(item, 1024, 1024, 'EmptySD3LatentImage');
    const seed = seedParam(item, 'random', ctx, 2 ** 31 - 1);
    const steps = comfyInt(item, 'steps', 20, 'KSampler', 1, 10000);
    comfyFloat(item, 'pulid_weight', 0.9, 'ApplyPulidFlux');
    comfyFloat(item, 'guidance', 3.5, 'FluxGuidance');
    return still('png', dims, seed, 83, { face: ref.bytes, costHeaders: true, prompt: comfyPrompt({ seed, steps, cfg: 1, ...dims, prompt, model: 'flux1-dev.safetensors', loadImage: 'reference.png' }) });
  },
};

const fluxIpadapter: RouteSpec = {
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
    return still('png', dims, seed, 60, { face: ref.bytes, prompt: comfyPrompt({ seed, steps, cfg: gs, ...dims, prompt, model: 'flux1-dev.safetensors', loadImage: 'reference.png' }) });
  },
};

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
  return {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/qwen_image.py',
    async handle(ctx) {
      const { item } = ctx;
      const pick = lora ? pickLora(ctx, ['qwen-character-', 'character-'], '') : null;
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
  };
}

function requireValue(item: Record<string, unknown>, key: string, pyType = 'ValueError'): unknown {
  const v = get(item, key, null);
  if (!truthy(v)) throw new PyErr(pyType, `${key} is required`, 0, `raise ValueError("${key} is required")`);
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
      requireValue(item, 'source_image');
      const instruction = str(requireValue(item, 'instruction'));
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
      requireValue(item, 'source_image');
      requireValue(item, 'mask_image');
      requireValue(item, 'prompt');
      const src = await inputImage(item, 'source_image', 'png');
      await inputImage(item, 'mask_image', 'png');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      comfyInt(item, 'steps', 50, 'KSampler', 1, 10000);
      // Instruction edit + PIL mask composite, re-encoded as real JPEG q95 (contracts.md §0.2).
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
    if (!truthy(get(item, 'source_video', null))) throw new HttpErr(400, 'source_video is required (base64 data URL)');
    if (!truthy(get(item, 'reference_image', null))) throw new HttpErr(400, 'reference_image is required (base64 data URL)');
    const fps = fpsParam(item, 30, 'VHS_LoadVideo');
    const video = await inputVideo(item, 'source_video');
    const ref = await inputImage(item, 'reference_image', 'jpg');
    // VHS_LoadVideo cannot read WebP/garbage; the handler never inspects ComfyUI errors and polls for 600 s.
    if ('error' in video || video.info.container === 'webp') throw new HttpErr(500, 'Video processing timed out after 10 minutes', 600);
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

function zImageT2I(path: string, docTimeSec: number, steps: number, extraHeaders: (item: Record<string, unknown>) => Record<string, string>, prefix: (item: Record<string, unknown>) => string = () => ''): RouteSpec {
  return {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/z_image.py',
    async handle(ctx) {
      const { item } = ctx;
      const prompt = prefix(item) + promptText(item);
      // Diffusers pipeline (ZImageSampler) needs multiples of 16.
      const dims = latentDims(item, 1024, 1024, 'ZImageSampler', 16);
      const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
      const s = comfyInt(item, 'steps', steps, 'ZImageSampler', 1, 10000);
      const cfg = comfyFloat(item, 'cfg', 0.0, 'ZImageSampler');
      return still('png', dims, seed, docTimeSec, { headers: extraHeaders(item), prompt: comfyPrompt({ seed, steps: s, cfg, ...dims, prompt, model: 'Tongyi-MAI/Z-Image-Turbo' }) });
    },
  };
}

const Z_STYLES: Record<string, string> = {
  instagram: 'instagram photo, ',
  cinematic: 'cinematic film still, kodak portra, ',
  candid: 'candid instax photo, ',
  snapshot: 'realistic amateur snapshot, ',
};

const zImageLora: RouteSpec = {
  method: 'POST',
  path: '/z-image-lora',
  docTimeSec: 29,
  errorStyle: 'plain',
  handlerFile: 'handlers/z_image.py',
  async handle(ctx) {
    const { item } = ctx;
    const lora = pickLora(ctx, ['character-'], '. Upload to /root/models/loras/');
    const prompt = get(item, 'prompt', null);
    if (!truthy(prompt)) throw new HttpErr(400, 'prompt is required');
    const dims = latentDims(item, 1024, 1024, 'EmptySD3LatentImage');
    const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
    const steps = comfyInt(item, 'steps', 9, 'KSampler', 1, 10000);
    const nsfw = truthy(get(item, 'nsfw', false));
    return still('png', dims, seed, 29, {
      face: lora.character ? ctx.options.characterFace : null,
      headers: { 'x-nsfw-mode': nsfw ? 'true' : 'false' },
      prompt: comfyPrompt({ seed, steps, cfg: 1, ...dims, prompt: str(prompt), model: 'z_image_turbo_bf16.safetensors', lora: lora.file }),
    });
  },
};

function zImageRemoved(path: string, which: 'InstantID' | 'PuLID'): RouteSpec {
  return {
    method: 'POST',
    path,
    docTimeSec: 10,
    errorStyle: 'plain',
    handlerFile: 'handlers/z_image.py',
    async handle(ctx) {
      const { item } = ctx;
      if (!truthy(get(item, 'reference_image', null))) throw new HttpErr(400, `reference_image is required for ${which} workflow`);
      await inputImage(item, 'reference_image', 'png');
      const node = which === 'InstantID' ? 'ApplyInstantID' : 'ApplyPulid';
      throw new PyErr(
        'Exception',
        `Workflow execution failed: {'node_id': '15', 'node_type': '${node}', 'exception_message': 'mat1 and mat2 shapes cannot be multiplied (1x2560 and 2048x3072)', 'exception_type': 'RuntimeError'}`,
        10,
      );
    },
  };
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

function wanT2V(path: string, docTimeSec: number, mode: 't2v' | 'r2v' | 'lora'): RouteSpec {
  return {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/wan26.py',
    async handle(ctx) {
      const { item } = ctx;
      const lora = mode === 'lora' ? pickLora(ctx, ['wan-character-', 'character-'], '') : null;
      requireValue(item, 'prompt');
      if (mode === 'r2v') {
        const refs = get(item, 'reference_videos', null);
        if (!Array.isArray(refs) || refs.length === 0) throw new PyErr('ValueError', 'reference_videos is required (list of 1-3 base64 data URLs)');
        if (refs.length > 3) throw new PyErr('ValueError', `Maximum 3 reference videos allowed, got ${refs.length}`);
        for (const r of refs) decodeDataUrlOrRaw(r);
      }
      const dims = latentDims(item, 832, 480, 'EmptyHunyuanLatentVideo', 16);
      const frames = wanFrames(comfyInt(item, 'length', 33, 'EmptyHunyuanLatentVideo', 1, 16384));
      const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      comfyInt(item, 'steps', 30, 'KSampler', 1, 10000);
      return animated('webp-anim', dims, frames, fps, seed, docTimeSec, { type: 'scene' }, lora?.character ? ctx.options.characterFace : null);
    },
  };
}

function wanI2V(path: string, docTimeSec: number, faceswap: boolean): RouteSpec {
  return {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/wan26.py',
    async handle(ctx) {
      const { item } = ctx;
      if (!truthy(get(item, 'prompt', null))) throw new HttpErr(400, 'prompt is required');
      if (!truthy(get(item, 'reference_image', null))) throw new HttpErr(400, 'reference_image is required (base64 data URL)');
      const faceKey = truthy(get(item, 'face_image', null)) ? 'face_image' : 'reference_face';
      if (faceswap && !truthy(get(item, faceKey, null))) throw new HttpErr(400, 'face_image or reference_face is required (base64 data URL of face to swap in)');
      const src = await inputImage(item, 'reference_image', 'jpg');
      const face = faceswap ? await inputImage(item, faceKey, 'jpg') : null;
      const dims = latentDims(item, 832, 480, 'WanImageToVideo', 16);
      const frames = wanFrames(comfyInt(item, 'length', 33, 'WanImageToVideo', 1, 16384));
      const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      return animated(faceswap ? 'mp4' : 'webp-anim', dims, frames, fps, seed, docTimeSec, { type: 'image', bytes: src.bytes, crop: 'cover' }, face ? face.bytes : null);
    },
  };
}

function wan22(path: string, docTimeSec: number, faceswap: boolean): RouteSpec {
  return {
    method: 'POST',
    path,
    docTimeSec,
    errorStyle: 'plain',
    handlerFile: 'handlers/wan22_i2v.py',
    async handle(ctx) {
      const { item } = ctx;
      if (!truthy(get(item, 'source_image', null))) throw new HttpErr(400, 'source_image is required (base64 data URL)');
      const faceKey = truthy(get(item, 'face_image', null)) ? 'face_image' : 'reference_image';
      if (faceswap && !truthy(get(item, faceKey, null))) throw new HttpErr(400, 'face_image or reference_image is required');
      const src = await inputImage(item, 'source_image', 'jpg');
      const face = faceswap ? await inputImage(item, faceKey, 'jpg') : null;
      const dims = faceswap ? latentDims(item, 832, 480, 'WanVideoImageToVideoEncode', 16) : latentDims(item, 512, 768, 'WanVideoImageToVideoEncode', 16);
      const frames = wanFrames(comfyInt(item, 'num_frames', 33, 'WanVideoImageToVideoEncode', 1, 16384));
      const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
      const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
      // The source is ImageScale'd (lanczos, center crop) to w×h: the first frame is the source.
      return animated(faceswap ? 'mp4' : 'webp-anim', dims, frames, fps, seed, docTimeSec, { type: 'image', bytes: src.bytes, crop: 'cover' }, face ? face.bytes : null);
    },
  };
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

/** Short side = resolution; long side follows the aspect; capped by max_resolution (contracts.md §3.7). */
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

function seedvr2Resolution(item: Record<string, unknown>, key: string, dflt: number): number {
  const raw = get(item, key, dflt);
  if (raw === 'fixed') return 1080;
  if (typeof raw === 'number' && Number.isFinite(raw)) return Math.trunc(raw);
  if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) return Number.parseInt(raw, 10);
  throw new PyErr('ValueError', `invalid literal for int() with base 10: '${str(raw)}'`, 0, `int(item.get("${key}", ${dflt}))`);
}

const seedvr2: RouteSpec = {
  method: 'POST',
  path: '/seedvr2',
  docTimeSec: 208,
  errorStyle: 'try-except-seedvr2',
  handlerFile: 'handlers/seedvr2.py',
  async handle(ctx) {
    const { item } = ctx;
    const image = get(item, 'image', null);
    if (!truthy(image)) throw new PyErr('ValueError', "Missing 'image' field in request. Provide base64-encoded image.", 0, 'raise ValueError(...)');
    const text = str(image);
    const bytes = pyB64decode(text.includes(',') ? text.slice(text.indexOf(',') + 1) : text);
    const src = await openImage(bytes, 'seedvr2_input.png');
    const resolution = seedvr2Resolution(item, 'resolution', 1080);
    const maxRes = seedvr2Resolution(item, 'max_resolution', 4000);
    if (resolution < 16) throw comfyValidation('SeedVR2VideoUpscaler', `Value ${resolution} smaller than min of 16: resolution`);
    const target = seedvr2Dims(src.width, src.height, resolution, maxRes);
    const dims = checkedDims(target.width, target.height);
    const seed = seedParam(item, 4105349922, ctx, 2 ** 32 - 1);
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
};

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

const diagnosticsNodes: RouteSpec = {
  method: 'GET',
  path: '/diagnostics/nodes',
  docTimeSec: 0,
  errorStyle: 'plain',
  handlerFile: 'app.py',
  async handle() {
    const nodes = ['KSampler', 'CheckpointLoaderSimple', 'LoadImage', 'SaveImage', 'ApplyInstantID', 'InstantIDFaceAnalysis', 'LoadFluxIPAdapter', 'ApplyFluxIPAdapter', 'SeedVR2VideoUpscaler', 'ZImageLoader', 'ZImageSampler'];
    return { type: 'json', status: 200, json: { available: true, node_count: nodes.length, nodes }, execSec: 0 };
  },
};

// ---------------------------------------------------------------------------------------------
// the apps (contracts.md §1)

const fluxRoutes = (): RouteSpec[] => [
  fluxT2I('/flux', 29, 4, 'flux1-schnell-fp8.safetensors'),
  fluxT2I('/flux-dev', 37, 20, 'flux1-dev.safetensors'),
  fluxLoraRoute('/flux-dev-lora', 60, 'handlers/flux.py', '. Train it first using the LoRA training endpoint.'),
  fluxDevRealism,
];

const zImageRoutes = (): RouteSpec[] => [
  zImageT2I('/z-image-simple', 51, 4, () => ({})),
  zImageT2I('/z-image-danrisi', 6, 8, () => ({})),
  zImageLora,
  zImageT2I('/z-image-realism', 29, 9, (item) => ({ 'x-style': str(get(item, 'style', 'snapshot')) }), (item) => Z_STYLES[str(get(item, 'style', 'snapshot'))] ?? Z_STYLES.snapshot),
  zImageT2I('/z-image-nsfw', 29, 9, () => ({ 'x-nsfw-mode': 'true' })),
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

/** Cold starts from contracts.md §2.7 (documented; 2–5 min generic where nothing specific exists). */
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
 * live set + wan22-i2v). ryla-qwen-edit and ryla-lora are "unknown" in contracts.md §1 and
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
    app('ryla-lora', [fluxLoraRoute('/flux-lora', 60, 'handlers/lora.py', '. Train it first using the LoRA training endpoint.'), lorasRoute(false, 'handlers/lora.py')]),
    app('ryla-wan2', [wan2]),
    app(
      'ryla-comfyui',
      [...fluxRoutes(), sdxlInstantid, fluxInstantid, fluxIpadapter, fluxLoraRoute('/flux-lora', 60, 'handlers/lora.py', '. Train it first using the LoRA training endpoint.'), wan2, seedvr2, workflowRoute, ...zImageRoutes(), diagnosticsNodes],
      { health: null, cors: false, globalErrorAddsPath: true },
    ),
  ];
  for (const a of apps) if (deployed[a.name] !== undefined) a.deployed = deployed[a.name]!;
  return apps;
}

/** Routes the fleet's own TS client and docs still name but no handler defines (→ 404 Not Found). */
export const PHANTOM_ROUTES = ['/sdxl-turbo', '/sdxl-lightning', '/qwen-faceswap', '/qwen-faceswap-fast', '/qwen-character-scene'];

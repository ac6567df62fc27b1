/**
 * What ComfyUI does with the values a handler puts into its workflow: INT/FLOAT widget validation
 * (the texts of ComfyUI's /prompt refusal), latent sizes, seeds, fps, Wan's 4k+1 frame lengths, and
 * the API prompt a PNG output carries.
 */
import { type ComfyFailure, comfyQueueRefused, PyErr } from '../pyerrors.ts';
import { get, has, str } from './python.ts';
import type { RouteCtx } from './types.ts';

/** ComfyUI's INT widget validation: int(value), then min/max (docs/fleet.md §0.8: no other checks). */
export function comfyInt(item: Record<string, unknown>, key: string, dflt: number, node: string, min = -Infinity, max = Infinity): number {
  const raw = get(item, key, dflt);
  let n: number;
  if (typeof raw === 'number' && Number.isFinite(raw)) n = Math.trunc(raw);
  else if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) n = Number.parseInt(raw, 10);
  else throw comfyValidation(node, `Failed to convert an input value to a INT value: ${key}, ${str(raw)}, invalid literal for int() with base 10: '${str(raw)}'`);
  if (n < min) throw comfyValidation(node, `Value ${n} smaller than min of ${min}: ${key}`);
  if (n > max) throw comfyValidation(node, `Value ${n} bigger than max of ${max}: ${key}`);
  return n;
}

export function comfyFloat(item: Record<string, unknown>, key: string, dflt: number, node: string): number {
  const raw = get(item, key, dflt);
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n)) throw comfyValidation(node, `Failed to convert an input value to a FLOAT value: ${key}, ${str(raw)}, could not convert string to float: '${str(raw)}'`);
  return n;
}

/** ComfyUI's /prompt refuses a widget value (its validation texts; ComfyUI's, not the fleet's). */
export function comfyValidation(node: string, message: string): ComfyFailure {
  return comfyQueueRefused('3', node, 'invalid_input', 'Invalid input', message);
}

const MAX_PIXELS = 4096 * 4096;

/** Latent-based dims: ComfyUI latents are width/8 × height/8; huge sizes run out of GPU memory. */
export function latentDims(item: Record<string, unknown>, dw: number, dh: number, node: string, multiple = 8): { width: number; height: number } {
  const w = comfyInt(item, 'width', dw, node, 16, 16384);
  const h = comfyInt(item, 'height', dh, node, 16, 16384);
  return checkedDims(Math.floor(w / multiple) * multiple, Math.floor(h / multiple) * multiple);
}

/** A size the GPU holds; larger → CUDA out of memory. */
export function checkedDims(width: number, height: number): { width: number; height: number } {
  if (width * height > MAX_PIXELS) {
    // invented: the CUDA OOM wording (PyTorch's, for a latent this size; the fleet has no size checks).
    throw new PyErr('OutOfMemoryError', `CUDA out of memory. Tried to allocate ${((width * height * 64) / 2 ** 30).toFixed(2)} GiB. GPU 0 has a total capacity of 44.39 GiB`, 20);
  }
  return { width, height };
}

/** `seed`: absent → `dflt` (or a random one), null → random where the default is random, else a KSampler INT. */
export function seedParam(item: Record<string, unknown>, dflt: number | 'random', ctx: RouteCtx, randomMax: number): number {
  if (!has(item, 'seed') || item.seed === null) {
    if (dflt === 'random') return ctx.randomSeed(randomMax);
    if (!has(item, 'seed')) return dflt;
  }
  return comfyInt(item, 'seed', typeof dflt === 'number' ? dflt : 0, 'KSampler', 0, 2 ** 64 - 1);
}

/** `fps`: 0 divides by zero in the handler (`int(1000 / fps)`), a negative one is refused by the save node. */
export function fpsParam(item: Record<string, unknown>, dflt: number, node: string): number {
  const fps = comfyFloat(item, 'fps', dflt, node);
  if (fps === 0) throw new PyErr('ZeroDivisionError', 'division by zero', 0, 'duration = int(1000 / fps)');
  if (fps < 0) throw comfyValidation(node, `Value ${fps} smaller than min of 1: fps`);
  return fps;
}

/** Wan latents are 4k+1 frames long (temporal ×4): `length` 33 → 33, 34 → 33. */
export function wanFrames(length: number): number {
  return Math.max(1, Math.floor((length - 1) / 4) * 4 + 1);
}

/** The ComfyUI API prompt a PNG output embeds (`tEXt prompt`): a text-to-image graph with the route's values. */
export function comfyPrompt(p: {
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

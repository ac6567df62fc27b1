/** ryla-seedvr2 — apps/modal/handlers/seedvr2.py: SeedVR2 upscaling of one image. */
import { PyErr } from '../pyerrors.ts';
import { appSpec, handlerRoutes, still } from './builders.ts';
import { checkedDims, comfyInt, comfyValidation } from './comfy.ts';
import { openDecoded } from './inputs.ts';
import { get, strField, truthy } from './python.ts';
import type { AppSpec } from './types.ts';

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
function seedvr2IntParam(raw: unknown, fallback: number): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.toLowerCase() === 'fixed') return fallback;
  return /^\s*[+-]?\d+(_\d+)*\s*$/.test(raw) ? Number.parseInt(raw.replace(/_/g, ''), 10) : fallback;
}

/** `key` as it reaches SeedVR2VideoUpscaler: the handler's int() rule, then ComfyUI's INT widget. */
function seedvr2Param(item: Record<string, unknown>, key: string, fallback: number): number {
  return comfyInt({ [key]: seedvr2IntParam(get(item, key, fallback), fallback) }, key, 0, 'SeedVR2VideoUpscaler');
}

/**
 * seedvr2.py `_seedvr2_impl` (:29-317) under the route's try/except (:334-376): missing image is a
 * ValueError (→ 500), an unreadable one `ValueError("Invalid image format: …")`, ComfyUI failures the
 * combined "SeedVR2 execution failed (API: …, Infer: …)"; status by seedvr2's own text search.
 */
export const seedvr2 = handlerRoutes({ handlerFile: 'handlers/seedvr2.py', via: 'seedvr2', errorStyle: 'try-except-seedvr2' })('/seedvr2', 208, async (item) => {
  const image = get(item, 'image', null);
  if (!truthy(image)) throw new PyErr('ValueError', "Missing 'image' field in request. Provide base64-encoded image.", 0, 'raise ValueError(...)');
  const src = await openDecoded(strField(image, 'split'), 'seedvr2_input.png');
  const resolution = seedvr2Param(item, 'resolution', 1080);
  const seed = seedvr2Param(item, 'seed', 4105349922);
  const maxRes = seedvr2Param(item, 'max_resolution', 4000);
  seedvr2Param(item, 'max_resolution_2', 4000);
  if (resolution < 16) throw comfyValidation('SeedVR2VideoUpscaler', `Value ${resolution} smaller than min of 16: resolution`);
  const target = seedvr2Dims(src.width, src.height, resolution, maxRes);
  return still('png', checkedDims(target.width, target.height), seed, 208, {
    contentType: 'image/png',
    base: { type: 'image', bytes: src.bytes, crop: 'fill' },
    prompt: {
      '1': { inputs: { image: 'seedvr2_input.png' }, class_type: 'LoadImage' },
      '2': { inputs: { model: 'seedvr2_ema_7b_fp16.safetensors', blocks_to_swap: 35 }, class_type: 'SeedVR2LoadDiTModel' },
      '3': { inputs: { seed, resolution, max_resolution: maxRes, color_correction: 'lab', image: ['1', 0] }, class_type: 'SeedVR2VideoUpscaler' },
      '4': { inputs: { filename_prefix: 'seedvr2', images: ['3', 0] }, class_type: 'SaveImage' },
    },
  });
});

/** `FastAPI(...)` at apps/modal/apps/seedvr2/app.py:89. */
const FASTAPI = { title: 'RYLA SeedVR2 API', description: 'SeedVR2 realistic upscaling' };

export const seedvr2App = (): AppSpec => appSpec('ryla-seedvr2', FASTAPI, [seedvr2]);

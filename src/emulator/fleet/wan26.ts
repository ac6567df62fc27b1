/**
 * ryla-wan26 — apps/modal/handlers/wan26.py: text-to-video, reference-to-video, LoRA, image-to-video
 * and image-to-video with a delegated face swap.
 */
import { decodeDataUrlOrRaw, pyTypeName } from '../media.ts';
import { HttpErr, PyErr } from '../pyerrors.ts';
import { animated, appSpec, handlerRoutes } from './builders.ts';
import { comfyInt } from './comfy.ts';
import { inputImage } from './inputs.ts';
import { LORA_LOOKUPS, pickLora } from './installed-loras.ts';
import { get, has, requirePresent, requireValue, strField, truthy } from './python.ts';
import type { AppSpec, RouteSpec } from './types.ts';
import { imageToVideoPlan, wanVideoParams } from './wan-video.ts';

const route = handlerRoutes({ handlerFile: 'handlers/wan26.py', via: 'infer' });

/** Each reference video is saved (decoded) before the workflow builder counts them (wan26.py:812-815, :274-278). */
function checkReferenceVideos(item: Record<string, unknown>): void {
  const refs = get(item, 'reference_videos', []);
  if (!truthy(refs)) throw new PyErr('ValueError', 'reference_videos is required (list of base64 video data URLs)');
  if (!Array.isArray(refs)) throw new PyErr('AttributeError', `'${pyTypeName(refs)}' object has no attribute 'startswith'`);
  for (const r of refs) decodeDataUrlOrRaw(strField(r, 'startswith'));
  if (refs.length > 3) throw new PyErr('ValueError', 'Maximum 3 reference videos supported for R2V');
}

/** wan26.py `_wan26_impl` (:718-778), `_wan26_r2v_impl` (:780-852), `_wan26_lora_impl` (:986-1110). */
function wanT2V(path: string, docTimeSec: number, mode: 't2v' | 'r2v' | 'lora'): RouteSpec {
  return route(path, docTimeSec, async (item, ctx) => {
    const lora = mode === 'lora' ? pickLora(ctx, LORA_LOOKUPS.wan) : null;
    requireValue(item, 'prompt');
    if (mode === 'r2v') checkReferenceVideos(item);
    const video = wanVideoParams(item, ctx, { width: 832, height: 480, node: 'EmptyHunyuanLatentVideo' });
    comfyInt(item, 'steps', 30, 'KSampler', 1, 10000);
    return animated('webp-anim', video.dims, video.frames, video.fps, video.seed, docTimeSec, { type: 'scene' }, lora?.character ? ctx.options.characterFace : null);
  });
}

/**
 * wan26.py `_wan26_i2v_impl` (:854-933): key presence of prompt and reference_image (:865-868), so
 * empty values get past it. The faceswap route (:935-984) first tests face_image/reference_face
 * presence (:940), takes `item.get("face_image") or item.get("reference_face")`, runs the I2V phase,
 * then delegates the swap.
 */
function wanI2V(path: string, docTimeSec: number, faceswap: boolean): RouteSpec {
  return route(path, docTimeSec, async (item, ctx) => {
    if (faceswap && !has(item, 'face_image') && !has(item, 'reference_face')) {
      throw new HttpErr(400, 'face_image or reference_face is required (base64 data URL of face to swap in)');
    }
    requirePresent(item, 'prompt', 'prompt is required');
    requirePresent(item, 'reference_image', 'reference_image is required (base64 data URL)');
    const src = await inputImage(item, 'reference_image', 'jpg');
    const video = wanVideoParams(item, ctx, { width: 832, height: 480, node: 'WanImageToVideo' });
    return imageToVideoPlan(item, src, video, docTimeSec, faceswap ? { otherKey: 'reference_face', firstPhaseSec: 35 } : null);
  });
}

/** `FastAPI(...)` at apps/modal/apps/wan26/app.py:126. */
const FASTAPI = { title: 'RYLA Wan2.6 API', description: 'Wan 2.6 text-to-video generation with R2V character consistency' };

export const wan26App = (): AppSpec =>
  appSpec('ryla-wan26', FASTAPI, [
    wanT2V('/wan2.6', 35, 't2v'),
    wanT2V('/wan2.6-r2v', 35, 'r2v'),
    wanI2V('/wan2.6-i2v', 35, false),
    wanI2V('/wan2.6-i2v-faceswap', 160, true),
    wanT2V('/wan2.6-lora', 47, 'lora'),
  ]);

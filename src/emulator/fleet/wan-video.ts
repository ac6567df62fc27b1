/**
 * What the Wan routes share (wan26.py, wan22_i2v.py, wan2.py): the workflow's size, length, fps and
 * seed, and the image-to-video routes' plan with the optional delegated face swap (the Wan apps
 * call ryla-qwen-image's /batch-video-faceswap for it).
 */
import type { ImageInfo } from '../media.ts';
import { HttpErr, PyErr, traceback } from '../pyerrors.ts';
import { animated } from './builders.ts';
import { fpsParam, latentDims, comfyInt, seedParam, wanFrames } from './comfy.ts';
import { inputImage } from './inputs.ts';
import { truthy } from './python.ts';
import type { Plan, RouteCtx } from './types.ts';

export interface WanVideoParams {
  dims: { width: number; height: number };
  frames: number;
  fps: number;
  seed: number;
}

/**
 * Size, length, fps and seed of a Wan workflow, read in this order by every Wan route (wan26.py,
 * wan22_i2v.py, wan2.py): `node` is the latent node that validates size and length.
 */
export function wanVideoParams(
  item: Record<string, unknown>,
  ctx: RouteCtx,
  p: { width: number; height: number; node: string; lengthKey?: 'length' | 'num_frames'; seed?: number },
): WanVideoParams {
  const dims = latentDims(item, p.width, p.height, p.node, 16);
  const frames = wanFrames(comfyInt(item, p.lengthKey ?? 'length', 33, p.node, 1, 16384));
  const fps = fpsParam(item, 16, 'SaveAnimatedWEBP');
  const seed = seedParam(item, p.seed ?? 'random', ctx, 2 ** 32 - 1);
  return { dims, frames, fps, seed };
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

/** The face the delegated swap receives; unreadable → the 502 of the delegation, after the first phase. */
async function delegatedFace(item: Record<string, unknown>, key: string, firstPhaseSec: number): Promise<ImageInfo> {
  try {
    return await inputImage({ reference_image: item[key] ?? null }, 'reference_image', 'jpg');
  } catch (e) {
    if (e instanceof PyErr) throw delegatedSwapFailed(e, firstPhaseSec);
    throw e;
  }
}

/** The faceswap variant's delegation: the face field (`face_image`, else `otherKey`) and the seconds of the I2V phase before it. */
export interface DelegatedSwap {
  otherKey: string;
  firstPhaseSec: number;
}

/**
 * An image-to-video plan: the source is scaled (lanczos, centre crop) to the video size, so the first
 * frame is the source; with `swap`, the face is read after the I2V phase and the result is MP4.
 */
export async function imageToVideoPlan(item: Record<string, unknown>, src: ImageInfo, video: WanVideoParams, docTimeSec: number, swap: DelegatedSwap | null): Promise<Plan> {
  const face = swap ? await delegatedFace(item, truthy(item.face_image) ? 'face_image' : swap.otherKey, swap.firstPhaseSec) : null;
  return animated(swap ? 'mp4' : 'webp-anim', video.dims, video.frames, video.fps, video.seed, docTimeSec, { type: 'image', bytes: src.bytes, crop: 'cover' }, face ? face.bytes : null);
}

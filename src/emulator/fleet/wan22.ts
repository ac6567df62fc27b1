/** ryla-wan22-i2v — apps/modal/handlers/wan22_i2v.py: image-to-video (GGUF on an A100), with and without a delegated face swap. */
import { HttpErr } from '../pyerrors.ts';
import { appSpec, handlerRoutes } from './builders.ts';
import { inputImage } from './inputs.ts';
import { has, requirePresent } from './python.ts';
import type { AppSpec, RouteSpec } from './types.ts';
import { imageToVideoPlan, wanVideoParams } from './wan-video.ts';

const route = handlerRoutes({ handlerFile: 'handlers/wan22_i2v.py', via: 'infer' });

/**
 * wan22_i2v.py `_wan22_i2v_impl` (:323-400) and `_wan22_i2v_faceswap_impl` (:402-511): key presence
 * (:336, :418-421); the faceswap route's source_image detail has no "(base64 data URL)".
 */
function wan22(path: string, docTimeSec: number, faceswap: boolean): RouteSpec {
  return route(path, docTimeSec, async (item, ctx) => {
    requirePresent(item, 'source_image', faceswap ? 'source_image is required' : 'source_image is required (base64 data URL)');
    if (faceswap && !has(item, 'face_image') && !has(item, 'reference_image')) throw new HttpErr(400, 'face_image or reference_image is required');
    const src = await inputImage(item, 'source_image', 'jpg');
    const size = faceswap ? { width: 832, height: 480 } : { width: 512, height: 768 };
    const video = wanVideoParams(item, ctx, { ...size, node: 'WanVideoImageToVideoEncode', lengthKey: 'num_frames' });
    return imageToVideoPlan(item, src, video, docTimeSec, faceswap ? { otherKey: 'reference_image', firstPhaseSec: 240 } : null);
  });
}

/** `FastAPI(...)` at apps/modal/apps/wan22-i2v/app.py:93. */
const FASTAPI = { title: 'RYLA WAN 2.2 I2V API', description: 'WAN 2.2 image-to-video generation with GGUF models and face swap' };

export const wan22App = (): AppSpec =>
  appSpec('ryla-wan22-i2v', FASTAPI, [wan22('/wan22-i2v', 240, false), wan22('/wan22-i2v-faceswap', 425, true)], {
    gpu: 'A100-80GB',
    maxInputs: 3,
    health: { status: 'healthy', app: 'ryla-wan22-i2v', version: 'v2' },
  });

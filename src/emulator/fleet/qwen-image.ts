/**
 * ryla-qwen-image — apps/modal/handlers/qwen_image.py (text-to-image, LoRA, image/video face swaps)
 * and qwen_edit.py (edit, inpaint), which ryla-qwen-edit also serves.
 */
import type { ImageInfo } from '../media.ts';
import { PyErr } from '../pyerrors.ts';
import { animated, appSpec, handlerRoutes, still } from './builders.ts';
import { checkedDims, comfyFloat, comfyInt, comfyPrompt, fpsParam, latentDims, seedParam } from './comfy.ts';
import { inputImage, inputVideo } from './inputs.ts';
import { LORA_LOOKUPS, pickLora } from './installed-loras.ts';
import { get, requirePresent, requireValue, str } from './python.ts';
import type { AppSpec, RouteSpec } from './types.ts';

const qwenRoute = handlerRoutes({ handlerFile: 'handlers/qwen_image.py', via: 'infer' });
/** The face-swap routes poll ComfyUI themselves and word their own failures. */
const swapRoute = handlerRoutes({ handlerFile: 'handlers/qwen_image.py' });
const editRoute = handlerRoutes({ handlerFile: 'handlers/qwen_edit.py' });

/** qwen_image.py:36-44 `ASPECT_RATIOS`, written `ratio=width×height`. */
export const QWEN_ASPECT_RATIOS: Readonly<Record<string, readonly [number, number]>> = Object.fromEntries(
  '1:1=1328x1328 16:9=1664x928 9:16=928x1664 4:3=1472x1104 3:4=1104x1472 3:2=1584x1056 2:3=1056x1584'.split(' ').map((entry) => {
    const [ratio, size] = entry.split('=') as [string, string];
    const [width, height] = size.split('x').map(Number) as [number, number];
    return [ratio, [width, height] as const];
  }),
);

/** qwen_image.py:581-589: a known `aspect_ratio` wins over width/height. */
function qwenDims(item: Record<string, unknown>): { width: number; height: number } {
  const ratio = get(item, 'aspect_ratio', null);
  const fromTable = typeof ratio === 'string' ? QWEN_ASPECT_RATIOS[ratio] : undefined;
  return fromTable ? checkedDims(fromTable[0], fromTable[1]) : latentDims(item, 1328, 1328, 'EmptySD3LatentImage');
}

function qwenT2I(path: string, docTimeSec: number, steps: number, cfg: number, lora: boolean): RouteSpec {
  return qwenRoute(path, docTimeSec, async (item, ctx) => {
    const pick = lora ? pickLora(ctx, LORA_LOOKUPS.qwen) : null;
    const prompt = str(get(item, 'prompt', 'A beautiful woman'));
    const dims = qwenDims(item);
    const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
    const s = comfyInt(item, 'steps', steps, 'KSampler', 1, 10000);
    const c = comfyFloat(item, 'cfg', cfg, 'KSampler');
    return still('png', dims, seed, docTimeSec, {
      face: pick?.character ? ctx.options.characterFace : null,
      prompt: comfyPrompt({ seed, steps: s, cfg: c, ...dims, prompt, model: 'qwen_image_2512_fp8_e4m3fn.safetensors', lora: pick?.file }),
    });
  });
}

const qwenEdit = editRoute('/qwen-image-edit-2511', 54, async (item, ctx) => {
  requireValue(item, 'source_image', 'source_image is required (base64 data URL)');
  const instruction = str(requireValue(item, 'instruction', 'instruction is required (editing instruction)'));
  const src = await inputImage(item, 'source_image', 'png');
  const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
  const steps = comfyInt(item, 'steps', 50, 'KSampler', 1, 10000);
  const dims = checkedDims(src.width, src.height);
  return still('png', dims, seed, 54, {
    base: { type: 'image', bytes: src.bytes, crop: 'fill' },
    prompt: comfyPrompt({ seed, steps, cfg: 4, ...dims, prompt: instruction, model: 'qwen_image_edit_2511_bf16.safetensors', loadImage: 'source.png', save: 'PreviewImage' }),
  });
});

const qwenInpaint = editRoute('/qwen-image-inpaint-2511', 53, async (item, ctx) => {
  requireValue(item, 'source_image', 'source_image is required (base64 data URL)');
  requireValue(item, 'mask_image', 'mask_image is required (base64 data URL, white = edit area)');
  requireValue(item, 'prompt', 'prompt is required (what to inpaint)');
  const src = await inputImage(item, 'source_image', 'png');
  await inputImage(item, 'mask_image', 'png');
  const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
  comfyInt(item, 'steps', 50, 'KSampler', 1, 10000);
  // Instruction edit + PIL mask composite, re-encoded as real JPEG q95 (docs/fleet.md §0.2).
  return still('jpeg', checkedDims(src.width, src.height), seed, 53, { base: { type: 'image', bytes: src.bytes, crop: 'fill' } });
});

/** The ReActor graph `_image_faceswap_impl` queues. */
const IMAGE_FACESWAP_PROMPT = {
  '1': { inputs: { image: 'source.jpg' }, class_type: 'LoadImage' },
  '2': { inputs: { image: 'face.jpg' }, class_type: 'LoadImage' },
  '3': { inputs: { enabled: true, swap_model: 'inswapper_128.onnx', facedetection: 'retinaface_resnet50', face_restore_model: 'GFPGANv1.4.pth', input_image: ['1', 0], source_image: ['2', 0] }, class_type: 'ReActorFaceSwap' },
  '4': { inputs: { filename_prefix: 'faceswap', images: ['3', 0] }, class_type: 'SaveImage' },
};

/** Key presence (`"source_image" not in item`): an empty string gets past it and fails later as an unreadable image (_image_faceswap_impl). */
const imageFaceswap = swapRoute('/image-faceswap', 10, async (item) => {
  requirePresent(item, 'source_image', 'source_image is required (base64 data URL)');
  requirePresent(item, 'reference_image', 'reference_image is required (base64 data URL)');
  const src = await inputImage(item, 'source_image', 'jpg');
  const ref = await inputImage(item, 'reference_image', 'jpg');
  return still('png', checkedDims(src.width, src.height), 0, 10, { base: { type: 'image', bytes: src.bytes, crop: 'fill' }, face: ref.bytes, prompt: IMAGE_FACESWAP_PROMPT });
});

const MAX_VIDEO_FRAMES = 600;

/**
 * Key presence (qwen_image.py:797-800). The route has no try/except, so every failure reaches the
 * app's global handler ({"error","details","type"}). VHS_LoadVideo cannot read WebP/garbage and
 * ReActor cannot read an unreadable face, but the handler never inspects ComfyUI errors: it polls
 * history for outputs until its 600 s budget is spent (qwen_image.py:856-874).
 */
const videoFaceswap = swapRoute('/video-faceswap', 85, async (item) => {
  requirePresent(item, 'source_video', 'source_video is required (base64 data URL)');
  requirePresent(item, 'reference_image', 'reference_image is required (base64 data URL)');
  const video = await inputVideo(item, 'source_video');
  const fps = fpsParam(item, 30, 'VHS_LoadVideo');
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
});

/** Key presence, as in _batch_video_faceswap_impl; the fps is read before the video. */
const batchVideoFaceswap = swapRoute('/batch-video-faceswap', 90, async (item) => {
  requirePresent(item, 'source_video', 'source_video is required (base64 data URL)');
  requirePresent(item, 'reference_image', 'reference_image is required (base64 data URL)');
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
  const base = { type: 'video', bytes: video.bytes, info: video.info, fps: video.info.container === 'webp' ? undefined : fps } as const;
  return animated('mp4', checkedDims(video.info.width, video.info.height), Math.min(frames, MAX_VIDEO_FRAMES), fps, 0, execSec, base, ref.bytes);
});

/** `FastAPI(...)` at apps/modal/apps/qwen-image/app.py:131. */
const FASTAPI = { title: 'RYLA Qwen-Image API', description: 'Qwen Image 2512 hyper-realistic text-to-image generation' };

export const qwenImageApp = (): AppSpec =>
  appSpec('ryla-qwen-image', FASTAPI, [
    qwenT2I('/qwen-image-2512', 103, 50, 4.0, false),
    qwenT2I('/qwen-image-2512-fast', 73, 4, 1.0, false),
    qwenT2I('/qwen-image-2512-lora', 143, 50, 4.0, true),
    videoFaceswap,
    imageFaceswap,
    batchVideoFaceswap,
    qwenEdit,
    qwenInpaint,
  ]);

/** `FastAPI(...)` at apps/modal/apps/qwen-edit/app.py:88. */
const QWEN_EDIT_FASTAPI = { title: 'RYLA Qwen-Edit API', description: 'Qwen Image Edit 2511 instruction-based image editing' };

/** ryla-qwen-edit (apps/modal/apps/qwen-edit/app.py): the same qwen_edit.py routes on their own app. */
export const qwenEditApp = (): AppSpec => appSpec('ryla-qwen-edit', QWEN_EDIT_FASTAPI, [qwenEdit, qwenInpaint]);

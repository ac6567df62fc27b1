/** ryla-z-image — apps/modal/handlers/z_image.py: Z-Image-Turbo text-to-image (diffusers and ComfyUI pipelines), LoRA, and the routes that fail by design. */
import { comfyExecutionFailed, HttpErr } from '../pyerrors.ts';
import { appSpec, handlerRoutes, still } from './builders.ts';
import { comfyFloat, comfyInt, comfyPrompt, latentDims, seedParam } from './comfy.ts';
import { inputImage } from './inputs.ts';
import { LORA_LOOKUPS, pickLora } from './installed-loras.ts';
import { get, promptText, pyStr, requirePresent, strField, truthy } from './python.ts';
import type { AppSpec, Plan, RouteCtx, RouteSpec } from './types.ts';

const route = handlerRoutes({ handlerFile: 'handlers/z_image.py', via: 'infer' });

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
  return route(path, docTimeSec, async (item, ctx) => zImageDiffusersPlan(ctx, item, docTimeSec, steps, {}));
}

/** z_image.py:1186-1191, verbatim. */
export const Z_STYLES: Record<string, string> = {
  instagram: 'instagram style photo, social media aesthetic, vibrant colors, perfect lighting',
  cinematic: 'cinematic film still, kodak portra 400, anamorphic lens, dramatic lighting',
  candid: 'candid instax polaroid photo, natural moment, soft colors, authentic',
  snapshot: 'realistic snapshot, RAW photo, professional photography, photorealistic',
};

/** `if not item.get("negative_prompt"): item["negative_prompt"] = …` on a copy of the body. */
function withNegative(item: Record<string, unknown>, negative: string): Record<string, unknown> {
  return truthy(item.negative_prompt) ? item : { ...item, negative_prompt: negative };
}

/**
 * z_image.py:1168-1215: `style` lower-cased (unknown → the snapshot prefix, but X-Style echoes the
 * lower-cased value), `prompt` optional (`f"{prefix}, {item.get('prompt', '')}"`), a default negative
 * prompt, then the *simple* pipeline; X-Style is set after the copy loop, so it reaches the client.
 */
const zImageRealism = route('/z-image-realism', 51 /* the /z-image-simple pipeline */, async (sent, ctx) => {
  const style = strField(get(sent, 'style', 'snapshot'), 'lower').toLowerCase();
  const prefix = Z_STYLES[style] ?? Z_STYLES.snapshot;
  const item = withNegative({ ...sent, prompt: `${prefix}, ${pyStr(get(sent, 'prompt', ''))}` }, 'ugly, deformed, cartoon, anime, blurry, low quality, artificial, CGI');
  return zImageDiffusersPlan(ctx, item, 51, 4, { 'x-style': style });
});

/** z_image.py:1217-1248: the simple pipeline (prompt required), minimal negative, `X-NSFW-Mode: true`. */
const zImageNsfw = route('/z-image-nsfw', 51 /* the /z-image-simple pipeline */, async (sent, ctx) =>
  zImageDiffusersPlan(ctx, withNegative({ ...sent }, 'ugly, deformed, blurry, low quality'), 51, 4, { 'x-nsfw-mode': 'true' }),
);

/**
 * z_image.py:980-1047: LoRA (presence, lora_name wins), then `"prompt" not in item` → 400 (key
 * presence: an empty prompt passes), `X-NSFW-Mode: str(nsfw).lower()` after the copy loop.
 */
const zImageLora = route('/z-image-lora', 29, async (item, ctx) => {
  const nsfw = get(item, 'nsfw', false);
  const lora = pickLora(ctx, LORA_LOOKUPS.zImage);
  requirePresent(item, 'prompt', 'prompt is required');
  const dims = latentDims(item, 1024, 1024, 'EmptySD3LatentImage');
  const seed = seedParam(item, 'random', ctx, 2 ** 32 - 1);
  const steps = comfyInt(item, 'steps', 9, 'KSampler', 1, 10000);
  return still('png', dims, seed, 29, {
    face: lora.character ? ctx.options.characterFace : null,
    headers: { 'x-nsfw-mode': pyStr(nsfw).toLowerCase() },
    prompt: comfyPrompt({ seed, steps, cfg: 1, ...dims, prompt: pyStr(item.prompt), model: 'z_image_turbo_bf16.safetensors', lora: lora.file }),
  });
});

/**
 * `/z-image-instantid`, `/z-image-pulid` (z_image.py:866-920): key presence of reference_image
 * (:868, :896), the reference saved (data URL or raw base64), `item["prompt"]` read while building
 * the workflow, then ComfyUI fails (the Z-Image encoder is incompatible with these nodes) and the
 * infer path's `comfy run` fallback words it.
 */
function zImageRemoved(path: string, which: 'InstantID' | 'PuLID'): RouteSpec {
  return route(path, 10, async (item) => {
    requirePresent(item, 'reference_image', `reference_image is required for ${which} workflow`);
    await inputImage(item, 'reference_image', 'png');
    promptText(item);
    const node = which === 'InstantID' ? 'ApplyInstantID' : 'ApplyPulid';
    // invented: the shapes in the RuntimeError (the fleet's docs only say "encoder incompatible").
    throw comfyExecutionFailed('15', node, 'RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x2560 and 2048x3072)', 10);
  });
}

const zImagePulidLora = handlerRoutes({ handlerFile: 'handlers/z_image.py' })('/z-image-pulid-lora', 0, async () => {
  throw new HttpErr(501, {
    error: 'Z-Image uses diffusers pipeline - ComfyUI LoRAs not supported',
    alternatives: ['Use /z-image-lora for LoRA generation with ComfyUI nodes', 'Use /flux-pulid for face consistency', 'Use /flux-dev-lora with a trained character LoRA'],
  });
});

/** The z_image.py routes (the ryla-comfyui monolith serves them too). */
export const zImageRoutes = (): RouteSpec[] => [
  zImageT2I('/z-image-simple', 51, 4),
  zImageT2I('/z-image-danrisi', 6, 8),
  zImageLora,
  zImageRealism,
  zImageNsfw,
  zImageRemoved('/z-image-instantid', 'InstantID'),
  zImageRemoved('/z-image-pulid', 'PuLID'),
  zImagePulidLora,
];

/** `FastAPI(...)` at apps/modal/apps/z-image/app.py:83. */
const FASTAPI = { title: 'RYLA Z-Image API', description: 'Z-Image-Turbo text-to-image generation' };

export const zImageApp = (): AppSpec => appSpec('ryla-z-image', FASTAPI, zImageRoutes());

/**
 * ryla-flux — apps/modal/handlers/flux.py (text-to-image, LoRA, realism) and apps/modal/apps/flux/app.py
 * (`/loras`, `/debug/test`).
 */
import { appSpec, handlerRoutes, jsonPlan, still } from './builders.ts';
import { comfyFloat, comfyInt, comfyPrompt, latentDims, seedParam } from './comfy.ts';
import { LORA_LOOKUPS, lorasRoute, pickLora, type LoraLookup } from './installed-loras.ts';
import { get, promptText, pyStr, strField, truthy } from './python.ts';
import type { AppSpec, Plan, RouteCtx, RouteSpec } from './types.ts';

const route = handlerRoutes({ handlerFile: 'handlers/flux.py', via: 'infer' });

function fluxT2I(path: string, docTimeSec: number, steps: number, model: string): RouteSpec {
  return route(path, docTimeSec, async (item, ctx) => {
    const prompt = promptText(item);
    const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
    const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
    const s = comfyInt(item, 'steps', steps, 'KSampler', 1, 10000);
    const cfg = comfyFloat(item, 'cfg', 1.0, 'KSampler');
    return still('png', dims, seed, docTimeSec, { prompt: comfyPrompt({ seed, steps: s, cfg, ...dims, prompt, model }) });
  });
}

/**
 * flux.py `_flux_dev_lora_impl` (:388-438, run through infer.local) and lora.py `_flux_lora_impl`
 * (:127-190, execute_workflow_via_api): LoRA first, then the workflow reads `item["prompt"]`.
 */
export async function fluxLoraPlan(ctx: RouteCtx, item: Record<string, unknown>, lookup: LoraLookup, docTimeSec: number, headers: Record<string, string> = {}): Promise<Plan> {
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

const fluxDevLora = route('/flux-dev-lora', 60, (item, ctx) => fluxLoraPlan(ctx, item, LORA_LOOKUPS.flux, 60));

/**
 * flux.py:507-546: `prompt` is optional (`item.get("prompt", "")`, "Ultra realistic, " prepended
 * unless present), the LoRA is forced to flux-realism-lora at `realism_strength`, and the route sets
 * `X-NSFW-Mode: str(nsfw).lower()` after the copy loop, so it reaches the client.
 */
const fluxDevRealism = route('/flux-dev-realism', 60 /* undocumented; flux-dev + LoRA ≈ /flux-dev-lora */, async (sent, ctx) => {
  const nsfw = get(sent, 'nsfw', false);
  const item: Record<string, unknown> = { ...sent, lora_name: 'flux-realism-lora', lora_strength: get(sent, 'realism_strength', 0.85) };
  const prompt = strField(get(sent, 'prompt', ''), 'lower');
  if (!prompt.toLowerCase().includes('ultra realistic')) item.prompt = `Ultra realistic, ${prompt}`;
  return fluxLoraPlan(ctx, item, LORA_LOOKUPS.flux, 60, { 'x-nsfw-mode': pyStr(nsfw).toLowerCase() });
});

/** apps/flux/app.py:161-167: the handler module imports. */
const debugTest = handlerRoutes({ handlerFile: 'apps/flux/app.py', method: 'GET' })('/debug/test', 0, async () => jsonPlan({ status: 'ok', handler_import: 'success' }));

/** The flux.py routes (the ryla-comfyui monolith serves them too). */
export const fluxRoutes = (): RouteSpec[] => [
  fluxT2I('/flux', 29, 4, 'flux1-schnell-fp8.safetensors'),
  fluxT2I('/flux-dev', 37, 20, 'flux1-dev.safetensors'),
  fluxDevLora,
  fluxDevRealism,
];

/** `FastAPI(...)` at apps/modal/apps/flux/app.py:111. */
const FASTAPI = { title: 'RYLA Flux API', description: 'Flux Schnell and Flux Dev text-to-image generation' };

export const fluxApp = (): AppSpec => appSpec('ryla-flux', FASTAPI, [...fluxRoutes(), lorasRoute(true, 'apps/flux/app.py'), debugTest], { globalErrorAddsPath: true });

/**
 * The LoRA files the apps have (pre-installed ones plus the trained ones the options install), how
 * each handler looks one up from `lora_id` / `lora_name` and words its 404 (docs/fleet.md §3.1,
 * §3.3–3.5, §3.8), and the `GET /loras` listing.
 */
import { HttpErr } from '../pyerrors.ts';
import { jsonPlan } from './builders.ts';
import { has, pyStr, strField } from './python.ts';
import type { AppSpec, FleetOptions, RouteCtx, RouteSpec } from './types.ts';

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
export function pickLora(ctx: RouteCtx, lookup: LoraLookup): LoraPick {
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

/**
 * `GET /loras` (apps/flux/app.py:148-158 with a count, apps/lora/app.py:127-137 without): the
 * .safetensors files of the app's LoRA folders.
 */
export function lorasRoute(withCount: boolean, handlerFile: string): RouteSpec {
  return {
    method: 'GET',
    path: '/loras',
    docTimeSec: 0,
    errorStyle: 'plain',
    handlerFile,
    async handle(ctx) {
      const loras = installedLoras(ctx.app, ctx.options).map((name) => ({ name: `${name}.safetensors`, path: `/root/models/loras/${name}.safetensors` }));
      return jsonPlan(withCount ? { loras, count: loras.length } : { loras });
    },
  };
}

/**
 * ryla-lora — apps/modal/handlers/lora.py (`/flux-lora`, run with execute_workflow_via_api) and
 * apps/modal/apps/lora/app.py (`/loras`, no count).
 */
import { appSpec, handlerRoutes } from './builders.ts';
import { fluxLoraPlan } from './flux.ts';
import { LORA_LOOKUPS, lorasRoute } from './installed-loras.ts';
import type { AppSpec } from './types.ts';

/** lora.py `_flux_lora_impl` (:127-190); the ryla-comfyui monolith serves it too. */
export const fluxLora = handlerRoutes({ handlerFile: 'handlers/lora.py', via: 'api' })('/flux-lora', 60, (item, ctx) => fluxLoraPlan(ctx, item, LORA_LOOKUPS.lora, 60));

/** `FastAPI(...)` at apps/modal/apps/lora/app.py:100. */
const FASTAPI = { title: 'RYLA LoRA API', description: 'Flux Dev + LoRA character generation' };

export const loraApp = (): AppSpec => appSpec('ryla-lora', FASTAPI, [fluxLora, lorasRoute(false, 'apps/lora/app.py')]);

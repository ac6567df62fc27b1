/**
 * ryla-comfyui — the legacy monolith (apps/modal/app.py): most per-app routes again, plus
 * `/workflow` (handlers/workflow.py, a raw ComfyUI graph) and `/diagnostics/nodes`. No `/health`,
 * no CORS.
 */
import { pyTypeName } from '../media.ts';
import { PyErr } from '../pyerrors.ts';
import { animated, appSpec, handlerRoutes, jsonPlan, still } from './builders.ts';
import { checkedDims, wanFrames } from './comfy.ts';
import { fluxRoutes } from './flux.ts';
import { fluxInstantid, fluxIpadapter, sdxlInstantid } from './instantid.ts';
import { fluxLora } from './lora.ts';
import { req } from './python.ts';
import { seedvr2 } from './seedvr2.ts';
import type { AppSpec } from './types.ts';
import { wan2 } from './wan2.ts';
import { zImageRoutes } from './z-image.ts';

const workflowRoute = handlerRoutes({ handlerFile: 'handlers/workflow.py' })('/workflow', 45 /* P8: 30–60 s */, async (item) => {
  const wf = req(item, 'workflow');
  if (!wf || typeof wf !== 'object' || Array.isArray(wf)) throw new PyErr('AttributeError', `'${pyTypeName(wf)}' object has no attribute 'items'`);
  const nodes = Object.values(wf as Record<string, { class_type?: string; inputs?: Record<string, unknown> }>);
  const latent = nodes.find((n) => /Empty.*Latent/.test(n?.class_type ?? ''));
  const w = Number(latent?.inputs?.width ?? 1024);
  const h = Number(latent?.inputs?.height ?? 1024);
  const dims = checkedDims(Math.floor(w / 8) * 8 || 1024, Math.floor(h / 8) * 8 || 1024);
  const sampler = nodes.find((n) => n?.class_type === 'KSampler');
  const seed = Number(sampler?.inputs?.seed ?? 0) || 0;
  if (nodes.some((n) => n?.class_type === 'SaveAnimatedWEBP')) {
    const length = Number(latent?.inputs?.length ?? 33);
    return animated('webp-anim', dims, wanFrames(length), 16, seed, 45, { type: 'scene' }, null);
  }
  if (nodes.some((n) => n?.class_type === 'SaveImage')) return still('png', dims, seed, 45, { prompt: wf as Record<string, unknown> });
  throw new PyErr('Exception', 'No output images found in workflow result', 45);
});

/** apps/modal/app.py:247-330: what the monolith reports about its custom nodes (here: all loaded). */
const diagnosticsNodes = handlerRoutes({ handlerFile: 'app.py', method: 'GET' })('/diagnostics/nodes', 0, async () => {
  const loaded = ['KSampler', 'CheckpointLoaderSimple', 'LoadImage', 'SaveImage', 'InsightFaceLoader', 'InstantIDModelLoader', 'InstantIDControlNetLoader', 'ApplyInstantID', 'SeedVR2VideoUpscaler', 'SeedVR2LoadDiTModel', 'SeedVR2LoadVAEModel'];
  const available = (nodes: string[]) => Object.fromEntries(nodes.map((n) => [n, true]));
  return jsonPlan({
    comfyui_path: '/root/comfy/ComfyUI',
    custom_nodes_dir: '/root/comfy/ComfyUI/custom_nodes',
    instantid_dir_exists: true,
    // invented: the file names listed from the two custom-node folders.
    instantid_files: ['__init__.py', 'InstantID.py'],
    instantid_import_error: null,
    seedvr2_dir_exists: true,
    seedvr2_files: ['__init__.py', 'nodes.py'],
    seedvr2_import_error: null,
    comfyui_loaded_nodes: loaded,
    instantid_nodes_available: available(['InsightFaceLoader', 'InstantIDModelLoader', 'InstantIDControlNetLoader', 'ApplyInstantID']),
    seedvr2_nodes_available: available(['SeedVR2VideoUpscaler', 'SeedVR2LoadDiTModel', 'SeedVR2LoadVAEModel']),
    custom_nodes_dir_exists: true,
    instantid_import_success: true,
    seedvr2_import_success: true,
    comfyui_loaded_node_count: loaded.length,
  });
});

/** `FastAPI(...)` at apps/modal/app.py:222. */
const FASTAPI = { title: 'RYLA ComfyUI API' };

export const comfyuiApp = (): AppSpec =>
  appSpec('ryla-comfyui', FASTAPI, [...fluxRoutes(), sdxlInstantid, fluxInstantid, fluxIpadapter, fluxLora, wan2, seedvr2, workflowRoute, ...zImageRoutes(), diagnosticsNodes], {
    health: null,
    cors: false,
    globalErrorAddsPath: true,
  });

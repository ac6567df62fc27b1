/**
 * `GET /openapi.json` as each app's FastAPI serves it. Every app of the fleet is
 * `FastAPI(title=…, description=…)` with routes taking a raw `Request` (no pydantic models), so
 * the schema lists paths and methods with an empty request schema and FastAPI's default 200
 * response — enough to tell which routes an app really registers. Titles from
 * jatidevelopments/ryla@57209b5:apps/modal/apps/<app>/app.py (`FastAPI(` call), route function
 * names from the `@fastapi.post(...)` handlers in apps/modal/handlers/*.py.
 */
import type { AppSpec } from './fleet/index.ts';

const INFO: Record<string, { title: string; description?: string }> = {
  'ryla-flux': { title: 'RYLA Flux API', description: 'Flux Schnell and Flux Dev text-to-image generation' },
  'ryla-instantid': { title: 'RYLA InstantID API', description: 'Face consistency workflows (InstantID, IP-Adapter FaceID)' },
  'ryla-qwen-image': { title: 'RYLA Qwen-Image API', description: 'Qwen Image 2512 hyper-realistic text-to-image generation' },
  'ryla-qwen-edit': { title: 'RYLA Qwen-Edit API', description: 'Qwen Image Edit 2511 instruction-based image editing' },
  'ryla-z-image': { title: 'RYLA Z-Image API', description: 'Z-Image-Turbo text-to-image generation' },
  'ryla-wan26': { title: 'RYLA Wan2.6 API', description: 'Wan 2.6 text-to-video generation with R2V character consistency' },
  'ryla-wan22-i2v': { title: 'RYLA WAN 2.2 I2V API', description: 'WAN 2.2 image-to-video generation with GGUF models and face swap' },
  'ryla-seedvr2': { title: 'RYLA SeedVR2 API', description: 'SeedVR2 realistic upscaling' },
  'ryla-lora': { title: 'RYLA LoRA API', description: 'Flux Dev + LoRA character generation' },
  'ryla-wan2': { title: 'RYLA Wan2 API', description: 'Wan2.1 text-to-video generation' },
  'ryla-comfyui': { title: 'RYLA ComfyUI API' },
};

/** Python function names where they are not `<path>_route` (handlers/qwen_edit.py, handlers/wan26.py, app.py). */
const FUNCTION_NAMES: Record<string, string> = {
  '/health': 'health',
  '/loras': 'list_loras',
  '/debug/test': 'debug_test',
  '/diagnostics/nodes': 'diagnostics_nodes',
  '/qwen-image-edit-2511': 'qwen_edit_route',
  '/qwen-image-inpaint-2511': 'qwen_inpaint_route',
  '/wan2.6': 'wan26_route',
  '/wan2.6-r2v': 'wan26_r2v_route',
  '/wan2.6-i2v': 'wan26_i2v_route',
  '/wan2.6-i2v-faceswap': 'wan26_i2v_faceswap_route',
  '/wan2.6-lora': 'wan26_lora_route',
};

function functionName(path: string): string {
  return FUNCTION_NAMES[path] ?? `${path.slice(1).replace(/[^A-Za-z0-9]/g, '_')}_route`;
}

/** FastAPI's generate_unique_id: `{name}{path}` with non-word characters as `_`, then `_{method}`. */
function operation(path: string, method: string): Record<string, unknown> {
  const name = functionName(path);
  return {
    summary: name.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' '),
    operationId: `${name}${path}`.replace(/\W/g, '_') + `_${method.toLowerCase()}`,
    responses: { '200': { description: 'Successful Response', content: { 'application/json': { schema: {} } } } },
  };
}

/** The app's OpenAPI document; `removed(path)` hides routes a drift fault took away. */
export function openapiFor(app: AppSpec, removed: (path: string) => boolean): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const routes = [...(app.health ? [{ method: 'GET', path: '/health' }] : []), ...app.routes];
  for (const r of routes) {
    if (removed(r.path)) continue;
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r.path, r.method);
  }
  const info = INFO[app.name] ?? { title: 'FastAPI' };
  return { openapi: '3.1.0', info: { title: info.title, ...(info.description ? { description: info.description } : {}), version: '0.1.0' }, paths };
}

/**
 * `GET /openapi.json` as each app's FastAPI serves it. Every app of the fleet is
 * `FastAPI(title=…, description=…)` with routes taking a raw `Request` (no pydantic models), so
 * the schema lists paths and methods with an empty request schema and FastAPI's default 200
 * response — enough to tell which routes an app really registers. Titles are each app's
 * (`AppSpec.fastapi`, from its `FastAPI(` call), route function names from the `@fastapi.post(...)`
 * handlers in jatidevelopments/ryla@57209b5:apps/modal/handlers/*.py.
 */
import type { AppSpec } from './fleet/index.ts';

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
  const { title, description } = app.fastapi;
  return { openapi: '3.1.0', info: { title, ...(description ? { description } : {}), version: '0.1.0' }, paths };
}

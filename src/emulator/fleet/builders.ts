/**
 * What the app files build with: an app with Modal's defaults, the routes of one handler module
 * (same file, same execution path, same error style), and the two kinds of media plan a route
 * returns (a still, an animation or video).
 */
import { ComfyFailure, surfaceComfyFailure, type ErrorStyle, type ExecPath } from '../pyerrors.ts';
import { COLD_START_SEC, DEFAULT_DEPLOYED, type AppName } from './deployment.ts';
import type { AppSpec, BaseSpec, FastapiInfo, Plan, RouteCtx, RouteSpec, StillKind } from './types.ts';

/** An app as `@app.cls(...)` declares it, unless `over` says otherwise: L40S, max_inputs 5, 300 s scaledown, 1800 s timeout, CORS, `/health`. */
export function appSpec(name: AppName, fastapi: FastapiInfo, routes: RouteSpec[], over: Partial<AppSpec> = {}): AppSpec {
  return {
    name,
    fastapi,
    deployed: DEFAULT_DEPLOYED[name],
    gpu: 'L40S',
    maxInputs: 5,
    coldStartSec: COLD_START_SEC[name],
    scaledownWindowSec: 300,
    functionTimeoutSec: 1800,
    health: { status: 'healthy', app: name },
    cors: true,
    globalErrorAddsPath: false,
    routes,
    ...over,
  };
}

/**
 * Wraps a route so a ComfyUI failure surfaces the way the route's execution path words it
 * (pyerrors.ts `ExecPath`).
 */
export function runsVia(exec: ExecPath, route: RouteSpec): RouteSpec {
  return {
    ...route,
    async handle(ctx) {
      try {
        return await route.handle(ctx);
      } catch (e) {
        if (e instanceof ComfyFailure) throw surfaceComfyFailure(e, exec);
        throw e;
      }
    },
  };
}

/** What the routes of one handler module share. */
export interface HandlerModule {
  handlerFile: string;
  /** How its ComfyUI failures reach the route (none: the route never runs ComfyUI or words it itself). */
  via?: ExecPath;
  errorStyle?: ErrorStyle;
  method?: 'GET' | 'POST';
}

export type RouteHandler = (item: Record<string, unknown>, ctx: RouteCtx) => Promise<Plan>;

/** A maker of the module's routes: `route(path, docTimeSec, handle)`. */
export function handlerRoutes(module: HandlerModule): (path: string, docTimeSec: number, handle: RouteHandler) => RouteSpec {
  return (path, docTimeSec, handle) => {
    const route: RouteSpec = { method: module.method ?? 'POST', path, docTimeSec, errorStyle: module.errorStyle ?? 'plain', handlerFile: module.handlerFile, handle: (ctx) => handle(ctx.item, ctx) };
    return module.via ? runsVia(module.via, route) : route;
  };
}

/** A JSON answer the route computes (no GPU work). */
export function jsonPlan(json: unknown): Plan {
  return { type: 'json', status: 200, json, execSec: 0 };
}

const JPEG = 'image/jpeg';


export function still(
  kind: StillKind,
  dims: { width: number; height: number },
  seed: number,
  execSec: number,
  extra: { base?: BaseSpec; face?: Buffer | null; prompt?: Record<string, unknown>; headers?: Record<string, string>; contentType?: string; costHeaders?: boolean } = {},
): Plan {
  return {
    type: 'media',
    contentType: extra.contentType ?? JPEG,
    output: { kind, width: dims.width, height: dims.height, frames: 1, fps: 0, seed, base: extra.base ?? { type: 'scene' }, face: extra.face ?? null, comfyPrompt: kind === 'png' ? extra.prompt : undefined },
    headers: extra.headers ?? {},
    execSec,
    costHeaders: extra.costHeaders ?? false,
  };
}

export function animated(
  kind: 'webp-anim' | 'mp4',
  dims: { width: number; height: number },
  frames: number,
  fps: number,
  seed: number,
  execSec: number,
  base: BaseSpec,
  face: Buffer | null,
): Plan {
  return {
    type: 'media',
    contentType: kind === 'mp4' ? 'video/mp4' : 'image/webp',
    output: { kind, width: dims.width, height: dims.height, frames, fps, seed, base, face },
    headers: {},
    execSec,
    costHeaders: false,
  };
}

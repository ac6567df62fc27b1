/**
 * The emulated fleet: every Modal app and route of jatidevelopments/ryla at 57209b5, one file per app
 * (mirroring src/catalog/endpoints/), written from the fleet's handlers
 * (apps/modal/handlers/<module>.py and apps/modal/apps/<app>/app.py) and docs/fleet.md (§1 apps,
 * §2 cross-cutting contract, §3 routes, §4 timings).
 *
 * Deliberately independent of src/catalog: genprobe's catalog and checks are cross-checked by
 * running them against these apps. Each route handler mirrors its Python handler: it reads the JSON
 * body with `item.get(...)` semantics (python.ts), raises the same exceptions in the same order, and
 * returns a plan (what to render, which headers survive, how long the GPU works).
 */
import { comfyuiApp } from './comfyui.ts';
import type { AppName } from './deployment.ts';
import { fluxApp } from './flux.ts';
import { instantidApp } from './instantid.ts';
import { loraApp } from './lora.ts';
import { qwenEditApp, qwenImageApp } from './qwen-image.ts';
import { seedvr2App } from './seedvr2.ts';
import type { AppSpec } from './types.ts';
import { wan2App } from './wan2.ts';
import { wan22App } from './wan22.ts';
import { wan26App } from './wan26.ts';
import { zImageApp } from './z-image.ts';

export { wanFrames } from './comfy.ts';
export { COLD_START_SEC, DEFAULT_DEPLOYED, type AppName } from './deployment.ts';
export { DEFAULT_TRAINED_LORAS } from './installed-loras.ts';
export { PHANTOM_ROUTES } from './phantom.ts';
export { QWEN_ASPECT_RATIOS } from './qwen-image.ts';
export { seedvr2Dims } from './seedvr2.ts';
export type { AppSpec, FleetOptions, OutputPlan, Plan, RouteSpec } from './types.ts';

/** Every app, fresh (deployment can be overridden per app). */
export function buildFleet(deployed: Partial<Record<AppName, boolean>> = {}): AppSpec[] {
  const apps = [fluxApp(), instantidApp(), qwenImageApp(), qwenEditApp(), zImageApp(), wan26App(), wan22App(), seedvr2App(), loraApp(), wan2App(), comfyuiApp()];
  for (const a of apps) if (deployed[a.name] !== undefined) a.deployed = deployed[a.name]!;
  return apps;
}

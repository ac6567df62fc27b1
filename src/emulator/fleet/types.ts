/**
 * The emulated fleet's shapes: an app (its Modal settings and routes), a route (its handler module,
 * error style and modelled time) and the plan a route handler returns (JSON, or media to render).
 */
import type { VideoInfo } from '../media.ts';
import type { ErrorStyle } from '../pyerrors.ts';
import type { AppName } from './deployment.ts';

export type StillKind = 'png' | 'jpeg';

/** `webp` (still) only appears through the wrong-format fault. */
export type OutputKind = StillKind | 'webp' | 'webp-anim' | 'mp4';

export type BaseSpec =
  | { type: 'scene' }
  /** A request image the output is derived from (edit, inpaint, faceswap, i2v, upscale). */
  | { type: 'image'; bytes: Buffer; crop: 'cover' | 'fill' }
  /** Source video frames (faceswap routes); `fps` = ffmpeg fps filter, undefined = native rate. */
  | { type: 'video'; bytes: Buffer; info: VideoInfo; fps?: number };

/** Everything the renderer needs; plain data so it can be hashed into a cache key. */
export interface OutputPlan {
  kind: OutputKind;
  width: number;
  height: number;
  /** 1 for stills. For `base.type === 'video'` the renderer uses the decoded frame count. */
  frames: number;
  fps: number;
  seed: number;
  base: BaseSpec;
  /** Image composited large and centred (the identity the route must preserve), or null. */
  face: Buffer | null;
  /** ComfyUI API prompt embedded as PNG `tEXt prompt` (PNG outputs only). */
  comfyPrompt?: Record<string, unknown>;
  /** `/video-faceswap` passes the source audio through. */
  keepAudio?: boolean;
  /** Degenerate content (faults): near-black or uniform frames. */
  quality?: 'normal' | 'blank' | 'tiny';
  /** Frames added/removed relative to what the route produces (wrong-frames fault). */
  frameDelta?: number;
}

export type Plan =
  | { type: 'json'; status: number; json: unknown; execSec: number }
  | {
      type: 'media';
      contentType: string;
      output: OutputPlan;
      /** Headers that reach the client (lower-case, as Starlette sends them). */
      headers: Record<string, string>;
      /** Emulated handler (GPU) seconds at timeScale 1. */
      execSec: number;
      /** `/flux-pulid` only: X-Cost-USD / X-Execution-Time-Sec / X-GPU-Type survive. */
      costHeaders: boolean;
    };

export interface FleetOptions {
  /** Installed LoRA files (stems, without `.safetensors`) in addition to the pre-installed ones. */
  loras: string[];
  /** Face shown by trained character LoRAs (`character-*`), e.g. fixtures/faces/astronaut.png bytes. */
  characterFace: Buffer | null;
}

export interface RouteCtx {
  item: Record<string, unknown>;
  app: AppSpec;
  options: FleetOptions;
  /** Random seed in [0, max] when the route's default is random. */
  randomSeed(max: number): number;
}

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  /** docs/fleet.md §4 "Doc time" (or the stated substitute), seconds at timeScale 1. */
  docTimeSec: number;
  errorStyle: ErrorStyle;
  handlerFile: string;
  handle(ctx: RouteCtx): Promise<Plan>;
}

/** What `FastAPI(title=…, description=…)` sets; `/openapi.json` shows it. */
export interface FastapiInfo {
  title: string;
  description?: string;
}

export interface AppSpec {
  name: AppName;
  fastapi: FastapiInfo;
  deployed: boolean;
  gpu: 'L40S' | 'A100-80GB';
  maxInputs: number;
  coldStartSec: number;
  scaledownWindowSec: number;
  functionTimeoutSec: number;
  health: Record<string, string> | null;
  cors: boolean;
  globalErrorAddsPath: boolean;
  routes: RouteSpec[];
}

/**
 * The shape of one catalog entry. The catalog is data: one typed object per route of the fleet
 * (see docs/fleet.md §3). It imports nothing from the rest of genprobe; zod is only the
 * vocabulary for request schemas.
 */
import type { z } from 'zod';

export type AppName =
  | 'ryla-flux'
  | 'ryla-instantid'
  | 'ryla-qwen-image'
  | 'ryla-qwen-edit'
  | 'ryla-z-image'
  | 'ryla-wan26'
  | 'ryla-wan22-i2v'
  | 'ryla-seedvr2'
  | 'ryla-lora'
  | 'ryla-wan2'
  | 'ryla-comfyui';

/** GPU keys as the fleet's cost_tracker names them (docs/fleet.md §5). */
export type Gpu = 'T4' | 'L4' | 'A10' | 'L40S' | 'A100-40GB' | 'A100-80GB' | 'H100';

/** What the real bytes are (not what Content-Type claims). */
export type OutputKind = 'png' | 'jpeg' | 'webp-animated' | 'mp4' | 'json';

/**
 * live: deployed and promised to work.
 * removed: deleted at HEAD, expect 404 (`{"detail":"Not Found"}` or `modal-http: invalid function call`);
 *   when the fleet's docs or client still list it (`stillListedBy`), that is doc-drift.
 * incompatible: still registered but failing at request time today (as-built, `asBuiltFailure`).
 *   A registered route is promised to work, so it is judged like a live one: its happy path runs,
 *   and its failure is the route-broken check's finding (waived as a known defect, never expected).
 */
export type Lifecycle = 'live' | 'removed' | 'incompatible';

export interface AppSpec {
  name: AppName;
  gpu: Gpu;
  /** `@modal.concurrent(max_inputs)` — also genprobe's per-app probe concurrency limit. */
  maxInputs: number;
  functionTimeoutSec: number;
  scaledownWindowSec: number;
  /** Body of GET /health, or null when the app has no health route (ryla-comfyui). */
  health: Record<string, string> | null;
  /** Documented cold start (container start + ComfyUI launch) in seconds. */
  coldStartSec: number;
  deployed: 'yes' | 'unknown' | 'removed';
  source: string;
  note?: string;
}

export interface MeasuredTiming {
  source: 'bench' | 'mono' | 'api' | 'set' | 'video' | 'header';
  seconds: number;
  date?: string;
  note?: string;
  /**
   * What the recorded call ended in (absent = ok). Error and timeout times are kept as facts
   * (e.g. a 400 after a 62.9 s cold start) but never feed latency budgets.
   */
  outcome?: 'ok' | 'error' | 'timeout';
  /**
   * Container state the time includes, when the source says so (absent = not recorded).
   * 'mixed' = a run whose calls were partly cold (the API report); budgets ignore cold and mixed.
   */
  start?: 'cold' | 'warm' | 'mixed';
}

export interface TimingSpec {
  /** ENDPOINTS-REFERENCE.md "~N s" on the endpoint's GPU; undefined when never documented. */
  documentedSec?: number;
  measured: MeasuredTiming[];
  /** The client deadline the fleet's own TS client uses (ENDPOINT_TIMEOUT_MS), for reference. */
  fleetClientTimeoutMs?: number;
}

/**
 * A value in a sample request that stands for a fixture, resolved by the request builder into a
 * data URL or raw base64 at run time (so the catalog stays data and the fixtures stay files).
 */
export interface FixtureRef {
  $fixture: FixtureName;
  /** data-url (default) or raw base64 without the `data:` prefix. */
  encoding?: 'data-url' | 'raw-base64';
}
export type FixtureName =
  | 'face:astronaut' // Eileen Collins, public domain (reference identity)
  | 'face:grace_hopper' // Grace Hopper, public domain (second identity)
  | 'scene:coffee' // a face-less image, CC0
  | 'mask:center' // white square on black, for inpaint
  | 'video:portrait' // short H.264 MP4 (512², 33 frames, 16 fps) of grace_hopper: the face a swap replaces
  | 'video:portrait-webp'; // the same clip as animated WebP (256²)

export type SampleValue = string | number | boolean | null | FixtureRef | SampleValue[];
export type SampleRequest = Record<string, SampleValue>;

/** How the expected output dimensions follow from the request. */
export type SizeRule =
  | { kind: 'request'; widthField: string; heightField: string; defaultWidth: number; defaultHeight: number }
  /** qwen t2i: aspect_ratio table overrides width/height; unknown ratio falls back to w/h. */
  | {
      kind: 'aspect-ratio';
      field: string;
      table: Record<string, [number, number]>;
      widthField: string;
      heightField: string;
      defaultWidth: number;
      defaultHeight: number;
    }
  /** Same dimensions as an input image/video (faceswap, edit, inpaint). */
  | { kind: 'same-as-input'; inputField: string }
  /** seedvr2: the short side equals `field` (default), aspect preserved, long side capped. */
  | { kind: 'short-side'; field: string; defaultValue: number; maxField: string; defaultMax: number; inputField: string }
  | { kind: 'fixed'; width: number; height: number }
  | { kind: 'none' };

export type FrameRule =
  | { kind: 'request'; field: string; defaultValue: number }
  /** MP4 built from the input video: frames ≈ input duration × fps (tolerance applied by checks). */
  | { kind: 'from-input-duration'; inputField: string }
  /** A still image input yields exactly one frame (batch-video-faceswap). */
  | { kind: 'none' };

export interface OutputSpec {
  kind: OutputKind;
  /** The Content-Type the fleet declares (may lie: PNG bytes under image/jpeg, docs/fleet.md §0.2). */
  declaredType: string;
  size: SizeRule;
  frames?: FrameRule;
  /** fps field and default; for WebP the frame delay is int(1000/fps) ms. */
  fps?: { field: string; defaultValue: number };
  /** MP4 codec family expected (avc1 = H.264). */
  codec?: 'avc1';
  audio?: 'none' | 'passthrough';
  /** Smallest plausible body in bytes for a healthy output of the sample request. */
  minBytes: number;
}

/**
 * The shape of an error body:
 * FastAPI `{"detail": …}`, the try/except / global handler `{"error","details","type"}`, a text body,
 * 'not-found' — a removed route's 404 whichever layer answers: FastAPI's `{"detail":"Not Found"}` when
 * the app still runs, or Modal's `modal-http: invalid function call` / `… app … is stopped` when the
 * app itself is gone — or 'json-message': any of the JSON shapes (detail string, detail object or
 * list, error/details/type), for promises that care what the body says, not how it is wrapped.
 */
export type ErrorBodyShape = 'detail' | 'error-details-type' | 'detail-object' | 'text' | 'not-found' | 'json-message';

/** One way of answering a request that cannot succeed. */
export interface ErrorAnswer {
  /** Acceptable statuses. */
  status: number[];
  body: ErrorBodyShape;
  /** Substring the message must contain (case-sensitive): for bad input, the field's name. */
  contains?: string;
}

/** What the fleet answers today, read from its code: a fact, never a verdict. */
export interface AsBuiltAnswer extends ErrorAnswer {
  /** Where the behaviour comes from, `path:line` in jatidevelopments/ryla @ 57209b5 (or the observation). */
  source: string;
}

/** A negative case: a bad request, what the fleet promises for it, and what it answers today. */
export interface ErrorCase {
  name: string;
  /** Fields removed from the sample request (or overrides applied) to make it bad. */
  omit?: string[];
  override?: SampleRequest;
  /**
   * The promise, which the gate judges: bad input → a 4xx whose body names the field; a removed
   * route → 404.
   */
  expect: ErrorAnswer;
  /**
   * What the fleet answers today, read from its code (e.g. 500 `KeyError` for a missing prompt),
   * as the emulator, written independently, answers too. Never judged: the error-status check
   * uses it only to tell the known defect (finding `known-5xx`) from a new one (`new-5xx`).
   */
  asBuilt?: AsBuiltAnswer;
  note?: string;
}

export interface HeaderSpec {
  /**
   * docs/fleet.md §0.1: cost headers reach the client only on /flux-pulid ('present'); every other
   * generation route sets them but loses them ('dropped'); 'none' = the route never sets them
   * (GET /loras, /debug/test).
   */
  cost: 'present' | 'dropped' | 'none';
  /** Headers set after the copy loop that do reach the client. */
  surviving?: Record<string, string>;
}

export interface FaceSpec {
  /** Documented target band in percent, e.g. [85, 90]; the lower bound is the pass mark. */
  target: [number, number];
  /** Field carrying the identity the output must show. */
  referenceField: string;
  /** generation: a new image conditioned on the face; swap: the face is put into existing media. */
  mode: 'generation' | 'swap';
  docNote?: string;
}

export interface DocDrift {
  topic: string;
  docs: string;
  code: string;
}

export interface EndpointEntry {
  /** Stable id used in reports, metrics and CLI filters: app short name + path, e.g. `flux`. */
  id: string;
  app: AppName;
  path: string;
  method: 'POST' | 'GET';
  title: string;
  tags: string[];
  lifecycle: Lifecycle;
  lifecycleNote?: string;
  gpu: Gpu;
  timing: TimingSpec;
  /** Documented cost per call in USD (ENDPOINTS-REFERENCE.md). */
  documentedCostUsd?: number;
  /** Request schema with the code's real defaults and required fields. */
  request: z.ZodType<Record<string, unknown>>;
  /** A small valid request for contract runs (fixed seed where the route takes one). */
  sample: SampleRequest;
  output: OutputSpec;
  errors: ErrorCase[];
  headers: HeaderSpec;
  face?: FaceSpec;
  /** Apps this route calls during a request (wan faceswap → ryla-qwen-image). Warm them too. */
  delegatesTo?: AppName[];
  drift?: DocDrift[];
  /**
   * A registered route that fails today (lifecycle 'incompatible'): what its sample request gets.
   * Judged as a route that must work; this record only tells the known failure (route-broken,
   * finding `known-failure`) from a new one.
   */
  asBuiltFailure?: AsBuiltAnswer & { note?: string };
  /**
   * A removed route callers are still told about: the fleet files that list it (`path:line`), so
   * the doc-drift check can say where. Empty or absent = nobody is told it exists.
   */
  stillListedBy?: string[];
  /** Where the facts come from, path in jatidevelopments/ryla. */
  source: string;
}

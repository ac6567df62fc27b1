/**
 * What one check is: a name, which endpoints it applies to, what it needs from the pipeline (bytes,
 * decoded media, the face model, timing…) and a run function. The registry (registry.ts) lists the
 * definitions in report order; the order, the skip lists and the names the plan and the metrics use
 * derive from it. What only the runner has (the call's outcome, the face model, the golden images,
 * the start type) reaches a check through its context, so checks import neither client nor model.
 */
import type { FaceSpec, HeaderSpec, OutputSpec } from '../catalog/types.ts';
import type { LumaFrame } from '../media/luma.ts';
import type { SampleOptions } from '../media/sample.ts';
import type { SniffedType } from '../media/types.ts';
import type { ImageInfo } from '../media/image.ts';
import type { Mp4Info } from '../media/mp4.ts';
import type { AnimatedWebpInfo } from '../media/webp.ts';
import type { ExpectedOutput, InputMediaInfo } from './expected.ts';
import type { CheckName, CheckResult } from './types.ts';

/** What the `decoded` stage hands on: the container's facts, per output kind (decodable.ts makes it). */
export type DecodedMedia =
  | { kind: 'png' | 'jpeg'; image: ImageInfo }
  | { kind: 'webp-animated'; webp: AnimatedWebpInfo }
  | { kind: 'mp4'; mp4: Mp4Info }
  | { kind: 'json'; json: unknown };

export type DecodeOutcome = { ok: true; media: DecodedMedia } | { ok: false; code: string; reason: string };

export interface BlankThresholds {
  /** Below this mean luma (0–255) a frame is near-black. */
  minMeanLuma: number;
  /** Below this luma standard deviation a frame is near-uniform. */
  minStdevLuma: number;
}


/** What the checks need from a response; the client's CallResult satisfies it. */
export interface CheckedResponse {
  status: number | null;
  /** Lower-cased header names (any case is tolerated). */
  headers: Record<string, string>;
  body: Uint8Array;
  declaredType: string | null;
  /** Sniffed from the body when absent. */
  sniffedType?: SniffedType;
}

export interface OutputCheckOptions {
  /** Frame sampling for the pixel checks (blank-output, motion, detail), or false to skip them. */
  blank?: false | (SampleOptions & { thresholds?: BlankThresholds });
}

/** What a check is judged for: an endpoint's output and header contract, its face target, the request as sent. */
export interface CheckSubject {
  output: OutputSpec;
  headers: HeaderSpec;
  /** The endpoint's face identity target (face routes only). */
  face?: FaceSpec;
  /** The request as sent, before the schema's defaults (a golden image is kept for a fixed seed only). */
  sent?: Record<string, unknown>;
}

/** The call's outcome, for the transport check (the client's CallResult failure satisfies it). */
export interface TransportOutcome {
  failure?: { class: string; message: string; status?: number };
  /** Statuses the case's contract expects even from a failing call (a removed route's 404). */
  expectedStatuses?: readonly number[];
}

/** The face model with the run's settings (sample frames, embedder) bound by the runner. */
export type FaceModel = (input: { output: Uint8Array; outputKind: 'png' | 'jpeg' | 'webp-animated' | 'mp4'; reference: Uint8Array; targetPct: number }) => Promise<CheckResult[]>;

export interface FaceModelInput {
  model: FaceModel;
  /** The request's reference media; undefined when the request has none in the face's field. */
  reference: Uint8Array | undefined;
  /** The pass mark in percent (the catalog's target, or the endpoint override's). */
  targetPct: number;
}

/** The stored golden images, read and written by the runner. */
export interface GoldenStore {
  /** Keep this output as the golden image instead of comparing (gate --update-golden). */
  update: boolean;
  /** The stored golden image, or null when none is stored yet. */
  read(): Uint8Array | null;
  write(image: Uint8Array): void;
  onDrift: 'warn' | 'fail';
}

/** How the call met its container; unknown gets the cold allowance. */
export type StartType = 'cold' | 'warm' | 'unknown';

export interface LatencyBudget {
  /** Budget for a call that hit a warm container, seconds (real-fleet scale). */
  warmSec: number;
  /** Budget for a call that paid a cold start, seconds. */
  coldSec: number;
  /** Over this the call has failed whatever its start type (Modal function timeout). */
  hardSec: number;
}

/** How long the call took and how its start type is known (asked once, when the latency check runs). */
export interface CallTiming {
  totalMs: number;
  budget: LatencyBudget;
  startType(): StartType;
  timeScale: number;
  overheadMs: number;
}

export interface OutputCheckInput extends CheckSubject {
  /** The request as sent, parsed with the schema's defaults. */
  request: Record<string, unknown>;
  inputs?: InputMediaInfo;
  response: CheckedResponse;
  /** Statuses of a healthy answer (default [200]). */
  expectedStatuses?: number[];
  options?: OutputCheckOptions;
  /** Supplied by the runner for the stages of the same name; a stage without its input is not run. */
  transport?: TransportOutcome;
  faceModel?: FaceModelInput;
  golden?: GoldenStore;
  timing?: CallTiming;
}

/**
 * What a check needs, in pipeline order; each stage runs only when the checks that gate it passed:
 * - 'call': the call's outcome (transport); a failure ends the case, nothing else is judged;
 * - 'response': the status and body as received;
 * - 'bytes': the body and its sniffed type (after a passing status);
 * - 'typed-bytes': the decode outcome of bytes of the right type (after a passing media-type);
 * - 'decoded': the decoded headers and the expected output (after a passing decodable);
 * - 'frames': luma frames sampled once from the decoded media (after a passing decodable);
 * - 'face-model', 'golden-image': the decoded output against the reference face / the stored image
 *   (after a passing decodable; left out, not skipped, when nothing decoded: they add no finding);
 * - 'timing': the call's time and start type (whenever the call answered).
 * 'call', 'face-model', 'golden-image' and 'timing' are the runner's to supply (OutputCheckInput).
 */
export const CHECK_NEEDS = ['call', 'response', 'bytes', 'typed-bytes', 'decoded', 'frames', 'face-model', 'golden-image', 'timing'] as const;
export type CheckNeeds = (typeof CHECK_NEEDS)[number];

export interface CheckContext {
  input: OutputCheckInput;
  /** Set from stage 'bytes' on. */
  sniffed: SniffedType;
  /** Set from stage 'typed-bytes' on. */
  decode?: DecodeOutcome;
  /** Set in stages 'decoded' and 'frames'. */
  media?: DecodedMedia;
  /** Set in stage 'decoded' (the pipeline reports a failed derivation itself). */
  expected?: ExpectedOutput;
  /** Set in stage 'frames'. */
  frames?: LumaFrame[];
}

export interface CheckDefinition {
  name: CheckName;
  /** Every name its results carry, when more than `name` (face: face-present and face-match). */
  reports?: readonly CheckName[];
  needs: CheckNeeds;
  appliesTo(subject: CheckSubject): boolean;
  /** May report nothing (transport on an answered call, golden-drift with no stored image). */
  run(context: CheckContext): CheckResult | CheckResult[] | Promise<CheckResult | CheckResult[]>;
  /**
   * A gate: given this check's result, why the later stages cannot run (their checks are
   * reported as 'skip' with this reason), or null when they can.
   */
  blocks?(result: CheckResult, context: CheckContext): string | null;
}

/** The names a definition's results carry. */
export const reportedNames = (check: CheckDefinition): readonly CheckName[] => check.reports ?? [check.name];

/** appliesTo for checks that judge every output. */
export const always = (): boolean => true;
/** appliesTo for checks that judge only some output kinds. */
export function forKinds(...kinds: OutputSpec['kind'][]): CheckDefinition['appliesTo'] {
  return ({ output }) => kinds.includes(output.kind);
}

/** A context field the pipeline provides for the check's `needs`; missing means a registry bug. */
export function provided<T>(value: T | undefined, what: string, check: CheckName): T {
  if (value === undefined) throw new Error(`check ${check}: the pipeline did not provide ${what} (wrong 'needs' in its definition?)`);
  return value;
}

/** The container's facts of decoded media, whatever its kind (a JSON body has none but that it is JSON). */
export function factsOf(media: DecodedMedia): ImageInfo | AnimatedWebpInfo | Mp4Info | { json: true } {
  switch (media.kind) {
    case 'png':
    case 'jpeg':
      return media.image;
    case 'webp-animated':
      return media.webp;
    case 'mp4':
      return media.mp4;
    case 'json':
      return { json: true };
  }
}

/** Width and height of decoded media (per frame for animations). */
export function pictureOf(media: DecodedMedia): { width: number; height: number } {
  const facts = factsOf(media);
  if ('json' in facts) throw new Error('a JSON output has no picture');
  return facts;
}

/** Decoded media with frames: an animated WebP or an MP4. */
export type DecodedAnimation = Extract<DecodedMedia, { kind: 'webp-animated' | 'mp4' }>;

/** A check of decoded animations against the expected output (frame-count, frame-timing). */
export function animationCheck(name: CheckName, judge: (media: DecodedAnimation, expected: ExpectedOutput) => CheckResult): CheckDefinition {
  return {
    name,
    needs: 'decoded',
    appliesTo: forKinds('webp-animated', 'mp4'),
    run: ({ media, expected }) => {
      const m = provided(media, 'decoded media', name);
      if (m.kind !== 'webp-animated' && m.kind !== 'mp4') throw new Error(`check ${name}: expected a decoded animation, got ${m.kind}`);
      return judge(m, provided(expected, 'the expected output', name));
    },
  };
}

/** The decoded MP4 of a check that applies to MP4 outputs only. */
export function mp4Of(media: DecodedMedia | undefined, check: CheckName) {
  const m = provided(media, 'decoded media', check);
  if (m.kind !== 'mp4') throw new Error(`check ${check}: expected decoded MP4, got ${m.kind}`);
  return m.mp4;
}

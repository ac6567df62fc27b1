/**
 * What one output check is: a name, which outputs it applies to, what it needs from the pipeline
 * and a run function. The registry (registry.ts) lists the definitions in report order; the order,
 * the skip lists and the names the plan and the metrics use derive from it.
 */
import type { HeaderSpec, OutputSpec } from '../catalog/types.ts';
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

export interface OutputCheckInput {
  output: OutputSpec;
  headers: HeaderSpec;
  /** The request as sent, parsed with the schema's defaults. */
  request: Record<string, unknown>;
  inputs?: InputMediaInfo;
  response: CheckedResponse;
  /** Statuses of a healthy answer (default [200]). */
  expectedStatuses?: number[];
  options?: OutputCheckOptions;
}

/**
 * What a check needs, in pipeline order; each stage runs only when the checks that gate it passed:
 * - 'response': the status and body as received (always runs);
 * - 'bytes': the body and its sniffed type (after a passing status);
 * - 'typed-bytes': the decode outcome of bytes of the right type (after a passing media-type);
 * - 'decoded': the decoded headers and the expected output (after a passing decodable);
 * - 'frames': luma frames sampled once from the decoded media (after a passing decodable).
 */
export const CHECK_NEEDS = ['response', 'bytes', 'typed-bytes', 'decoded', 'frames'] as const;
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
  needs: CheckNeeds;
  appliesTo(output: OutputSpec, headers: HeaderSpec): boolean;
  run(context: CheckContext): CheckResult | CheckResult[];
  /**
   * A gate: given this check's result, why the later stages cannot run (their checks are
   * reported as 'skip' with this reason), or null when they can.
   */
  blocks?(result: CheckResult, context: CheckContext): string | null;
}

/** appliesTo for checks that judge every output. */
export const always = (): boolean => true;
/** appliesTo for checks that judge only some output kinds. */
export function forKinds(...kinds: OutputSpec['kind'][]): CheckDefinition['appliesTo'] {
  return (output) => kinds.includes(output.kind);
}

/** A context field the pipeline provides for the check's `needs`; missing means a registry bug. */
export function provided<T>(value: T | undefined, what: string, check: CheckName): T {
  if (value === undefined) throw new Error(`check ${check}: the pipeline did not provide ${what} (wrong 'needs' in its definition?)`);
  return value;
}

/** Width and height of decoded media (per frame for animations). */
export function pictureOf(media: DecodedMedia): { width: number; height: number } {
  switch (media.kind) {
    case 'png':
    case 'jpeg':
      return media.image;
    case 'webp-animated':
      return media.webp;
    case 'mp4':
      return media.mp4;
    case 'json':
      throw new Error('a JSON output has no picture');
  }
}

/** The decoded MP4 of a check that applies to MP4 outputs only. */
export function mp4Of(media: DecodedMedia | undefined, check: CheckName) {
  const m = provided(media, 'decoded media', check);
  if (m.kind !== 'mp4') throw new Error(`check ${check}: expected decoded MP4, got ${m.kind}`);
  return m.mp4;
}

/**
 * The check registry: given one response (plain data, no client) and the catalog's expectation,
 * run the applicable output checks in a fixed order. Decoding happens once, here; when it fails,
 * the checks that need decoded media are reported as 'skip' with the reason, never thrown.
 */
import type { ErrorCase, HeaderSpec, OutputSpec } from '../catalog/types.ts';
import { describeError } from '../errors/index.ts';
import { sniffMediaType } from '../media/sniff.ts';
import type { SniffedType } from '../media/types.ts';
import { sampleLumaFrames, type SampleOptions } from '../media/sample.ts';
import { checkBlank, frameStats, type BlankThresholds } from './blank.ts';
import { checkCodec } from './codec.ts';
import { checkCostHeaders, checkSurvivingHeaders } from './cost-headers.ts';
import { checkDecodable, decodeOutput, frameLimit, type DecodedMedia } from './decodable.ts';
import { checkDetail } from './detail.ts';
import { checkDuration } from './duration.ts';
import { checkDocDrift } from './doc-drift.ts';
import { checkErrorBody, judgeErrorBody } from './error-body.ts';
import { checkErrorStatus } from './error-status.ts';
import { expectedOutput, type ExpectedOutput, type InputMediaInfo } from './expected.ts';
import { checkFileSize } from './file-size.ts';
import { checkFrameCount, checkMp4Timing, checkWebpTiming } from './frames.ts';
import { checkImageSize } from './image-size.ts';
import { checkDeclaredType, checkMediaType } from './media-type.ts';
import { checkMotion } from './motion.ts';
import { checkPixelFormat } from './pixel-format.ts';
import { checkStatus } from './status.ts';
import { fail, skip, type CheckName, type CheckResult } from './types.ts';

export { expectedOutput, type ExpectedOutput, type InputMediaInfo } from './expected.ts';
export type { DecodedMedia, DecodeOutcome } from './decodable.ts';

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

/** Checks that need decoded media, per output kind, in report order. */
const DECODED_CHECKS: Record<OutputSpec['kind'], CheckName[]> = {
  png: ['image-size', 'blank-output', 'detail'],
  jpeg: ['image-size', 'blank-output', 'detail'],
  'webp-animated': ['image-size', 'frame-count', 'frame-timing', 'blank-output', 'motion', 'detail'],
  mp4: ['image-size', 'frame-count', 'frame-timing', 'duration', 'codec', 'pixel-format', 'blank-output', 'motion', 'detail'],
  json: [],
};
/** The checks that judge sampled pixels (run together on one set of decoded frames). */
const PIXEL_CHECKS: ReadonlySet<CheckName> = new Set(['blank-output', 'motion', 'detail']);

/**
 * Every check runOutputChecks reports for an output, in report order: the registry's one list, from
 * which the skip list after a failed status and the probes' metric label sets are derived.
 */
export function outputCheckNames(output: OutputSpec, headers: HeaderSpec): CheckName[] {
  const names: CheckName[] = ['status', 'media-type', 'declared-type', 'decodable', ...DECODED_CHECKS[output.kind], 'file-size'];
  if (headers.cost !== 'none') names.push('cost-headers');
  if (headers.surviving && Object.keys(headers.surviving).length) names.push('surviving-headers');
  return names;
}

export async function runOutputChecks(input: OutputCheckInput): Promise<CheckResult[]> {
  const { output, response } = input;
  const results: CheckResult[] = [];
  const status = withBodyExcerpt(checkStatus(response.status, input.expectedStatuses ?? [200]), response.body);
  results.push(status);
  if (status.verdict !== 'pass') {
    const why = `no output to judge: status ${response.status ?? 'none'}`;
    for (const name of outputCheckNames(output, input.headers).filter((n) => n !== 'status')) results.push(skip(name, why));
    return results;
  }

  const body = response.body;
  const sniffed = response.sniffedType ?? sniffMediaType(body);
  const mediaType = checkMediaType(sniffed, output.kind);
  results.push(mediaType);
  results.push(checkDeclaredType(response.declaredType, sniffed, output.declaredType));

  const expected = safely('image-size', () => expectedOutput(output, input.request, input.inputs ?? {}));
  let media: DecodedMedia | null = null;
  if (mediaType.verdict !== 'pass') {
    const why = `not decoded: bytes are ${sniffed}, expected ${output.kind}`;
    results.push(skip('decodable', why), ...DECODED_CHECKS[output.kind].map((n) => skip(n, why)));
  } else {
    const maxFrames = 'verdict' in expected ? undefined : frameLimit(expected.frames);
    const outcome = await decodeOutput(output.kind, body, { maxFrames });
    results.push(checkDecodable(output.kind, outcome));
    if (outcome.ok) media = outcome.media;
    else results.push(...DECODED_CHECKS[output.kind].map((n) => skip(n, `not decodable: ${outcome.reason}`)));
  }

  if (media) {
    if (!('verdict' in expected)) results.push(...decodedChecks(media, expected, input));
    else results.push(expected, ...DECODED_CHECKS[output.kind].filter((n) => n !== 'image-size' && !PIXEL_CHECKS.has(n)).map((n) => skip(n, expected.message)));
    if (media.kind !== 'json') results.push(...(await pixelChecks(body, media, input.options?.blank, 'verdict' in expected ? undefined : expected.frames)));
  }

  results.push(checkFileSize(body.length, output.minBytes));
  if (input.headers.cost !== 'none') results.push(checkCostHeaders(response.headers, input.headers.cost));
  if (input.headers.surviving && Object.keys(input.headers.surviving).length) {
    results.push(checkSurvivingHeaders(response.headers, input.headers.surviving));
  }
  return results;
}

/** Size, frames, timing, duration, codec — by kind, from the decoded headers. */
function decodedChecks(media: DecodedMedia, expected: ExpectedOutput, input: OutputCheckInput): CheckResult[] {
  switch (media.kind) {
    case 'png':
    case 'jpeg':
      return [checkImageSize(media.image, expected)];
    case 'webp-animated':
      return [checkImageSize(media.webp, expected), checkFrameCount(media.webp.frames, expected), checkWebpTiming(media.webp.delaysMs, expected)];
    case 'mp4': {
      const videoInput = Object.values(input.inputs ?? {}).find((i) => i.audioTracks !== undefined);
      return [
        checkImageSize(media.mp4, expected),
        checkFrameCount(media.mp4.frames, expected),
        checkMp4Timing(media.mp4.fps, expected),
        checkDuration(media.mp4, expected),
        ...checkCodec(media.mp4, input.output, videoInput?.audioTracks),
        checkPixelFormat(media.mp4, input.output),
      ];
    }
    case 'json':
      return [];
  }
}

/**
 * Blank, motion and detail from one sampling of the frames. When the frames cannot be decoded,
 * blank-output fails with the reason and the other two are skipped (one finding, not three).
 */
async function pixelChecks(body: Uint8Array, media: Exclude<DecodedMedia, { kind: 'json' }>, options: OutputCheckOptions['blank'], expectedFrames: number | undefined): Promise<CheckResult[]> {
  const video = media.kind === 'webp-animated' || media.kind === 'mp4';
  const names: CheckName[] = video ? ['blank-output', 'motion', 'detail'] : ['blank-output', 'detail'];
  if (options === false) return names.map((n) => skip(n, 'disabled by options'));
  const frames = media.kind === 'webp-animated' ? media.webp.frames : media.kind === 'mp4' ? media.mp4.frames : 1;
  let sampled;
  try {
    sampled = await sampleLumaFrames(body, media.kind, frames, { maxDecodedCanvases: decodeBudget(expectedFrames), ...options });
  } catch (err) {
    const why = `could not decode frames to inspect: ${describeError(err)}`;
    return [fail('blank-output', why), ...names.slice(1).map((n) => skip(n, why))];
  }
  const results = [checkBlank(frameStats(sampled), options?.thresholds)];
  if (video) results.push(checkMotion(sampled));
  results.push(checkDetail(sampled));
  return results;
}

/**
 * Canvases of WebP decoding the pixel checks may spend. A healthy animation needs at most one per
 * frame up to the last sampled frame (libwebp's sub-rectangles often less), so the requested frame
 * count plus 4 (at least 16) never stops a healthy output, while a file with more frames than asked
 * for costs no more than a healthy one before sampling stops with the reason (frame-count reports
 * the count). Without an expected count only the sampling deadline bounds it.
 */
export function decodeBudget(expectedFrames: number | undefined): number | undefined {
  return expectedFrames === undefined ? undefined : Math.max(16, Math.ceil(expectedFrames) + 4);
}

const STATUS_BODY_EXCERPT_CHARS = 200;

/**
 * A failed status says what came back instead: the start of the body (an HTML error page, a
 * truncated `{"error":`), one line, control characters escaped, so the finding names the problem.
 */
function withBodyExcerpt(status: CheckResult, body: Uint8Array): CheckResult {
  if (status.verdict !== 'fail' || body.length === 0) return status;
  const text = Buffer.from(body.subarray(0, STATUS_BODY_EXCERPT_CHARS * 4)).toString('utf8');
  const chars = [...text];
  const excerpt = JSON.stringify(chars.slice(0, STATUS_BODY_EXCERPT_CHARS).join(''));
  const more = body.length > STATUS_BODY_EXCERPT_CHARS || chars.length > STATUS_BODY_EXCERPT_CHARS ? ` (${body.length} bytes)` : '';
  return { ...status, message: `${status.message}; body ${excerpt}${more}` };
}

/** A bad catalog value (e.g. an unparseable rule) becomes a failing result, not an exception. */
function safely<T>(name: CheckName, fn: () => T): T | CheckResult {
  try {
    return fn();
  } catch (err) {
    return fail(name, `could not derive the expected output: ${describeError(err)}`);
  }
}

/**
 * A case that cannot succeed. Bad input ('negative'): the promised client error (error-status) and
 * a body that names the field (error-body). A removed route: 404 (status, error-body) and, when the
 * fleet's docs or client still list it, doc-drift.
 */
export function runErrorCaseChecks(
  errorCase: ErrorCase,
  response: Pick<CheckedResponse, 'status' | 'body'>,
  context: { kind?: 'negative' | 'removed'; stillListedBy?: readonly string[] } = {},
): CheckResult[] {
  if ((context.kind ?? 'negative') === 'negative') {
    return [checkErrorStatus(response.status, response.body, errorCase), judgeErrorBody(response.status, response.body, errorCase.expect)];
  }
  return [...checkErrorBody(response.status, response.body, errorCase.expect), checkDocDrift(response.status, context.stillListedBy)];
}

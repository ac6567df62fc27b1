/**
 * The check pipeline: given one answered call (plain data, no client), the catalog's expectation
 * and what the runner supplies (the call's outcome, the face model, the golden images, the timing),
 * run the registry's applicable checks (registry.ts) stage by stage, as their `needs` say. Decoding
 * and frame sampling happen once, here; when a gate fails (status, media-type, decodable) the later
 * stages' checks are reported as 'skip' with the reason, never thrown.
 */
import type { ErrorCase } from '../catalog/types.ts';
import { describeError } from '../errors/index.ts';
import { sniffMediaType } from '../media/sniff.ts';
import { sampleLumaFrames } from '../media/sample.ts';
import { decodeOutput, frameLimit } from './decodable.ts';
import { CHECK_NEEDS, reportedNames, type CheckContext, type CheckDefinition, type CheckedResponse, type CheckNeeds, type CheckSubject, type OutputCheckInput } from './definition.ts';
import { checkDocDrift } from './doc-drift.ts';
import { checkErrorBody, judgeErrorBody } from './error-body.ts';
import { checkErrorStatus } from './error-status.ts';
import { expectedOutput, type ExpectedOutput } from './expected.ts';
import { CHECKS } from './registry.ts';
import { fail, skip, type CheckName, type CheckResult } from './types.ts';

export { expectedOutput, type ExpectedOutput, type InputMediaInfo } from './expected.ts';
export type { DecodedMedia, DecodeOutcome } from './definition.ts';
export type { CheckedResponse, CheckSubject, OutputCheckInput, OutputCheckOptions } from './definition.ts';

/** The registry's checks that apply to a subject, in report order. */
function applicableChecks(subject: CheckSubject): CheckDefinition[] {
  return CHECKS.filter((c) => c.appliesTo(subject));
}

/**
 * Every name the registry's checks report for a subject, in report order: the one list from which
 * the skip list after a failed status, the contract plan's and the probes' metric label sets derive.
 */
export function checkNamesFor(subject: CheckSubject, stages: readonly CheckNeeds[] = CHECK_NEEDS): CheckName[] {
  return applicableChecks(subject)
    .filter((c) => stages.includes(c.needs))
    .flatMap(reportedNames);
}

/** What the runner supplies for a stage; a stage it does not supply (no face model, golden off) is not run. */
const SUPPLIED_BY_RUNNER: Partial<Record<CheckNeeds, (input: OutputCheckInput) => unknown>> = {
  call: (input) => input.transport,
  'face-model': (input) => input.faceModel,
  'golden-image': (input) => input.golden,
  timing: (input) => input.timing,
};
const supplied = (stage: CheckNeeds, input: OutputCheckInput) => SUPPLIED_BY_RUNNER[stage]?.(input) !== undefined || !(stage in SUPPLIED_BY_RUNNER);

/**
 * How a stage's checks fare once a gate has said why the later stages cannot run: the output's
 * checks are reported as skipped with the reason; the face and golden comparisons, which add no
 * finding to an output that did not decode, are left out; the call's time is judged regardless.
 */
const ONCE_BLOCKED: Record<CheckNeeds, 'skip' | 'omit' | 'run'> = {
  call: 'run',
  response: 'skip',
  bytes: 'skip',
  'typed-bytes': 'skip',
  decoded: 'skip',
  frames: 'skip',
  'face-model': 'omit',
  'golden-image': 'omit',
  timing: 'run',
};

/** The expected output, or the failure that says why it could not be derived. */
type Expectation = ExpectedOutput | CheckResult;

async function runChecks(checks: CheckDefinition[], context: CheckContext): Promise<{ results: CheckResult[]; blocked: string | null }> {
  const results: CheckResult[] = [];
  let blocked: string | null = null;
  for (const check of checks) {
    const out = [await check.run(context)].flat();
    results.push(...out);
    if (out[0]) blocked ??= check.blocks?.(out[0], context) ?? null;
  }
  return { results, blocked };
}

/**
 * The registry's 'call'-stage checks (transport). The runner asks them first, for every case: a
 * failing one ends the case, for a call with no usable answer has nothing else to judge.
 */
export async function runCallChecks(input: OutputCheckInput): Promise<CheckResult[]> {
  if (!supplied('call', input)) throw new Error('runCallChecks: the input has no transport outcome');
  const checks = applicableChecks(input).filter((c) => c.needs === 'call');
  return (await runChecks(checks, { input, sniffed: 'unknown' })).results;
}

/** The registry's checks of the answer, from stage 'response' on, each stage the input supplies. */
export async function runOutputChecks(input: OutputCheckInput): Promise<CheckResult[]> {
  const checks = applicableChecks(input).filter((c) => c.needs !== 'call' && supplied(c.needs, input));
  const context: CheckContext = { input, sniffed: 'unknown' };
  const state: { expectation?: Expectation } = {};
  const results: CheckResult[] = [];
  let blocked: string | null = null;
  for (const stage of CHECK_NEEDS.filter((s) => s !== 'call')) {
    const stageChecks = checks.filter((c) => c.needs === stage);
    if (blocked !== null && ONCE_BLOCKED[stage] !== 'run') {
      const why: string = blocked;
      if (ONCE_BLOCKED[stage] === 'skip') results.push(...stageChecks.flatMap(reportedNames).map((name) => skip(name, why)));
      continue;
    }
    const prepared = await prepareStage(stage, stageChecks, context, state);
    if (prepared) {
      results.push(...prepared);
      continue;
    }
    const ran = await runChecks(stageChecks, context);
    results.push(...ran.results);
    blocked ??= ran.blocked;
  }
  return inRegistryOrder(results);
}

/**
 * Gives the context what a stage needs (the sniffed type, the decode outcome, the decoded media and
 * expected output, the sampled frames), or the stage's results when its checks cannot run as such.
 */
async function prepareStage(stage: CheckNeeds, stageChecks: CheckDefinition[], context: CheckContext, state: { expectation?: Expectation }): Promise<CheckResult[] | null> {
  const { input } = context;
  const body = input.response.body;
  switch (stage) {
    case 'call':
    case 'response':
    case 'face-model':
    case 'golden-image':
    case 'timing':
      return null;
    case 'bytes':
      context.sniffed = input.response.sniffedType ?? sniffMediaType(body);
      state.expectation = safely('image-size', () => expectedOutput(input.output, input.request, input.inputs ?? {}));
      return null;
    case 'typed-bytes': {
      const expected = state.expectation;
      const maxFrames = !expected || 'verdict' in expected ? undefined : frameLimit(expected.frames);
      context.decode = await decodeOutput(input.output.kind, body, { maxFrames });
      if (context.decode.ok) context.media = context.decode.media;
      return null;
    }
    case 'decoded': {
      const expected = state.expectation;
      if (!expected || !('verdict' in expected)) {
        context.expected = expected;
        return null;
      }
      // The expectation's failure is reported once, under its own name; the checks it feeds skip.
      return [expected, ...stageChecks.filter((c) => c.name !== expected.check).map((c) => skip(c.name, expected.message))];
    }
    case 'frames':
      return stageChecks.length ? sampleFrames(stageChecks, context, state.expectation) : [];
  }
}

/**
 * Samples the frames the pixel checks judge, once. Disabled by options: all skip. When the frames
 * cannot be decoded, the first pixel check fails with the reason and the others skip (one finding).
 */
async function sampleFrames(stageChecks: CheckDefinition[], context: CheckContext, expectation: Expectation | undefined): Promise<CheckResult[] | null> {
  const options = context.input.options?.blank;
  if (options === false) return stageChecks.map((c) => skip(c.name, 'disabled by options'));
  const media = context.media;
  if (!media || media.kind === 'json') throw new Error('frame checks apply to decoded images and videos only');
  const frames = media.kind === 'webp-animated' ? media.webp.frames : media.kind === 'mp4' ? media.mp4.frames : 1;
  const expectedFrames = !expectation || 'verdict' in expectation ? undefined : expectation.frames;
  try {
    context.frames = await sampleLumaFrames(context.input.response.body, media.kind, frames, { maxDecodedCanvases: decodeBudget(expectedFrames), ...options });
  } catch (err) {
    const why = `could not decode frames to inspect: ${describeError(err)}`;
    return [fail(stageChecks[0].name, why), ...stageChecks.slice(1).map((c) => skip(c.name, why))];
  }
  return null;
}

const REPORT_ORDER = new Map<CheckName, number>(CHECKS.flatMap((c, i) => reportedNames(c).map((name) => [name, i] as const)));

/** Results in the registry's order (stable: a check's several results keep theirs). */
function inRegistryOrder(results: CheckResult[]): CheckResult[] {
  const rank = (r: CheckResult) => REPORT_ORDER.get(r.check) ?? CHECKS.length;
  return [...results].sort((a, b) => rank(a) - rank(b));
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

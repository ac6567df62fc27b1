/**
 * Every check of a case's answer, one line each, in report order: the runner runs the ones that
 * apply (runCallChecks, runOutputChecks), and their order, the skip lists and checkNamesFor (the
 * contract plan's and the probes' metric label sets) derive from this list. RUNNER_CHECK_NAMES are
 * the checks of error cases, health probes and consumers, reported outside it; the registry's names
 * and those together are CHECK_NAMES (registry-names.test.ts pins it).
 */
import { blankOutputCheck } from './blank.ts';
import { codecCheck } from './codec.ts';
import { costHeadersCheck } from './cost-headers.ts';
import { declaredTypeCheck } from './declared-type.ts';
import { decodableCheck } from './decodable.ts';
import type { CheckDefinition } from './definition.ts';
import { detailCheck } from './detail.ts';
import { durationCheck } from './duration.ts';
import { faceIdentityCheck } from './face.ts';
import { fileSizeCheck } from './file-size.ts';
import { frameTimingCheck } from './frame-timing.ts';
import { frameCountCheck } from './frames.ts';
import { goldenDriftCheck } from './golden.ts';
import { imageSizeCheck } from './image-size.ts';
import { latencyCheck } from './latency.ts';
import { mediaTypeCheck } from './media-type.ts';
import { motionCheck } from './motion.ts';
import { pixelFormatCheck } from './pixel-format.ts';
import { statusCheck } from './status.ts';
import { survivingHeadersCheck } from './surviving-headers.ts';
import { transportCheck } from './transport.ts';
import type { CheckName } from './types.ts';

export const CHECKS: readonly CheckDefinition[] = [
  transportCheck,
  statusCheck,
  mediaTypeCheck,
  declaredTypeCheck,
  decodableCheck,
  imageSizeCheck,
  frameCountCheck,
  frameTimingCheck,
  durationCheck,
  codecCheck,
  pixelFormatCheck,
  blankOutputCheck,
  motionCheck,
  detailCheck,
  fileSizeCheck,
  costHeadersCheck,
  survivingHeadersCheck,
  faceIdentityCheck,
  goldenDriftCheck,
  latencyCheck,
];

/**
 * Checks reported outside the registry: an error case's (runErrorCaseChecks), route-broken in place
 * of status on a route recorded as failing (the runner), the health probe's and the consumers'.
 */
export const RUNNER_CHECK_NAMES: readonly CheckName[] = ['error-body', 'error-status', 'route-broken', 'doc-drift', 'health', 'consumer-contract'];

/**
 * Every output check, one line each, in report order. runOutputChecks' order and skip lists,
 * outputCheckNames (the contract plan's and the probes' metric label sets) derive from this list;
 * RUNNER_CHECK_NAMES are the checks the runner, probes and consumers report themselves, and the
 * two together are CHECK_NAMES (registry-names.test.ts pins it).
 */
import { blankOutputCheck } from './blank.ts';
import { codecCheck } from './codec.ts';
import { costHeadersCheck } from './cost-headers.ts';
import { declaredTypeCheck } from './declared-type.ts';
import { decodableCheck } from './decodable.ts';
import type { CheckDefinition } from './definition.ts';
import { detailCheck } from './detail.ts';
import { durationCheck } from './duration.ts';
import { fileSizeCheck } from './file-size.ts';
import { frameTimingCheck } from './frame-timing.ts';
import { frameCountCheck } from './frames.ts';
import { imageSizeCheck } from './image-size.ts';
import { mediaTypeCheck } from './media-type.ts';
import { motionCheck } from './motion.ts';
import { pixelFormatCheck } from './pixel-format.ts';
import { statusCheck } from './status.ts';
import { survivingHeadersCheck } from './surviving-headers.ts';
import type { CheckName } from './types.ts';

export const OUTPUT_CHECKS: readonly CheckDefinition[] = [
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
];

/** Checks reported outside runOutputChecks: by the runner (run-endpoint.ts), the probes, the face and consumer checks. */
export const RUNNER_CHECK_NAMES: readonly CheckName[] = [
  'transport',
  'error-body',
  'error-status',
  'route-broken',
  'doc-drift',
  'golden-drift',
  'face-present',
  'face-match',
  'latency',
  'health',
  'consumer-contract',
];

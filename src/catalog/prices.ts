/**
 * GPU prices as the fleet's own cost tracker uses them (docs/fleet.md §5:
 * apps/modal/utils/cost_tracker.py, byte-identical to apps/modal/shared/utils/cost_tracker.py).
 *
 * Doc contradictions, deliberately NOT followed (the catalog follows the code):
 * - apps/modal/docs/COST-TRACKING.md says L40S = $0.000694/s (that is the A100 price in the code).
 * - apps/modal/docs/ENDPOINTS-REFERENCE.md says A100-80GB = $0.00167/s, yet computes its wan22
 *   costs ($0.130 / $0.230) at the L40S rate ($0.000542/s).
 * - MODAL-ENDPOINT-COST-REPORT.md and GPU-REQUIREMENTS.md agree with the code table below.
 * The wan22 handlers bill under the key "A100", which the code prices like A100-80GB (0.000694).
 * Unknown GPU keys fall back to the L40S price in the fleet; genprobe's Gpu type has no unknown key.
 */
import type { Gpu } from './types.ts';

export const GPU_PRICE_USD_PER_SEC: Readonly<Record<Gpu, number>> = Object.freeze({
  T4: 0.000164,
  L4: 0.000222,
  A10: 0.000306,
  L40S: 0.000542,
  'A100-40GB': 0.000556,
  'A100-80GB': 0.000694,
  H100: 0.001097,
});

/**
 * Modal answers a web request synchronously for at most 150 s; after that it replies 303 with a
 * blocking result URL (docs/fleet.md §0.9, https://modal.com/docs/guide/webhook-timeouts).
 */
export const MODAL_HTTP_LIMIT_SEC = 150;

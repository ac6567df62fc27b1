/** What a call cost, for reports (the gate) and the GPU budget (the probe service). */
import { GPU_PRICE_USD_PER_SEC } from '../catalog/prices.ts';
import type { Gpu } from '../catalog/types.ts';
import type { CallResult } from '../client/types.ts';

/** X-Cost-USD as the fleet formats it (`f"{cost:.6f}"`); anything else is ignored. */
const COST_HEADER = /^\d+(\.\d+)?$/;

/** USD cost of one call: the fleet's own X-Cost-USD, else real-scale GPU-seconds × price. */
export function callCostUsd(call: Pick<CallResult, 'headers' | 'totalMs'>, gpu: Gpu, timeScale: number): number {
  const header = call.headers['x-cost-usd'];
  if (header && COST_HEADER.test(header.trim())) return Number(header);
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
  return (Math.max(0, call.totalMs) / 1000 / timeScale) * GPU_PRICE_USD_PER_SEC[gpu];
}

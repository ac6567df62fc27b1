/**
 * What a call cost, for reports (the gate) and the GPU budget (the probe service).
 *
 * A call is charged its real-fleet wall time × the GPU's price: the most it can have cost, since
 * Modal bills a container for every second it runs, and a container serving the call runs at
 * least while the call is open (a cold start's boot included, which the fleet's own X-Cost-USD,
 * measured inside the handler, leaves out: jatidevelopments/ryla@57209b5:apps/modal/handlers/flux.py
 * sets it from `tracker.stop()` after the workflow). The figure comes from genprobe's own clock, so
 * no answer can move the budget further than the time it really took, and an answer claiming
 * `0.000000` cannot hide that time either.
 *
 * The endpoint's X-Cost-USD is cross-checked, never trusted: more than that bound (a claim that
 * would drain a month's budget in one call) or out of line with its own X-Execution-Time-Sec is a
 * finding.
 */
import { GPU_PRICE_USD_PER_SEC } from '../catalog/prices.ts';
import type { Gpu } from '../catalog/types.ts';
import { fail, type CheckResult } from '../checks/types.ts';
import type { CallResult } from '../client/types.ts';

/** A decimal X-Cost-USD, any number of digits (the fleet sends `f"{cost:.6f}"`; the format is the cost-headers check's job). */
const COST_HEADER = /^\d+(\.\d+)?$/;
/** X-Execution-Time-Sec as the fleet formats it (`f"{t:.3f}"`). */
const EXEC_HEADER = /^\d{1,7}\.\d{3}$/;

/** The fleet prices the `A100` it reports at the A100-80GB rate (catalog/prices.ts). */
const FLEET_GPU_KEYS: Readonly<Record<string, Gpu>> = { L40S: 'L40S', A100: 'A100-80GB' };

/**
 * Slack for comparing the server's clock with ours: the header is rounded to 6 places, and the
 * handler's timer and genprobe's run on different machines (1 % covers clock-rate drift).
 */
const ROUNDING_USD = 0.000001;
const CLOCK_SLACK = 0.01;

export interface CallCost {
  /** What the call is charged: real-scale wall seconds × the GPU's price. */
  usd: number;
  /** The endpoint's own X-Cost-USD when well-formed, for reports; never charged. */
  headerUsd: number | null;
  /** Why the endpoint's cost headers cannot be right, or null. */
  finding: string | null;
}

function money(usd: number): string {
  return `$${usd.toFixed(6)}`;
}

/** Real-fleet seconds a call lasted: measured / timeScale (the emulator runs time-scaled). */
function realSeconds(totalMs: number, timeScale: number): number {
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
  return Math.max(0, totalMs) / 1000 / timeScale;
}

/** Why the header cost cannot be right for a call of `wallSec` on `gpu`, or null. */
function headerFinding(headers: Record<string, string>, header: string, wallSec: number, gpu: Gpu): string | null {
  const headerUsd = Number(header);
  const price = GPU_PRICE_USD_PER_SEC[gpu];
  const bound = wallSec * price;
  if (!(headerUsd <= bound * (1 + CLOCK_SLACK) + ROUNDING_USD)) {
    const quoted = header.length > 24 ? `${header.slice(0, 24)}… (${header.length} characters)` : header;
    return `implausible X-Cost-USD ${quoted}: the call lasted ${wallSec.toFixed(3)} s, which on ${gpu} at ${money(price)}/s costs at most ${money(bound)}; charged ${money(bound)}`;
  }
  const exec = headers['x-execution-time-sec']?.trim();
  if (exec === undefined || !EXEC_HEADER.test(exec)) return null;
  const execPrice = GPU_PRICE_USD_PER_SEC[FLEET_GPU_KEYS[headers['x-gpu-type']?.trim() ?? ''] ?? gpu];
  const implied = Number(exec) * execPrice;
  if (Math.abs(headerUsd - implied) > implied * CLOCK_SLACK + ROUNDING_USD) {
    return `X-Cost-USD ${money(headerUsd)} does not match X-Execution-Time-Sec ${exec} s × ${money(execPrice)}/s = ${money(implied)}; charged the call's wall time, ${money(bound)}`;
  }
  return null;
}

export function callCost(call: Pick<CallResult, 'headers' | 'totalMs'>, gpu: Gpu, timeScale: number): CallCost {
  const wallSec = realSeconds(call.totalMs, timeScale);
  const usd = wallSec * GPU_PRICE_USD_PER_SEC[gpu];
  const header = call.headers['x-cost-usd']?.trim();
  if (header === undefined || !COST_HEADER.test(header)) return { usd, headerUsd: null, finding: null };
  const finding = headerFinding(call.headers, header, wallSec, gpu);
  const headerUsd = Number(header);
  return { usd, headerUsd: Number.isFinite(headerUsd) ? headerUsd : null, finding };
}

/** The cost-headers failure for a call's implausible X-Cost-USD (`finding` from callCost), with what it said. */
export function costFindingCheck(call: Pick<CallResult, 'headers'>, finding: string): CheckResult {
  return fail('cost-headers', finding, { 'x-cost-usd': call.headers['x-cost-usd'] ?? null }, "at most the call's wall time × the GPU's price");
}

/** USD charged for one call (see callCost). */
export function callCostUsd(call: Pick<CallResult, 'headers' | 'totalMs'>, gpu: Gpu, timeScale: number): number {
  return callCost(call, gpu, timeScale).usd;
}

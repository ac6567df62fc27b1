/**
 * The endpoint catalog: every route of the fleet as data (docs/fleet.md §3), plus the few pure
 * functions the rest of genprobe needs to read it (lookup, budgets, cost). Imports nothing from
 * genprobe outside src/catalog.
 *
 * To add an endpoint: add an entry to the matching file in ./endpoints/ (or a new file listed
 * below), then run `npx vitest run src/catalog`.
 */
import { APPS } from './apps.ts';
import { FLUX_ENDPOINTS } from './endpoints/flux.ts';
import { INSTANTID_ENDPOINTS } from './endpoints/instantid.ts';
import { LORA_ENDPOINTS } from './endpoints/lora.ts';
import { PHANTOM_ENDPOINTS } from './endpoints/phantom.ts';
import { QWEN_IMAGE_ENDPOINTS } from './endpoints/qwen-image.ts';
import { SEEDVR2_ENDPOINTS } from './endpoints/seedvr2.ts';
import { WAN2_ENDPOINTS } from './endpoints/wan2.ts';
import { WAN22_ENDPOINTS } from './endpoints/wan22.ts';
import { WAN26_ENDPOINTS } from './endpoints/wan26.ts';
import { Z_IMAGE_ENDPOINTS } from './endpoints/z-image.ts';
import { GPU_PRICE_USD_PER_SEC, MODAL_HTTP_LIMIT_SEC } from './prices.ts';
import type { AppName, EndpointEntry, FixtureRef, MeasuredTiming, SampleRequest, SampleValue } from './types.ts';

export { APPS } from './apps.ts';
export { FIXTURES } from './fixtures.ts';
export type { FixtureFile } from './fixtures.ts';
export { GPU_PRICE_USD_PER_SEC, MODAL_HTTP_LIMIT_SEC } from './prices.ts';
export type * from './types.ts';

export const CATALOG: readonly EndpointEntry[] = Object.freeze([
  ...FLUX_ENDPOINTS,
  ...INSTANTID_ENDPOINTS,
  ...QWEN_IMAGE_ENDPOINTS,
  ...Z_IMAGE_ENDPOINTS,
  ...WAN26_ENDPOINTS,
  ...WAN22_ENDPOINTS,
  ...SEEDVR2_ENDPOINTS,
  ...LORA_ENDPOINTS,
  ...WAN2_ENDPOINTS,
  ...PHANTOM_ENDPOINTS,
]);

const BY_ID: ReadonlyMap<string, EndpointEntry> = new Map(CATALOG.map((e) => [e.id, e]));

/** The entry with this id; an unknown id throws, naming the closest known ids. */
export function getEndpoint(id: string): EndpointEntry {
  const entry = BY_ID.get(id);
  if (entry) return entry;
  const close = closestIds(id, 5);
  throw new Error(
    `Unknown endpoint id "${id}". ${close.length ? `Did you mean: ${close.join(', ')}?` : ''} ` +
      `Known ids: ${CATALOG.length} (see src/catalog/endpoints/).`,
  );
}

export function endpointsByTag(tag: string): EndpointEntry[] {
  return CATALOG.filter((e) => e.tags.includes(tag));
}

export function endpointsByApp(app: AppName): EndpointEntry[] {
  return CATALOG.filter((e) => e.app === app);
}

/**
 * Entries expected to work. With `deployedOnly`, also drop routes whose app is not known to be
 * deployed (ryla-lora's /flux-lora), which would answer 404 "modal-http: invalid function call".
 */
export function liveEndpoints(options: { deployedOnly?: boolean } = {}): EndpointEntry[] {
  return CATALOG.filter(
    (e) => e.lifecycle === 'live' && (!options.deployedOnly || APPS[e.app].deployed === 'yes'),
  );
}

// ------------------------------------------------------------------------------------ budgets

/** Headroom over the expected warm time before a call counts as slow. */
const WARM_HEADROOM = 1.5;

/**
 * Measured times that say something about a warm call: successful calls (outcome absent or 'ok')
 * not known to include a cold start ('cold') or a mix of cold and warm calls ('mixed', the API
 * report, whose retried rows are sums of two attempts). Error and timeout times are excluded.
 */
export function warmishSeconds(measured: readonly MeasuredTiming[]): number[] {
  return measured
    .filter((m) => (m.outcome ?? 'ok') === 'ok' && m.start !== 'cold' && m.start !== 'mixed')
    .map((m) => m.seconds);
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Seconds a call may take before genprobe calls it slow.
 *
 * warm = max(documentedSec, median of warm-ish measured times) × 1.5. Taking the larger of the
 *        documented and the measured value keeps a single lucky fast run from tightening the budget
 *        below what the fleet itself promises; the median ignores one-off outliers; 1.5 is headroom
 *        for a shared GPU. A route with neither (never timed) gets Modal's synchronous window,
 *        MODAL_HTTP_LIMIT_SEC, as its base: the fleet's own callers assume such calls fit in it.
 * cold = warm + the app's documented cold start (container start + ComfyUI launch), because the
 *        first call after >300 s idle pays `@modal.enter` before any work.
 * Rounded to 0.1 s so budgets print and export as stable numbers.
 */
export function latencyBudgetSec(entry: EndpointEntry, start: 'cold' | 'warm'): number {
  const base = Math.max(entry.timing.documentedSec ?? 0, median(warmishSeconds(entry.timing.measured)) ?? 0);
  const warm = (base > 0 ? base : MODAL_HTTP_LIMIT_SEC) * WARM_HEADROOM;
  const budget = start === 'warm' ? warm : warm + APPS[entry.app].coldStartSec;
  return Math.round(budget * 10) / 10;
}

/** Modal kills the function after this many seconds, whatever the client waits for. */
export function hardLimitSec(entry: EndpointEntry): number {
  return APPS[entry.app].functionTimeoutSec;
}

/** The route's latency budget, all three numbers (seconds, real-fleet scale): what the latency check judges against. */
export function latencyBudget(entry: EndpointEntry): { warmSec: number; coldSec: number; hardSec: number } {
  return { warmSec: latencyBudgetSec(entry, 'warm'), coldSec: latencyBudgetSec(entry, 'cold'), hardSec: hardLimitSec(entry) };
}

/** GPU cost of `seconds` of the entry's GPU, at the fleet cost tracker's prices. */
export function costEstimateUsd(entry: EndpointEntry, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`costEstimateUsd(${entry.id}): seconds must be a finite number ≥ 0, got ${seconds}`);
  }
  return seconds * GPU_PRICE_USD_PER_SEC[entry.gpu];
}

// ----------------------------------------------------------------------------------- samples

export function isFixtureRef(value: unknown): value is FixtureRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$fixture' in value;
}

/**
 * The sample with every FixtureRef (also inside arrays) replaced by `resolve(ref)` — the request
 * builder passes a resolver that reads the fixture file; tests pass a placeholder.
 */
export function substituteFixtures(
  sample: SampleRequest,
  resolve: (ref: FixtureRef) => string,
): Record<string, unknown> {
  const visit = (value: SampleValue): unknown => {
    if (isFixtureRef(value)) return resolve(value);
    if (Array.isArray(value)) return value.map(visit);
    return value;
  };
  return Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, visit(value)]));
}

// ------------------------------------------------------------------------------------ helpers

function closestIds(id: string, limit: number): string[] {
  const needle = id.toLowerCase();
  return CATALOG.map((e) => ({
    id: e.id,
    score: e.id.includes(needle) || needle.includes(e.id) ? 0 : levenshtein(needle, e.id),
  }))
    .filter((c) => c.score <= Math.max(3, Math.floor(needle.length / 2)))
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((c) => c.id);
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * How a gate lays its calls on the fleet.
 *
 * The fleet's containers run one job at a time: the handlers are `async def` but block their event
 * loop polling ComfyUI with `requests` + `time.sleep` (jatidevelopments/ryla@57209b5:
 * apps/modal/handlers/flux.py:455-457 → apps/modal/utils/comfyui.py:255-545), while Modal routes up
 * to `max_inputs` requests to each container (apps/modal/apps/flux/app.py:54) and starts another
 * only when every container holds that many. Two genprobe calls on one container therefore queue,
 * and the second would be charged for the first — a healthy endpoint judged slow or timed out by
 * genprobe's own load. So the gate:
 *  - keeps at most `lanes(app)` of its calls in flight per app, one per container it warmed;
 *  - warms as many containers per app as it takes for the app's endpoint chains, packed longest
 *    first onto its lanes, to end within the slowest chain of the run (an app with one long route
 *    keeps one container; ryla-wan22-i2v with /wan22-i2v and /wan22-i2v-faceswap gets two);
 *  - serves waiting calls longest chain first, so the slowest chain is never queued behind cheap
 *    ones (estimates from the catalog's documented times).
 * A call's latency and deadline start when it is sent, after genprobe's own wait for a lane, which
 * is reported apart (`queueMs`).
 */
import { APPS, MODAL_HTTP_LIMIT_SEC, warmishSeconds } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';

/** A bad request fails validation before any GPU work (e.g. jatidevelopments/ryla@57209b5:apps/modal/handlers/flux.py:391): about this long. */
export const NEGATIVE_CASE_SEC = 2;
/** JSON routes (`GET /loras`, `/debug/test`) read a directory or return a constant. */
const JSON_CALL_SEC = 1;
/** More containers than this per app is not worth their cold starts for one gate run. */
export const MAX_CONTAINERS_PER_APP = 3;

function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Expected seconds of the happy-path call on a warm container (documented or measured time). */
export function expectedCallSec(entry: EndpointEntry): number {
  if (entry.output.kind === 'json') return JSON_CALL_SEC;
  const base = Math.max(entry.timing.documentedSec ?? 0, median(warmishSeconds(entry.timing.measured)) ?? 0);
  return base > 0 ? base : MODAL_HTTP_LIMIT_SEC;
}

/** Expected seconds of an endpoint's whole chain on one lane: its happy path and its error cases. */
export function chainSec(entry: EndpointEntry, negativeCases = true): number {
  if (entry.lifecycle !== 'live') return entry.errors.length * NEGATIVE_CASE_SEC;
  return expectedCallSec(entry) + (negativeCases ? entry.errors.length * NEGATIVE_CASE_SEC : 0);
}

/** Makespan of `tasks` packed longest first onto `lanes` parallel lanes. */
export function lptMakespan(tasks: readonly number[], lanes: number): number {
  const load = new Array<number>(Math.max(1, lanes)).fill(0);
  for (const t of [...tasks].sort((a, b) => b - a)) {
    let i = 0;
    for (let j = 1; j < load.length; j++) if (load[j] < load[i]) i = j;
    load[i] += t;
  }
  return Math.max(...load);
}

export interface GatePlan {
  /** Calls genprobe may have in flight per app = containers it warms there (1 when not planned). */
  lanes: Map<AppName, number>;
  /** Expected chain of each endpoint, fleet seconds; the priority of its happy path. */
  chainSec: Map<string, number>;
  /** Expected end of the slowest chain (its app's cold start + chain), fleet seconds. */
  targetSec: number;
  /** The endpoint whose chain that is (the run's critical path). */
  criticalId: string | null;
}

/**
 * The fewest containers per app that let every app end within the slowest chain: an app's chains
 * start after its own cold start (all apps warm at once) and run on its lanes longest first.
 */
export function planGate(entries: readonly EndpointEntry[], opts: { negativeCases?: boolean; maxContainersPerApp?: number } = {}): GatePlan {
  const negatives = opts.negativeCases !== false;
  const cap = opts.maxContainersPerApp ?? MAX_CONTAINERS_PER_APP;
  const chains = new Map(entries.map((e) => [e.id, chainSec(e, negatives)]));
  const byApp = new Map<AppName, number[]>();
  for (const e of entries) byApp.set(e.app, [...(byApp.get(e.app) ?? []), chains.get(e.id)!]);
  const start = (app: AppName) => (APPS[app]?.coldStartSec ?? 0);
  const ends = entries.map((e) => ({ id: e.id, end: start(e.app) + chains.get(e.id)! }));
  const critical = ends.reduce<{ id: string; end: number } | null>((a, b) => (!a || b.end > a.end ? b : a), null);
  const targetSec = critical?.end ?? 0;
  const lanes = new Map<AppName, number>();
  for (const [app, tasks] of byApp) {
    let l = 1;
    while (l < Math.min(cap, tasks.length) && start(app) + lptMakespan(tasks, l) > targetSec) l++;
    lanes.set(app, l);
  }
  return { lanes, chainSec: chains, targetSec, criticalId: critical?.id ?? null };
}

/** Concurrent warm-up requests that make Modal run `containers` containers of the app: it starts the next only when every one holds max_inputs. */
export function warmUpRequests(app: AppName, containers: number): number {
  return (Math.max(1, containers) - 1) * (APPS[app]?.maxInputs ?? 1) + 1;
}

/**
 * Route inventory without a GPU: every app of the fleet is FastAPI, so `GET /openapi.json` lists
 * the routes it really registers (jatidevelopments/ryla@57209b5:apps/modal/apps/<app>/app.py build
 * `FastAPI(title=…)` with the default openapi_url). Read here, below the gate and the consumers:
 * the gate reads each app's list during its warm-up and does not send a generation to a route the
 * app does not register (`routeVerdict`); `genprobe inventory` and `consumers verify --live`
 * compare the lists with the catalog and the consumer files (src/consumers/inventory.ts).
 */
import { APPS, CATALOG } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import { fail, withFinding, type CheckResult } from '../checks/types.ts';
import type { ModalClient } from '../client/index.ts';
import type { CallResult } from '../client/types.ts';
import type { AppInventoryRead } from '../report/types.ts';
import { warmUpDeadlineMs } from './warm-up.ts';

export interface AppInventory {
  app: string;
  state: 'registered' | 'not-deployed' | 'unreadable';
  /** path → methods (upper case), when state is registered. */
  paths: Map<string, string[]>;
  detail?: string;
  latencyMs: number;
}

/** Modal's answer for an app that is not deployed (docs/fleet.md §1). */
export function isAppNotDeployed(call: CallResult): boolean {
  return call.status === 404 && call.failure?.class === 'modal-platform' && /invalid function call|app for invoked web endpoint is stopped/.test(call.failure.message);
}

/** Every app's route list, read at once. */
export async function readInventory(client: ModalClient, apps: string[], opts: { timeScale: number; overheadMs: number }): Promise<Map<string, AppInventory>> {
  const entries = await Promise.all(apps.map(async (app) => [app, await readAppInventory(client, app, opts)] as const));
  return new Map(entries);
}

/** One app's `GET /openapi.json`: its registered routes, or why they could not be read. */
export async function readAppInventory(client: ModalClient, app: string, opts: { timeScale: number; overheadMs: number }): Promise<AppInventory> {
  // Read through a cold start at worst (the same container answers it): the warm-up's deadline.
  const deadlineMs = app in APPS ? warmUpDeadlineMs(app as AppName, opts.timeScale, opts.overheadMs) : 60_000;
  const r = await client.call({ app, path: '/openapi.json', method: 'GET', deadlineMs });
  const base = { app, paths: new Map<string, string[]>(), latencyMs: Math.round(r.totalMs) };
  if (isAppNotDeployed(r)) return { ...base, state: 'not-deployed', detail: client.redact(r.body.toString('utf8', 0, 200)) };
  if (r.status !== 200) return { ...base, state: 'unreadable', detail: client.redact(r.failure?.message ?? `GET /openapi.json answered ${r.status}`) };
  try {
    const doc = JSON.parse(r.body.toString('utf8')) as { paths?: Record<string, Record<string, unknown>> };
    if (!doc.paths || typeof doc.paths !== 'object' || Array.isArray(doc.paths)) throw new Error('no "paths" object');
    for (const [p, ops] of Object.entries(doc.paths)) base.paths.set(p, Object.keys(ops ?? {}).map((m) => m.toUpperCase()));
    return { ...base, state: 'registered' };
  } catch (e) {
    return { ...base, state: 'unreadable', detail: `GET /openapi.json: not an OpenAPI document (${(e as Error).message})` };
  }
}

/** Routes FastAPI adds itself (`include_in_schema=False`) never appear; these are the app.py ones every app has. */
const APP_ROUTES = new Set(['/health']);

/** The routes an app registers that no catalog entry covers on that app: no contract checks them. */
export function uncataloguedRoutes(inv: AppInventory): { path: string; methods: string[] }[] {
  return [...inv.paths].filter(([p]) => !APP_ROUTES.has(p) && !CATALOG.some((e) => e.app === inv.app && e.path === p)).map(([path, methods]) => ({ path, methods }));
}

/** What the gate's JSON report records of an app's inventory (report/types.ts). */
export function inventoryRead(inv: AppInventory): AppInventoryRead {
  const uncatalogued = uncataloguedRoutes(inv).map((r) => `${r.methods.join('/')} ${r.path}`);
  return { app: inv.app, state: inv.state, routes: inv.paths.size, latencyMs: inv.latencyMs, ...(uncatalogued.length ? { uncatalogued } : {}), ...(inv.detail ? { detail: inv.detail } : {}) };
}

/**
 * What the inventory says about calling `entry`:
 * - `call`: send the contract as planned — the route is registered, or the list is not known
 *   (not read, app not deployed, not an OpenAPI document): then the calls decide, as without it;
 * - `missing`: a registered route (live, or incompatible: recorded as failing but still promised)
 *   that the app does not register for its method — nothing is sent, the check says why;
 * - a removed route is always called (its contract is the cheap 404); `note` says it is still
 *   registered, context for a removed case that is answered otherwise.
 */
export type RouteVerdict = { kind: 'call'; note?: string } | { kind: 'missing'; check: CheckResult };

export function routeVerdict(entry: Pick<EndpointEntry, 'app' | 'path' | 'method' | 'lifecycle' | 'source'>, inv: AppInventory | undefined): RouteVerdict {
  if (!inv || inv.state !== 'registered' || inv.app !== entry.app) return { kind: 'call' };
  const methods = inv.paths.get(entry.path);
  const registered = methods?.includes(entry.method) ?? false;
  if (entry.lifecycle === 'removed') return registered ? { kind: 'call', note: `GET /openapi.json on ${entry.app} still lists ${entry.method} ${entry.path}: the route is still registered` } : { kind: 'call' };
  if (registered) return { kind: 'call' };
  const listed = methods?.length ? `registers ${entry.path} for ${methods.join('/')} only` : `does not register ${entry.path}`;
  const message = `route missing: ${entry.app} ${listed} (its GET /openapi.json lists ${inv.paths.size} routes), a catalogued ${entry.lifecycle} route (${entry.source}); callers get ${methods?.length ? '405' : '404 Not Found'}, so no request was sent`;
  return { kind: 'missing', check: withFinding(fail('route-broken', message, methods ?? null, [entry.method]), 'route-missing', { app: entry.app, path: entry.path }) };
}

/**
 * Route inventory without a GPU: every app of the fleet is FastAPI, so `GET /openapi.json` lists
 * the routes it really registers (jatidevelopments/ryla@57209b5:apps/modal/apps/<app>/app.py build
 * `FastAPI(title=…)` with the default openapi_url). Compared with the catalog and the consumer
 * files: routes deployed but not catalogued, catalogued live routes not registered, removed routes
 * still registered, and consumer calls whose app does not register the route (and which app does).
 */
import { APPS, CATALOG } from '../catalog/index.ts';
import type { AppName } from '../catalog/types.ts';
import type { ModalClient } from '../client/index.ts';
import { warmUpDeadlineMs } from '../runner/warm-up.ts';
import { answerKind } from './answers.ts';
import type { ConsumerFile } from './contract.ts';
import type { FindingCode, Severity } from './findings.ts';

/** Routes FastAPI adds itself (`include_in_schema=False`) never appear; these are the app.py ones. */
const APP_ROUTES = new Set(['/health']);

export interface AppInventory {
  app: string;
  state: 'registered' | 'not-deployed' | 'unreadable';
  /** path → methods (upper case), when state is registered. */
  paths: Map<string, string[]>;
  detail?: string;
  latencyMs: number;
}

export async function readInventory(client: ModalClient, apps: string[], opts: { timeScale: number; overheadMs: number }): Promise<Map<string, AppInventory>> {
  const entries = await Promise.all(apps.map(async (app) => [app, await readApp(client, app, opts)] as const));
  return new Map(entries);
}

async function readApp(client: ModalClient, app: string, opts: { timeScale: number; overheadMs: number }): Promise<AppInventory> {
  const deadlineMs = app in APPS ? warmUpDeadlineMs(app as AppName, opts.timeScale, opts.overheadMs) : 60_000;
  const r = await client.call({ app, path: '/openapi.json', method: 'GET', deadlineMs });
  const base = { app, paths: new Map<string, string[]>(), latencyMs: Math.round(r.totalMs) };
  const kind = answerKind(r);
  if (kind === 'app-not-deployed') return { ...base, state: 'not-deployed', detail: client.redact(r.body.toString('utf8', 0, 200)) };
  if (r.status !== 200) return { ...base, state: 'unreadable', detail: r.failure?.message ?? `GET /openapi.json answered ${r.status}` };
  try {
    const doc = JSON.parse(r.body.toString('utf8')) as { paths?: Record<string, Record<string, unknown>> };
    if (!doc.paths || typeof doc.paths !== 'object') throw new Error('no "paths" object');
    for (const [p, ops] of Object.entries(doc.paths)) base.paths.set(p, Object.keys(ops ?? {}).map((m) => m.toUpperCase()));
    return { ...base, state: 'registered' };
  } catch (e) {
    return { ...base, state: 'unreadable', detail: `GET /openapi.json: not an OpenAPI document (${(e as Error).message})` };
  }
}

export interface InventoryFinding {
  code: FindingCode;
  severity: Severity;
  app: string;
  path: string;
  /** `consumer.method` for findings about a consumer's call. */
  call?: string;
  message: string;
}

/** Apps to read: every catalog app and every app a consumer sends to. */
export function inventoryApps(consumers: ConsumerFile[] = []): string[] {
  return [...new Set([...Object.keys(APPS), ...consumers.flatMap((f) => f.consumers.flatMap((c) => c.calls.map((x) => x.app)))])];
}

export function compareInventory(inv: Map<string, AppInventory>, consumers: ConsumerFile[] = []): InventoryFinding[] {
  const out: InventoryFinding[] = [];
  for (const a of inv.values()) {
    if (a.state === 'not-deployed') {
      const spec = APPS[a.app as AppName];
      const live = CATALOG.filter((e) => e.app === a.app && e.lifecycle === 'live');
      if (spec?.deployed === 'yes' && live.length) out.push({ code: 'app-not-deployed', severity: 'fail', app: a.app, path: '*', message: `${a.app} is not deployed (${a.detail?.trim()}); the catalog says it serves ${live.length} live route(s): ${live.map((e) => e.path).join(', ')}` });
      continue;
    }
    if (a.state === 'unreadable') {
      out.push({ code: 'route-unregistered', severity: 'warn', app: a.app, path: '/openapi.json', message: `${a.app}: route list unreadable: ${a.detail}` });
      continue;
    }
    for (const e of CATALOG.filter((x) => x.app === a.app)) {
      const registered = a.paths.has(e.path);
      if (e.lifecycle !== 'removed' && !registered) out.push({ code: 'route-unregistered', severity: 'fail', app: a.app, path: e.path, message: `${a.app} does not register ${e.method} ${e.path}, a catalogued ${e.lifecycle} route (${e.source}): callers get 404 Not Found` });
      if (e.lifecycle === 'removed' && registered) out.push({ code: 'route-uncatalogued', severity: 'warn', app: a.app, path: e.path, message: `${a.app} registers ${e.path} again, which the catalog records as removed: update its entry` });
    }
    const uncovered = [...a.paths].filter(([p]) => !APP_ROUTES.has(p) && !CATALOG.some((e) => e.app === a.app && e.path === p));
    // One finding per app: the legacy monolith re-registers twenty routes the catalog probes on the split apps.
    if (uncovered.length === 1) out.push({ code: 'route-uncatalogued', severity: 'warn', app: a.app, path: uncovered[0][0], message: `${a.app} registers ${uncovered[0][1].join('/')} ${uncovered[0][0]}, which no catalog entry covers on this app: no contract checks it` });
    else if (uncovered.length > 1) out.push({ code: 'route-uncatalogued', severity: 'warn', app: a.app, path: '*', message: `${a.app} registers ${uncovered.length} routes no catalog entry covers on this app (no contract checks them): ${uncovered.map(([p]) => p).join(', ')}` });
  }
  out.push(...consumerMismatches(inv, consumers));
  return out;
}

/** A consumer's call to an app that does not register the route — and which app does. */
function consumerMismatches(inv: Map<string, AppInventory>, files: ConsumerFile[]): InventoryFinding[] {
  const out: InventoryFinding[] = [];
  for (const c of files.flatMap((f) => f.consumers)) {
    for (const call of c.calls) {
      const a = inv.get(call.app);
      const id = `${c.name}.${call.method}`;
      if (!a || a.state === 'unreadable') continue;
      if (a.state === 'not-deployed') {
        out.push({ code: 'app-not-deployed', severity: 'fail', app: call.app, path: call.path, call: id, message: `${id} sends ${call.path} to ${call.app}, which is not deployed: 404 modal-http: invalid function call` });
        continue;
      }
      if (a.paths.has(call.path)) continue;
      const elsewhere = [...inv.values()].filter((x) => x.state === 'registered' && x.paths.has(call.path)).map((x) => x.app);
      out.push(
        elsewhere.length
          ? { code: 'wrong-app', severity: 'fail', app: call.app, path: call.path, call: id, message: `${id} sends ${call.path} to ${call.app}, which does not register it; registered on ${elsewhere.join(', ')}` }
          : { code: 'route-unregistered', severity: 'fail', app: call.app, path: call.path, call: id, message: `${id} calls ${call.path} on ${call.app}, which no deployed app registers: 404 Not Found` },
      );
    }
  }
  return out;
}

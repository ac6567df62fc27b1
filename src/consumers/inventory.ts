/**
 * Route inventory without a GPU: every app of the fleet is FastAPI, so `GET /openapi.json` lists
 * the routes it really registers (jatidevelopments/ryla@57209b5:apps/modal/apps/<app>/app.py build
 * `FastAPI(title=…)` with the default openapi_url). Compared with the catalog and the consumer
 * files: routes deployed but not catalogued, catalogued live routes not registered, removed routes
 * still registered, and consumer calls whose app does not register the route (and which app does).
 * The lists are read by the runner (runner/inventory.ts), which the gate also uses before its calls.
 */
import { APPS, CATALOG } from '../catalog/index.ts';
import type { AppName } from '../catalog/types.ts';
import { uncataloguedRoutes, type AppInventory } from '../runner/inventory.ts';
import type { ConsumerFile } from './contract.ts';
import type { FindingCode, Severity } from './findings.ts';

export { readInventory, type AppInventory } from '../runner/inventory.ts';

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
    const uncovered = uncataloguedRoutes(a);
    // One finding per app: the legacy monolith re-registers twenty routes the catalog probes on the split apps.
    if (uncovered.length === 1) out.push({ code: 'route-uncatalogued', severity: 'warn', app: a.app, path: uncovered[0].path, message: `${a.app} registers ${uncovered[0].methods.join('/')} ${uncovered[0].path}, which no catalog entry covers on this app: no contract checks it` });
    else if (uncovered.length > 1) out.push({ code: 'route-uncatalogued', severity: 'warn', app: a.app, path: '*', message: `${a.app} registers ${uncovered.length} routes no catalog entry covers on this app (no contract checks them): ${uncovered.map((r) => r.path).join(', ')}` });
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

/**
 * From a request to an app's route, with Modal's platform in front: `/{app}/{path}` picks the app
 * (undeployed or unknown → Modal's 404), a call that outlives the 150 s HTTP limit is answered 303
 * to its result URL (`?__modal_function_call_id=…`, fetched with GET), and inside the app FastAPI's
 * own behaviour: CORS preflight and headers, `/openapi.json`, `/health`, 404/405 for other paths.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import type { Call } from './call-store.ts';
import type { EmulatorContext } from './context.ts';
import { executeRoute, runInContainer } from './execute.ts';
import { FAULT_HEADER, FAULTS, parseFaultHeader, type FaultName } from './faults.ts';
import type { AppSpec } from './fleet/index.ts';
import { openapiFor } from './openapi.ts';
import { jsonResponse, MODAL_TEXT, type EmuResponse } from './responses.ts';
import { sleepMs } from './timing.ts';
import { discardBody, readBody, send, sendModalText, sendRedirect, transportFaults } from './transport.ts';

const RESULT_PARAM = '__modal_function_call_id';
const CORS_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';
const INVALID_CALL = 'modal-http: invalid function call';

/** What one request to the fleet asks for. */
interface FleetRequest {
  req: IncomingMessage;
  res: ServerResponse;
  app: AppSpec;
  path: string;
  method: string;
  faults: FaultName[];
  corsOrigin: string | undefined;
}

/** Serves one request to `/{app}/{path}`. */
export async function handleFleetRequest(ctx: EmulatorContext, req: express.Request, res: express.Response): Promise<void> {
  const url = new URL(req.originalUrl, 'http://emulator.local');
  const m = /^\/([^/]+)(\/.*)?$/.exec(url.pathname);
  const header = parseFaultHeader(req.headers[FAULT_HEADER]);
  if (header.unknown.length > 0) {
    res.status(400).type('text/plain').send(`genprobe emulator: unknown fault(s) ${header.unknown.join(', ')}; known: ${FAULTS.map((f) => f.name).join(', ')}`);
    return;
  }
  const app = m ? ctx.apps.get(m[1]) : undefined;
  const path = m?.[2] ?? '/';
  if (!app || !app.deployed || ctx.drift.appUndeployed(app.name)) return refuse(req, res, 404, INVALID_CALL);
  const taken = ctx.faultRules.takeWithMessage(app.name, path);
  const corsOrigin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  const request: FleetRequest = { req, res, app, path, method: req.method.toUpperCase(), faults: [...header.faults, ...taken.faults], corsOrigin };
  const resultId = url.searchParams.get(RESULT_PARAM);
  if (resultId !== null) return fetchResult(ctx, request, resultId);
  if (request.faults.includes('modal-404')) return refuse(req, res, 404, INVALID_CALL);
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    return sendModalText(res, 413, 'modal-http: request body too large');
  }
  return startCall(ctx, request, body, taken.appErrorMessage);
}

/** Modal's edge answers without reading what the client sends. */
async function refuse(req: IncomingMessage, res: ServerResponse, status: number, text: string): Promise<void> {
  await discardBody(req);
  sendModalText(res, status, text);
}

/** GET on a result URL: the call's answer, or another 303 while it still runs. */
async function fetchResult(ctx: EmulatorContext, request: FleetRequest, resultId: string): Promise<void> {
  const { req, res, method } = request;
  await discardBody(req);
  if (method !== 'GET' && method !== 'HEAD') return sendModalText(res, 405, 'modal-http: bad redirect method');
  const call = ctx.calls.pending(resultId);
  if (!call || call.record.app !== request.app.name) return sendModalText(res, 404, INVALID_CALL);
  return answerCall(ctx, call, request);
}

function startCall(ctx: EmulatorContext, request: FleetRequest, body: Buffer, appErrorMessage: string | undefined): Promise<void> {
  const { app, path, method, faults } = request;
  const call = ctx.calls.open(app.name, path, method, faults);
  if (faults.includes('redirect-loop')) {
    call.loop = true;
    return answerCall(ctx, call, request);
  }
  const work = runInContainer(ctx, call, app, path, () => dispatchInApp(ctx, request, body, appErrorMessage));
  ctx.calls.settle(call, work, transportFaults(faults));
  return answerCall(ctx, call, request);
}

function redirect(request: FleetRequest, call: Call): void {
  call.record.redirects++;
  const { app, path, id } = call.record;
  sendRedirect(request.res, `http://${request.req.headers.host ?? '127.0.0.1'}/${app}${path}?${RESULT_PARAM}=${id}`, id);
}

/** Waits up to the HTTP limit for the call: the result, or 303 to the result URL. */
async function answerCall(ctx: EmulatorContext, call: Call, request: FleetRequest): Promise<void> {
  if (call.loop) return redirect(request, call);
  const done = call.result !== null || (await Promise.race([call.promise.then(() => true), sleepMs(ctx.limitMs).then(() => false)]));
  if (!done || !call.result) return redirect(request, call);
  ctx.calls.retrieved(call);
  const out = call.result;
  const headers: Record<string, string> = { ...out.headers, 'x-emulator-call-id': call.record.id, 'x-emulator-server-ms': (call.record.serverMs ?? 0).toFixed(1) };
  // CORSMiddleware wraps the app's routes; Modal's edge and the global exception handler sit outside it.
  if (request.app.cors && request.corsOrigin && !out.platform && !out.globalHandler && !headers['access-control-allow-origin']) {
    headers['access-control-allow-origin'] = '*';
    headers['access-control-allow-credentials'] = 'true';
  }
  await send(request.res, out.status, headers, out.body, out.transport);
}

/** Starlette CORSMiddleware's answer to a preflight (allow_origins=["*"] with credentials echoes the origin). */
function preflight(req: IncomingMessage): EmuResponse {
  const headers: Record<string, string> = {
    'content-type': MODAL_TEXT,
    'access-control-allow-origin': String(req.headers.origin),
    'access-control-allow-methods': CORS_METHODS,
    'access-control-max-age': '600',
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  };
  if (req.headers['access-control-request-headers']) headers['access-control-allow-headers'] = String(req.headers['access-control-request-headers']);
  return { status: 200, headers, body: Buffer.from('OK'), transport: [] };
}

/** Inside the app's container: FastAPI's routing from the path to the route's handler. */
async function dispatchInApp(ctx: EmulatorContext, request: FleetRequest, body: Buffer, appErrorMessage: string | undefined): Promise<EmuResponse> {
  const { req, app, method, path } = request;
  if (method === 'OPTIONS' && app.cors && req.headers.origin && req.headers['access-control-request-method']) return preflight(req);
  // FastAPI serves its schema on every app (none of the fleet's apps sets openapi_url=None).
  if (path === '/openapi.json' && method === 'GET') return jsonResponse(200, openapiFor(app, (p) => ctx.drift.routeRemoved(app.name, p)));
  if (path === '/health' && app.health) {
    return method === 'GET' ? jsonResponse(200, app.health) : jsonResponse(405, { detail: 'Method Not Allowed' }, { allow: 'GET' });
  }
  const registered = ctx.drift.routeRemoved(app.name, path) ? [] : app.routes;
  const route = registered.find((r) => r.path === path && r.method === method);
  if (route) return executeRoute(ctx, app, route, path, body, request.faults, appErrorMessage);
  const other = registered.filter((r) => r.path === path);
  if (other.length > 0) return jsonResponse(405, { detail: 'Method Not Allowed' }, { allow: other.map((r) => r.method).join(', ') });
  return jsonResponse(404, { detail: 'Not Found' });
}

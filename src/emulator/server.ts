/**
 * The fleet emulator: every Modal app of the fleet served at `/{app}/{path}` by one express app,
 * with Modal's own behaviour in front (undeployed apps, 150 s limit → 303 result URLs, cold
 * starts, containers that run one job at a time and scale out at max_inputs — timing.ts) and
 * injectable faults. Built only from the fleet's code and docs/fleet.md (via fleet.ts);
 * it does not import genprobe's catalog, client or checks, so running those against it
 * cross-checks them.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { buildFleet, DEFAULT_TRAINED_LORAS, type AppName, type AppSpec, type FleetOptions, type Plan, type RouteSpec } from './fleet.ts';
import { applyOutputFaults, FAULT_HEADER, FAULTS, FaultRules, parseFaultHeader, type FaultFixtures, type FaultName } from './faults.ts';
import { answerFor, HttpErr, PyErr, traceback } from './pyerrors.ts';
import { DRIFT_FAULTS, DriftState, type DriftRule } from './drift.ts';
import { openapiFor } from './openapi.ts';
import { prng, Renderer } from './render.ts';
import { AppRuntime, nowMs, scaledMs, sleepMs, type AppRuntimeSnapshot } from './timing.ts';

export interface EmulatorOptions {
  /** Wall seconds per fleet second (default 1). 0.01 ⇒ a 425 s call takes 4.25 s. */
  timeScale?: number;
  /** Modal's per-request HTTP limit in fleet seconds (default 150). */
  httpLimitSec?: number;
  /** Idle fleet seconds before an app scales to zero (default 300). */
  scaledownWindowSec?: number;
  /** Pay cold starts (default true). */
  coldStart?: boolean;
  /**
   * One request executes at a time per container (default true: the fleet's handlers block their
   * event loop, see timing.ts); false runs `max_inputs` requests at once.
   */
  serialContainers?: boolean;
  /** Seed for "random" default seeds, so whole runs are reproducible. */
  seed?: number;
  /** Trained LoRA stems installed on every app (default: the genprobe-probe character LoRAs). */
  loras?: string[];
  /** Override which apps are deployed (default: fleet.ts DEFAULT_DEPLOYED). */
  deployed?: Partial<Record<AppName, boolean>>;
  /** Face drawn by trained character LoRAs (default fixtures/faces/astronaut.png). */
  characterFace?: Buffer | null;
  /** Upper bound for cached rendered outputs in bytes (default 256 MB). */
  renderCacheBytes?: number;
  /** Deploy-drift faults in force from the start (route removed, app undeployed, field renamed; drift.ts). */
  drift?: DriftRule[];
}

const GPU_PRICE_PER_SEC = { L40S: 0.000542, 'A100-80GB': 0.000694 } as const;
const BODY_LIMIT_BYTES = 200 * 1024 * 1024;
const RESULT_PARAM = '__modal_function_call_id';
const MODAL_TEXT = 'text/plain; charset=utf-8';
const CORS_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';
const MAX_RECORDS = 1000;

const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));

interface EmuResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Transport faults to apply while sending. */
  transport: FaultName[];
  /** Answered by Modal's edge, not the app (no CORS headers). */
  platform?: boolean;
  /** Answered by the app's global exception handler, outside CORSMiddleware (no CORS headers). */
  globalHandler?: boolean;
}

export interface CallRecord {
  id: string;
  app: string;
  path: string;
  method: string;
  status: number | null;
  startedAt: string;
  faults: FaultName[];
  coldStart: boolean;
  /** Which of the app's containers served it (1 = the first started since the last reset). */
  container: number;
  /** Wall ms waiting for the container to start. */
  coldStartMs: number;
  /** Wall ms queued inside the container (serial: behind the request it is running). */
  queueMs: number;
  /** Wall ms inside the handler (validation, GPU work, rendering). */
  execMs: number;
  /** Wall ms from request arrival to the final answer being ready (excludes body transfer). */
  serverMs: number | null;
  /** serverMs converted to fleet seconds (÷ timeScale). */
  modeledSec: number | null;
  redirects: number;
  retrieved: boolean;
}

interface Call {
  record: CallRecord;
  promise: Promise<EmuResponse>;
  result: EmuResponse | null;
  /** redirect-loop fault: answer 303 forever. */
  loop: boolean;
  settledAt: number | null;
  /** Custom app-5xx error text from a control-API fault rule. */
  appErrorMessage?: string;
}

export interface EmulatorStateSnapshot {
  timeScale: number;
  httpLimitSec: number;
  scaledownWindowSec: number;
  coldStart: boolean;
  serialContainers: boolean;
  apps: AppRuntimeSnapshot[];
  pendingCalls: number;
  calls: CallRecord[];
  faultRules: ReturnType<FaultRules['list']>;
  render: ReturnType<Renderer['stats']>;
}

export interface EmulatorState {
  snapshot(): EmulatorStateSnapshot;
  call(id: string): CallRecord | undefined;
  faults: FaultRules;
  /** Forces the app (or every app) cold. */
  scaleDown(app?: string): void;
  /** Clears fault rules, call records and pending results; every app becomes cold again. */
  reset(): void;
}

export interface Emulator {
  app: express.Express;
  state: EmulatorState;
  listen(port?: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
}

function textResponse(status: number, text: string): EmuResponse {
  return { status, headers: { 'content-type': MODAL_TEXT }, body: Buffer.from(text, 'utf8'), transport: [], platform: true };
}

function jsonResponse(status: number, json: unknown, extra: Record<string, string> = {}): EmuResponse {
  return { status, headers: { 'content-type': 'application/json', ...extra }, body: Buffer.from(JSON.stringify(json), 'utf8'), transport: [] };
}

/** Python json's error text for a body that is not JSON (Starlette `await request.json()`). */
function jsonDecodeError(text: string): PyErr {
  const p = text.search(/\S/);
  const pos = p < 0 ? text.length : /[[{"\-0-9tfn]/.test(text[p]) ? text.length : p;
  const line = text.slice(0, pos).split('\n').length;
  const col = pos - text.lastIndexOf('\n', pos - 1);
  return new PyErr('JSONDecodeError', `Expecting value: line ${line} column ${col} (char ${pos})`, 0, 'item = await request.json()');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createEmulator(opts: EmulatorOptions = {}): Emulator {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  const httpLimitSec = opts.httpLimitSec ?? 150;
  const scaledownWindowSec = opts.scaledownWindowSec ?? 300;
  const coldStart = opts.coldStart ?? true;
  const serialContainers = opts.serialContainers ?? true;
  const fleet = buildFleet(opts.deployed);
  const apps = new Map<string, AppSpec>(fleet.map((a) => [a.name, a]));
  const runtimes = new Map<string, AppRuntime>(fleet.map((a) => [a.name, new AppRuntime(a, { timeScale, scaledownWindowSec, coldStart, serial: serialContainers })]));
  const fleetOptions: FleetOptions = {
    loras: opts.loras ?? DEFAULT_TRAINED_LORAS,
    characterFace: opts.characterFace === undefined ? readFileSync(`${fixturesDir}faces/astronaut.png`) : opts.characterFace,
  };
  const fixtures: FaultFixtures = {
    otherFace: readFileSync(`${fixturesDir}faces/grace_hopper.jpg`),
    faceless: readFileSync(`${fixturesDir}scenes/coffee.png`),
  };
  const seedRandom = opts.seed === undefined ? null : prng(opts.seed);
  const randomSeed = (max: number): number => (seedRandom ? Math.floor(seedRandom() * (max + 1)) : randomInt(0, Math.min(max, 2 ** 48 - 2) + 1));
  const renderer = new Renderer(opts.renderCacheBytes);
  const faultRules = new FaultRules();
  const drift = new DriftState(opts.drift);
  const calls = new Map<string, Call>();
  const records: CallRecord[] = [];
  const limitMs = scaledMs(httpLimitSec, timeScale);
  /** Control-API slowdowns: `app` or `app path` → factor on the modelled generation time. */
  const slowdowns = new Map<string, number>();
  const slowdownOf = (app: string, path: string): number => slowdowns.get(`${app} ${path}`) ?? slowdowns.get(app) ?? 1;

  const sweep = setInterval(() => {
    // Unretrieved results are kept for a while (Modal keeps them; clients may come back late).
    const cutoff = nowMs() - Math.max(60_000, 10 * limitMs);
    for (const [id, call] of calls) if (call.settledAt !== null && call.settledAt < cutoff) calls.delete(id);
  }, 10_000);
  sweep.unref();

  // -------------------------------------------------------------------------------------------
  // one call inside an app container

  async function execute(app: AppSpec, method: string, path: string, body: Buffer, req: IncomingMessage, faults: FaultName[], appErrorMessage?: string): Promise<EmuResponse> {
    if (method === 'OPTIONS' && app.cors && req.headers.origin && req.headers['access-control-request-method']) {
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
    // FastAPI serves its schema on every app (none of the fleet's apps sets openapi_url=None).
    if (path === '/openapi.json' && method === 'GET') return jsonResponse(200, openapiFor(app, (p) => drift.routeRemoved(app.name, p)));
    if (path === '/health' && app.health) {
      return method === 'GET' ? jsonResponse(200, app.health) : jsonResponse(405, { detail: 'Method Not Allowed' }, { allow: 'GET' });
    }
    const registered = drift.routeRemoved(app.name, path) ? [] : app.routes;
    const sameMethod = registered.find((r) => r.path === path && r.method === method);
    if (!sameMethod) {
      const other = registered.filter((r) => r.path === path);
      if (other.length > 0) return jsonResponse(405, { detail: 'Method Not Allowed' }, { allow: other.map((r) => r.method).join(', ') });
      return jsonResponse(404, { detail: 'Not Found' });
    }
    return executeRoute(app, sameMethod, path, body, faults, appErrorMessage);
  }

  async function executeRoute(app: AppSpec, route: RouteSpec, path: string, body: Buffer, faults: FaultName[], appErrorMessage?: string): Promise<EmuResponse> {
    const handlerStart = nowMs();
    const site = { style: route.errorStyle, handlerFile: route.handlerFile, func: path.slice(1).replace(/[^a-z0-9]/gi, '_'), globalAddsPath: app.globalErrorAddsPath, path };
    let plan: Plan;
    try {
      let item: Record<string, unknown> = {};
      if (route.method === 'POST') {
        const text = body.toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw jsonDecodeError(text);
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new PyErr('AttributeError', `'${Array.isArray(parsed) ? 'list' : parsed === null ? 'NoneType' : typeof parsed === 'string' ? 'str' : typeof parsed === 'boolean' ? 'bool' : 'int'}' object has no attribute 'get'`, 0, 'item.get(...)');
        }
        item = parsed as Record<string, unknown>;
      }
      item = drift.renameIn(app.name, path, item);
      plan = await route.handle({ item, app, options: fleetOptions, randomSeed });
    } catch (e) {
      if (e instanceof HttpErr || e instanceof PyErr) {
        await sleepMs(scaledMs(e.afterSec, timeScale));
        const ans = answerFor(e, { ...site, style: e instanceof PyErr && e.pyType === 'JSONDecodeError' ? 'plain' : site.style });
        ans.json = drift.renameOut(app.name, path, ans.json);
        return { ...jsonResponse(ans.status, ans.json), globalHandler: ans.globalHandler };
      }
      const msg = (e as Error).message ?? String(e);
      return globalResponse(app, path, 'Exception', msg);
    }
    // Platform and app failures strike JSON routes (GET /loras) as well as generations.
    const execMs = scaledMs(plan.execSec * slowdownOf(app.name, path), timeScale);
    const execStart = nowMs();
    if (faults.includes('slow')) {
      await sleepMs(scaledMs(app.functionTimeoutSec, timeScale));
      return textResponse(500, 'modal-http: internal error: function execution timed out');
    }
    if (faults.includes('modal-5xx')) {
      await sleepMs(execMs);
      return textResponse(500, 'modal-http: internal error: function execution timed out');
    }
    if (faults.includes('app-5xx')) {
      await sleepMs(execMs);
      return globalResponse(app, path, 'RuntimeError', appErrorMessage ?? 'ComfyUI server is not healthy, stopping container');
    }
    if (plan.type === 'json') return jsonResponse(plan.status, plan.json);
    const output = applyOutputFaults(plan.output, faults, fixtures);
    let bytes: Buffer;
    try {
      [bytes] = await Promise.all([renderer.render(output), sleepMs(execMs)]);
    } catch (e) {
      return globalResponse(app, path, 'Exception', (e as Error).message);
    }
    const headers: Record<string, string> = { 'content-type': plan.contentType, ...plan.headers };
    if (plan.costHeaders && !faults.includes('missing-cost-headers')) {
      // Fleet seconds of handler work (the modelled GPU time, not the emulator's own encoding CPU).
      const handlerSec = plan.execSec + (execStart - handlerStart) / 1000 / timeScale;
      headers['x-cost-usd'] = (handlerSec * GPU_PRICE_PER_SEC.L40S).toFixed(6);
      headers['x-execution-time-sec'] = handlerSec.toFixed(3);
      headers['x-gpu-type'] = 'L40S';
    }
    return { status: 200, headers, body: bytes, transport: [] };
  }

  /** A 500 from the app's global exception handler (ServerErrorMiddleware: no CORS headers). */
  function globalResponse(app: AppSpec, path: string, pyType: string, text: string): EmuResponse {
    return { ...jsonResponse(500, globalBody(app, path, pyType, text)), globalHandler: true };
  }

  function globalBody(app: AppSpec, path: string, pyType: string, text: string): Record<string, unknown> {
    const body: Record<string, unknown> = { error: text, details: traceback(`apps/${app.name.replace(/^ryla-/, '')}/app.py`, 'fastapi_app', pyType, text, ''), type: pyType };
    if (app.globalErrorAddsPath) body.path = path;
    return body;
  }

  async function runCall(call: Call, app: AppSpec, method: string, path: string, body: Buffer, req: IncomingMessage, faults: FaultName[]): Promise<EmuResponse> {
    const rt = runtimes.get(app.name)!;
    const rec = call.record;
    const t0 = nowMs();
    const slot = rt.admit();
    rec.container = slot.container;
    try {
      const warm = await slot.ready();
      rec.coldStart = warm.coldStart;
      rec.coldStartMs = warm.waitedMs;
      if (faults.includes('modal-408')) return textResponse(408, 'Missing request, possibly due to expiry or cancellation');
      rec.queueMs = await slot.run();
      const e0 = nowMs();
      try {
        return await execute(app, method, path, body, req, faults, call.appErrorMessage);
      } finally {
        rec.execMs = nowMs() - e0;
        slot.done();
      }
    } catch (e) {
      return globalResponse(app, path, 'Exception', `emulator error: ${(e as Error).message}`);
    } finally {
      slot.leave();
      rec.serverMs = nowMs() - t0;
      rec.modeledSec = rec.serverMs / 1000 / timeScale;
    }
  }

  function newCall(app: string, path: string, method: string, faults: FaultName[]): Call {
    const record: CallRecord = {
      id: `fc-${randomBytes(13).toString('base64url').replace(/[-_]/g, 'x').slice(0, 26).toUpperCase()}`,
      app,
      path,
      method,
      status: null,
      startedAt: new Date().toISOString(),
      faults,
      coldStart: false,
      container: 0,
      coldStartMs: 0,
      queueMs: 0,
      execMs: 0,
      serverMs: null,
      modeledSec: null,
      redirects: 0,
      retrieved: false,
    };
    records.push(record);
    if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
    return { record, promise: new Promise<EmuResponse>(() => undefined), result: null, loop: false, settledAt: null };
  }

  // -------------------------------------------------------------------------------------------
  // sending

  function resultLocation(req: IncomingMessage, appName: string, path: string, id: string): string {
    return `http://${req.headers.host ?? '127.0.0.1'}/${appName}${path}?${RESULT_PARAM}=${id}`;
  }

  function redirect(res: ServerResponse, req: IncomingMessage, call: Call): void {
    call.record.redirects++;
    res.writeHead(303, { location: resultLocation(req, call.record.app, call.record.path, call.record.id), 'content-length': '0', 'x-emulator-call-id': call.record.id });
    res.end();
  }

  /** Waits up to the HTTP limit for the call: the result, or 303 to the result URL. */
  async function answerCall(call: Call, req: IncomingMessage, res: ServerResponse, corsOrigin: string | undefined, app: AppSpec): Promise<void> {
    if (call.loop) return redirect(res, req, call);
    const done = call.result !== null || (await Promise.race([call.promise.then(() => true), sleepMs(limitMs).then(() => false)]));
    if (!done || !call.result) return redirect(res, req, call);
    calls.delete(call.record.id);
    call.record.retrieved = true;
    const out = call.result;
    const headers: Record<string, string> = { ...out.headers, 'x-emulator-call-id': call.record.id, 'x-emulator-server-ms': (call.record.serverMs ?? 0).toFixed(1) };
    if (app.cors && corsOrigin && !out.platform && !out.globalHandler && !headers['access-control-allow-origin']) {
      headers['access-control-allow-origin'] = '*';
      headers['access-control-allow-credentials'] = 'true';
    }
    await send(res, out.status, headers, out.body, out.transport);
  }

  async function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer, transport: FaultName[]): Promise<void> {
    if (transport.includes('invalid-gzip')) headers['content-encoding'] = 'gzip';
    if (transport.includes('oversized')) {
      res.writeHead(status, headers); // no content-length: chunked, endless
      await stream(res, body, Number.POSITIVE_INFINITY, 0);
      return;
    }
    if (transport.includes('lying-length')) {
      const cut = Math.floor(body.length * 0.6);
      res.writeHead(status, { ...headers, 'content-length': String(cut) });
      res.end(body.subarray(0, cut));
      return;
    }
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    if (transport.includes('truncated')) {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      await sleepMs(50);
      res.destroy();
      return;
    }
    if (transport.includes('slow-drip')) {
      await stream(res, body, body.length, 100);
      if (!res.destroyed) res.end();
      return;
    }
    res.end(body);
  }

  /** Writes `body` (then random filler up to `total` bytes) in chunks, `delayMs` apart. */
  async function stream(res: ServerResponse, body: Buffer, total: number, delayMs: number): Promise<void> {
    const chunk = delayMs > 0 ? 256 : 64 * 1024;
    const filler = randomBytes(64 * 1024);
    let sent = 0;
    let closed = false;
    res.on('close', () => (closed = true));
    while (!closed && sent < total) {
      const piece = sent < body.length ? body.subarray(sent, Math.min(body.length, sent + chunk)) : filler.subarray(0, Math.min(filler.length, total - sent));
      sent += piece.length;
      const ok = res.write(piece);
      if (delayMs > 0) await sleepMs(delayMs);
      else if (!ok) await drainOrClose(res);
    }
  }

  /** Waits for 'drain' or 'close', removing both listeners (an endless body waits thousands of times). */
  function drainOrClose(res: ServerResponse): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  }

  // -------------------------------------------------------------------------------------------
  // express wiring

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  const control = express.Router();
  control.use(express.json({ limit: '1mb' }));
  control.get('/state', (_req, res) => void res.json(state.snapshot()));
  control.get('/calls/:id', (req, res) => {
    const rec = state.call(String(req.params.id));
    if (!rec) return void res.status(404).json({ error: `no call ${req.params.id}` });
    res.json(rec);
  });
  control.get('/faults', (_req, res) => void res.json({ rules: faultRules.list(), available: FAULTS }));
  control.post('/faults', (req, res) => {
    try {
      res.status(201).json(faultRules.add(req.body));
    } catch (e) {
      res.status(400).json({ error: (e as Error).message });
    }
  });
  control.delete('/faults', (_req, res) => {
    faultRules.clear();
    res.status(204).end();
  });
  control.post('/reset', (_req, res) => {
    state.reset();
    res.json({ ok: true });
  });
  // A real slowdown of the fleet (a slower GPU, a heavier workflow after a deploy): the route's
  // generation takes `factor` × its modelled time. Not a fault of one answer: every call is slower.
  control.get('/slowdown', (_req, res) => void res.json({ slowdowns: Object.fromEntries(slowdowns) }));
  control.post('/slowdown', (req, res) => {
    const { app: target, path: route, factor } = (req.body ?? {}) as { app?: unknown; path?: unknown; factor?: unknown };
    if (typeof target !== 'string' || !apps.has(target)) return void res.status(400).json({ error: `unknown app ${JSON.stringify(target)}` });
    if (route !== undefined && (typeof route !== 'string' || !route.startsWith('/'))) return void res.status(400).json({ error: 'path must be a route path starting with /' });
    if (typeof factor !== 'number' || !(factor >= 1 && factor <= 100)) return void res.status(400).json({ error: 'factor must be a number in [1, 100]' });
    slowdowns.set(route === undefined ? target : `${target} ${route}`, factor);
    res.status(201).json({ slowdowns: Object.fromEntries(slowdowns) });
  });
  control.delete('/slowdown', (_req, res) => {
    slowdowns.clear();
    res.status(204).end();
  });
  control.post('/scale-down', (req, res) => {
    const target = (req.body as { app?: unknown } | undefined)?.app;
    if (target !== undefined && (typeof target !== 'string' || !apps.has(target))) return void res.status(400).json({ error: `unknown app ${JSON.stringify(target)}` });
    state.scaleDown(target as string | undefined);
    res.json({ ok: true, apps: state.snapshot().apps.map((a) => ({ app: a.app, container: a.container })) });
  });
  control.get('/drift', (_req, res) => void res.json({ rules: drift.list(), available: DRIFT_FAULTS }));
  control.post('/drift', (req, res) => {
    try {
      res.status(201).json(drift.add(req.body));
    } catch (e) {
      res.status(400).json({ error: (e as Error).message });
    }
  });
  control.delete('/drift', (_req, res) => {
    drift.clear();
    res.status(204).end();
  });
  app.use('/__emulator', control);

  app.use((req, res) => {
    void handleFleet(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.status(500).type('text/plain').send(`genprobe emulator error: ${(e as Error).message}`);
      else res.destroy();
    });
  });

  async function handleFleet(req: express.Request, res: express.Response): Promise<void> {
    const url = new URL(req.originalUrl, 'http://emulator.local');
    const m = /^\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const header = parseFaultHeader(req.headers[FAULT_HEADER]);
    if (header.unknown.length > 0) {
      res.status(400).type('text/plain').send(`genprobe emulator: unknown fault(s) ${header.unknown.join(', ')}; known: ${FAULTS.map((f) => f.name).join(', ')}`);
      return;
    }
    const appSpec = m ? apps.get(m[1]) : undefined;
    const path = m?.[2] ?? '/';
    if (!appSpec || !appSpec.deployed || drift.appUndeployed(appSpec.name)) {
      await drain(req);
      return sendModal(res, 404, 'modal-http: invalid function call');
    }
    const taken = faultRules.takeWithMessage(appSpec.name, path);
    const faults = [...header.faults, ...taken.faults];
    const method = req.method.toUpperCase();
    const corsOrigin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;

    const resultId = url.searchParams.get(RESULT_PARAM);
    if (resultId !== null) {
      await drain(req);
      if (method !== 'GET' && method !== 'HEAD') return sendModal(res, 405, 'modal-http: bad redirect method');
      const call = calls.get(resultId);
      if (!call || call.record.app !== appSpec.name) return sendModal(res, 404, 'modal-http: invalid function call');
      return answerCall(call, req, res, corsOrigin, appSpec);
    }
    if (faults.includes('modal-404')) {
      await drain(req);
      return sendModal(res, 404, 'modal-http: invalid function call');
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return sendModal(res, 413, 'modal-http: request body too large');
    }
    const call = newCall(appSpec.name, path, method, faults);
    call.appErrorMessage = taken.appErrorMessage;
    calls.set(call.record.id, call);
    if (faults.includes('redirect-loop')) {
      call.loop = true;
      return answerCall(call, req, res, corsOrigin, appSpec);
    }
    const transport = faults.filter((f) => f === 'truncated' || f === 'oversized' || f === 'slow-drip' || f === 'invalid-gzip' || f === 'lying-length');
    call.promise = runCall(call, appSpec, method, path, body, req, faults).then((out) => {
      out.transport = transport;
      call.result = out;
      call.settledAt = nowMs();
      call.record.status = out.status;
      return out;
    });
    return answerCall(call, req, res, corsOrigin, appSpec);
  }

  async function drain(req: IncomingMessage): Promise<void> {
    for await (const _ of req) void _;
  }

  function sendModal(res: ServerResponse, status: number, text: string): void {
    const body = Buffer.from(text, 'utf8');
    res.writeHead(status, { 'content-type': MODAL_TEXT, 'content-length': String(body.length) });
    res.end(body);
  }

  const state: EmulatorState = {
    faults: faultRules,
    snapshot: () => ({
      timeScale,
      httpLimitSec,
      scaledownWindowSec,
      coldStart,
      serialContainers,
      apps: [...runtimes.values()].map((r) => r.snapshot()),
      pendingCalls: calls.size,
      calls: records.slice(-100).map((r) => ({ ...r })),
      faultRules: faultRules.list(),
      render: renderer.stats(),
    }),
    call: (id) => records.find((r) => r.id === id),
    scaleDown(target) {
      for (const [name, rt] of runtimes) if (!target || target === name) rt.scaleDown();
    },
    reset() {
      faultRules.clear();
      slowdowns.clear();
      drift.reset();
      calls.clear();
      records.length = 0;
      for (const rt of runtimes.values()) rt.reset();
    },
  };

  return {
    app,
    state,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const server: Server = app.listen(port, host, (err?: Error) => {
          if (err) return reject(err);
          const addr = server.address() as AddressInfo;
          resolve({
            url: `http://${host}:${addr.port}`,
            close: () =>
              new Promise<void>((done) => {
                clearInterval(sweep);
                server.closeAllConnections();
                server.close(() => done());
              }),
          });
        });
        server.on('error', reject);
      });
    },
  };
}

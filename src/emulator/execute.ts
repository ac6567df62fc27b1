/**
 * One call inside an app container: admission to a container (cold start, the serial queue —
 * timing.ts), then the route's handler: the JSON body read as Starlette reads it, the handler's
 * plan or its Python error, the platform and app faults that strike while the GPU works, and the
 * rendered output with the headers the route lets through.
 */
import type { Call } from './call-store.ts';
import type { EmulatorContext } from './context.ts';
import { applyOutputFaults, type FaultName } from './faults.ts';
import type { AppSpec, Plan, RouteSpec } from './fleet/index.ts';
import { answerFor, HttpErr, PyErr, type ErrorSite } from './pyerrors.ts';
import { globalResponse, jsonResponse, textResponse, type EmuResponse } from './responses.ts';
import { nowMs, scaledMs, sleepMs } from './timing.ts';

const GPU_PRICE_PER_SEC = { L40S: 0.000542, 'A100-80GB': 0.000694 } as const;
const FUNCTION_TIMED_OUT = 'modal-http: internal error: function execution timed out';

/**
 * Runs `handler` in one of the app's containers, recording the cold start, queueing and execution
 * times on the call; a failure of the emulator itself is answered as the app's global handler would.
 */
export async function runInContainer(ctx: EmulatorContext, call: Call, app: AppSpec, path: string, handler: () => Promise<EmuResponse>): Promise<EmuResponse> {
  const rec = call.record;
  const t0 = nowMs();
  const slot = ctx.runtimes.get(app.name)!.admit();
  rec.container = slot.container;
  try {
    const warm = await slot.ready();
    rec.coldStart = warm.coldStart;
    rec.coldStartMs = warm.waitedMs;
    if (rec.faults.includes('modal-408')) return textResponse(408, 'Missing request, possibly due to expiry or cancellation');
    rec.queueMs = await slot.run();
    const e0 = nowMs();
    try {
      return await handler();
    } finally {
      rec.execMs = nowMs() - e0;
      slot.done();
    }
  } catch (e) {
    return globalResponse(app, path, 'Exception', `emulator error: ${(e as Error).message}`);
  } finally {
    slot.leave();
    rec.serverMs = nowMs() - t0;
    rec.modeledSec = rec.serverMs / 1000 / ctx.settings.timeScale;
  }
}

/** Python json's error text for a body that is not JSON (Starlette `await request.json()`). */
function jsonDecodeError(text: string): PyErr {
  const p = text.search(/\S/);
  const pos = p < 0 ? text.length : /[[{"\-0-9tfn]/.test(text[p]) ? text.length : p;
  const line = text.slice(0, pos).split('\n').length;
  const col = pos - text.lastIndexOf('\n', pos - 1);
  return new PyErr('JSONDecodeError', `Expecting value: line ${line} column ${col} (char ${pos})`, 0, 'item = await request.json()');
}

/** Python's type name of a JSON value that is not an object. */
function jsonTypeName(parsed: unknown): string {
  if (Array.isArray(parsed)) return 'list';
  if (parsed === null) return 'NoneType';
  if (typeof parsed === 'string') return 'str';
  return typeof parsed === 'boolean' ? 'bool' : 'int';
}

/** `item = await request.json()` then `item.get(...)`: anything but a JSON object fails as Python does. */
function requestItem(route: RouteSpec, body: Buffer): Record<string, unknown> {
  if (route.method !== 'POST') return {};
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw jsonDecodeError(text);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PyErr('AttributeError', `'${jsonTypeName(parsed)}' object has no attribute 'get'`, 0, 'item.get(...)');
  }
  return parsed as Record<string, unknown>;
}

/** The route's plan, or the answer its Python error becomes (after the time the handler spent). */
async function planOrError(ctx: EmulatorContext, app: AppSpec, route: RouteSpec, path: string, body: Buffer): Promise<{ plan: Plan } | { answer: EmuResponse }> {
  const site: ErrorSite = { style: route.errorStyle, handlerFile: route.handlerFile, func: path.slice(1).replace(/[^a-z0-9]/gi, '_'), globalAddsPath: app.globalErrorAddsPath, path };
  try {
    const item = ctx.drift.renameIn(app.name, path, requestItem(route, body));
    return { plan: await route.handle({ item, app, options: ctx.fleetOptions, randomSeed: ctx.randomSeed }) };
  } catch (e) {
    if (!(e instanceof HttpErr || e instanceof PyErr)) return { answer: globalResponse(app, path, 'Exception', (e as Error).message ?? String(e)) };
    await sleepMs(scaledMs(e.afterSec, ctx.settings.timeScale));
    const ans = answerFor(e, { ...site, style: e instanceof PyErr && e.pyType === 'JSONDecodeError' ? 'plain' : site.style });
    ans.json = ctx.drift.renameOut(app.name, path, ans.json);
    return { answer: { ...jsonResponse(ans.status, ans.json), globalHandler: ans.globalHandler } };
  }
}

/** Platform and app failures strike JSON routes (GET /loras) as well as generations; null when none is asked. */
async function failureFault(ctx: EmulatorContext, app: AppSpec, path: string, faults: readonly FaultName[], execMs: number, appErrorMessage?: string): Promise<EmuResponse | null> {
  if (faults.includes('slow')) {
    await sleepMs(scaledMs(app.functionTimeoutSec, ctx.settings.timeScale));
    return textResponse(500, FUNCTION_TIMED_OUT);
  }
  if (faults.includes('modal-5xx')) {
    await sleepMs(execMs);
    return textResponse(500, FUNCTION_TIMED_OUT);
  }
  if (faults.includes('app-5xx')) {
    await sleepMs(execMs);
    return globalResponse(app, path, 'RuntimeError', appErrorMessage ?? 'ComfyUI server is not healthy, stopping container');
  }
  return null;
}

/** `/flux-pulid`'s cost headers: fleet seconds of handler work (the modelled GPU time, not the emulator's own encoding CPU). */
function costHeaders(handlerSec: number): Record<string, string> {
  return { 'x-cost-usd': (handlerSec * GPU_PRICE_PER_SEC.L40S).toFixed(6), 'x-execution-time-sec': handlerSec.toFixed(3), 'x-gpu-type': 'L40S' };
}

/** The route's handler from the request body to the answer. */
export async function executeRoute(ctx: EmulatorContext, app: AppSpec, route: RouteSpec, path: string, body: Buffer, faults: readonly FaultName[], appErrorMessage?: string): Promise<EmuResponse> {
  const { timeScale } = ctx.settings;
  const handlerStart = nowMs();
  const planned = await planOrError(ctx, app, route, path, body);
  if ('answer' in planned) return planned.answer;
  const { plan } = planned;
  const execMs = scaledMs(plan.execSec * ctx.slowdowns.factor(app.name, path), timeScale);
  const execStart = nowMs();
  const failure = await failureFault(ctx, app, path, faults, execMs, appErrorMessage);
  if (failure) return failure;
  if (plan.type === 'json') return jsonResponse(plan.status, plan.json);
  const output = applyOutputFaults(plan.output, faults, ctx.fixtures);
  let bytes: Buffer;
  try {
    [bytes] = await Promise.all([ctx.renderer.render(output), sleepMs(execMs)]);
  } catch (e) {
    return globalResponse(app, path, 'Exception', (e as Error).message);
  }
  const headers: Record<string, string> = { 'content-type': plan.contentType, ...plan.headers };
  if (plan.costHeaders && !faults.includes('missing-cost-headers')) Object.assign(headers, costHeaders(plan.execSec + (execStart - handlerStart) / 1000 / timeScale));
  return { status: 200, headers, body: bytes, transport: [] };
}

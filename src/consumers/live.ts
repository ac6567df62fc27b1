/**
 * Live consumer verification against a target, without paying for generations: the apps' route
 * lists (`GET /openapi.json`, see inventory.ts) prove which app registers which route, and for
 * each call a request the route rejects before any GPU work — the consumer's own payload with a
 * field the catalog documents as required taken out (or set to a documented bad value) — proves
 * the handler is there and shows which field names it now asks for. Modal's `invalid function
 * call` 404 (app not deployed), FastAPI's `{"detail":"Not Found"}` (route not registered) and a
 * validation error (route registered) are told apart. `generate` also sends the consumer's real
 * example and checks what the consumer reads from the answer.
 */
import { costEstimateUsd, latencyBudgetSec } from '../catalog/index.ts';
import type { AppName, EndpointEntry, ErrorCase, SampleValue } from '../catalog/types.ts';
import { isFixtureRef } from '../catalog/index.ts';
import type { ModalClient } from '../client/index.ts';
import type { CallResult } from '../client/types.ts';
import { GenprobeError } from '../errors/index.ts';
import { warmUpDeadlineMs } from '../runner/warm-up.ts';
import { answerKind, errorMessages, fieldsNamed } from './answers.ts';
import { CallCheck } from './call-check.ts';
import { inlineFiles, type Consumer, type ConsumerCall, type ConsumerFile } from './contract.ts';
import type { CallVerdict } from './findings.ts';
import { readInventory, inventoryApps, type AppInventory } from './inventory.ts';
import { APPS, closestField, entriesAtPath, isFleetApp, routeFacts } from './route-facts.ts';

export interface LiveOptions {
  client: ModalClient;
  /** Directory `$file` references resolve against. */
  baseDir: string;
  timeScale: number;
  overheadMs: number;
  /** Also send each call's real example payload (costs GPU time). */
  generate?: boolean;
  /** Refuse to start `generate` if the estimated GPU cost exceeds this (USD). */
  maxUsd?: number;
  /** Parallel probes (default 4). */
  concurrency?: number;
}

export class LiveBudgetError extends GenprobeError {
  constructor(message: string) {
    super(message, 'GENPROBE_CONSUMERS_BUDGET');
  }
}

/** GPU cost of sending every call's example once (warm budget × GPU price, per catalog route). */
export function generationCostUsd(contract: ConsumerFile): number {
  let usd = 0;
  for (const call of contract.consumers.flatMap((c) => c.calls)) {
    const entry = entriesAtPath(call.path).find((e) => e.app === call.app && e.lifecycle === 'live');
    if (entry) usd += entry.documentedCostUsd ?? costEstimateUsd(entry, latencyBudgetSec(entry, 'warm'));
  }
  return Math.round(usd * 1000) / 1000;
}

export async function verifyLive(contract: ConsumerFile, opts: LiveOptions): Promise<{ verdicts: CallVerdict[]; inventory: Map<string, AppInventory> }> {
  if (opts.generate) {
    const usd = generationCostUsd(contract);
    if (usd > (opts.maxUsd ?? 1)) throw new LiveBudgetError(`--generate would cost about $${usd} of GPU time, over the $${opts.maxUsd ?? 1} limit (--max-usd)`);
  }
  const inventory = await readInventory(opts.client, inventoryApps([contract]), opts);
  const jobs = contract.consumers.flatMap((c) => c.calls.map((call) => () => verifyCallLive(c, call, inventory, opts)));
  const verdicts = await pool(jobs, opts.concurrency ?? 4);
  return { verdicts, inventory };
}

async function pool<T>(jobs: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

async function verifyCallLive(consumer: Consumer, call: ConsumerCall, inventory: Map<string, AppInventory>, opts: LiveOptions): Promise<CallVerdict> {
  const chk = new CallCheck(consumer.name, call);
  const entry = entriesAtPath(call.path).find((e) => e.app === call.app) ?? entriesAtPath(call.path)[0];
  if (routeRegistered(chk, inventory)) {
    if (call.path === '/health') await probeHealth(chk, opts);
    else if (call.httpMethod === 'POST') await probeRejections(chk, entry, opts);
    if (opts.generate) await generate(chk, opts);
  }
  return chk.verdict(entry?.id);
}

/** From the route lists: is the app deployed, does it register the route (with this method), or does another app? */
function routeRegistered(chk: CallCheck, inventory: Map<string, AppInventory>): boolean {
  const { call } = chk;
  const inv = inventory.get(call.app);
  if (!inv || inv.state === 'not-deployed') {
    chk.add('app-not-deployed', `${chk.who} sends to ${call.app}: Modal answers 404 ${inv?.detail?.trim() ?? 'modal-http: invalid function call'} — the app is not deployed`);
    return false;
  }
  chk.ran(['app-not-deployed'], `${call.app} is deployed (GET /openapi.json in ${inv.latencyMs} ms)`);
  if (inv.state === 'unreadable') return true; // the probes below still tell the layers apart
  const methods = inv.paths.get(call.path);
  if (!methods) {
    const elsewhere = [...inventory.values()].filter((a) => a.state === 'registered' && a.paths.has(call.path)).map((a) => a.app);
    if (elsewhere.length) chk.add('wrong-app', `${chk.who} sends ${call.path} to ${call.app}, which does not register it; ${elsewhere.join(', ')} does`, { expected: elsewhere.join(', '), measured: call.app });
    else chk.add('route-unregistered', `${chk.who} calls ${call.path}; ${call.app} is deployed but does not register it (not in its /openapi.json): 404 Not Found`);
    return false;
  }
  if (!methods.includes(call.httpMethod)) {
    chk.add('method-mismatch', `${chk.who} sends ${call.httpMethod} ${call.path}; ${call.app} registers it for ${methods.join('/')} only: 405`, { expected: methods.join('/'), measured: call.httpMethod });
    return false;
  }
  chk.ran(['route-unregistered', 'wrong-app', 'method-mismatch'], `${call.app} registers ${call.httpMethod} ${call.path}`);
  return true;
}

function probeDeadlineMs(call: ConsumerCall, opts: LiveOptions): number {
  // A validation error on a cold app waits for the whole container start (@modal.enter).
  return isFleetApp(call.app) ? warmUpDeadlineMs(call.app as AppName, opts.timeScale, opts.overheadMs) : Math.round(600_000 * opts.timeScale + opts.overheadMs + 5000);
}

async function probeHealth(chk: CallCheck, opts: LiveOptions): Promise<void> {
  const r = await opts.client.call({ app: chk.call.app, path: '/health', method: 'GET', deadlineMs: probeDeadlineMs(chk.call, opts) });
  if (!layerFindings(chk, r, 'GET /health') && r.status === 200) chk.ran(['rejection-mismatch'], `GET /health answered 200 in ${Math.round(r.totalMs)} ms`);
}

/**
 * The bad requests the route answers before any GPU work: the catalog's error cases that take a
 * field out of the consumer's payload or set a documented bad value (fixture-free ones only).
 */
export function cheapCases(entry: EndpointEntry | undefined, call: ConsumerCall): ErrorCase[] {
  if (!entry || entry.lifecycle !== 'live') return [];
  const sends = new Set(Object.keys(call.example));
  const noFixtures = (o: Record<string, SampleValue>) => !Object.values(o).some((v) => isFixtureRef(v) || (Array.isArray(v) && v.some(isFixtureRef)));
  return entry.errors.filter((c) => (c.omit?.length && c.omit.every((f) => sends.has(f))) || (c.override && Object.keys(c.override).every((f) => sends.has(f)) && noFixtures(c.override)));
}

/**
 * Required fields the route checks before any GPU work (a documented cheap rejection takes them
 * out or sets them bad) that the consumer's payload lacks: then the payload as sent is itself a
 * request the route rejects cheaply, and its answer says which field the route wants.
 */
export function unsentCheckedFields(entry: EndpointEntry | undefined, call: ConsumerCall): string[] {
  if (!entry || entry.lifecycle !== 'live') return [];
  const sends = new Set(Object.keys(call.example));
  const checked = new Set(entry.errors.flatMap((c) => [...(c.omit ?? []), ...Object.keys(c.override ?? {})]));
  const fields = routeFacts(entry).fields;
  return [...checked].filter((f) => !sends.has(f) && fields.get(f)?.required);
}

async function probeRejections(chk: CallCheck, entry: EndpointEntry | undefined, opts: LiveOptions): Promise<void> {
  const { call } = chk;
  const payload = inlineFiles(call.example, opts.baseDir);
  const unsent = unsentCheckedFields(entry, call);
  const cases: ErrorCase[] = [...(unsent.length ? [{ name: `as sent, without "${unsent.join('", "')}"`, expect: { status: [400, 422], body: 'json-message' } } as ErrorCase] : []), ...cheapCases(entry, call)];
  if (!cases.length) {
    chk.ran(['rejection-mismatch'], `no documented cheap rejection for ${call.path}; registration shown by /openapi.json`);
    return;
  }
  for (const c of cases) {
    const body: Record<string, unknown> = { ...payload, ...(c.override ?? {}) };
    for (const f of c.omit ?? []) delete body[f];
    const r = await opts.client.call({ app: call.app, path: call.path, method: 'POST', json: body, deadlineMs: probeDeadlineMs(call, opts) });
    const what = `POST ${call.path} (${c.name})`;
    if (layerFindings(chk, r, what)) return;
    if (r.status !== null && r.status < 300) {
      chk.add('rejection-mismatch', `${what} generated (HTTP ${r.status}) instead of rejecting the request: the route no longer checks ${[...(c.omit ?? []), ...Object.keys(c.override ?? {})].join(', ')}`, { severity: 'warn', measured: r.status });
      continue;
    }
    namedFieldFindings(chk, r, what, new Set([...(c.omit ?? []), ...Object.keys(c.override ?? {})]), payload);
  }
  chk.ran(['rejection-mismatch', 'field-missing'], `${call.path} rejected ${cases.map((c) => c.name).join(', ')} naming the fields the consumer sends`);
}

/** App not deployed / route not found / method not allowed / no answer: true when one applied. */
function layerFindings(chk: CallCheck, r: CallResult, what: string): boolean {
  const kind = answerKind(r);
  const { call } = chk;
  if (kind === 'app-not-deployed') chk.add('app-not-deployed', `${what}: Modal answered 404 "${r.body.toString('utf8', 0, 80).trim()}" — ${call.app} is not deployed`);
  else if (kind === 'route-not-found') chk.add('route-unregistered', `${what}: ${call.app} answered 404 {"detail":"Not Found"} — the route is not registered`);
  else if (kind === 'method-not-allowed') chk.add('method-mismatch', `${what}: 405 Method Not Allowed`);
  else if (kind === 'no-answer') chk.add('rejection-mismatch', `${what}: no answer (${r.failure?.message ?? 'no response'})`, { severity: 'warn' });
  return kind !== 'handler';
}

/** The handler's error names a field the consumer never sends: the route now requires it (renamed or new). */
function namedFieldFindings(chk: CallCheck, r: CallResult, what: string, touched: Set<string>, payload: Record<string, unknown>): void {
  for (const group of fieldsNamed(errorMessages(r))) {
    if (group.some((f) => touched.has(f) || f in payload)) continue;
    const field = group.join('|');
    const near = group.map((f) => closestField(f, Object.keys(payload))).find(Boolean);
    chk.add('field-missing', `${what} answered ${r.status} naming "${group.join('" or "')}": ${chk.call.path} requires a field ${chk.who} never sends${near ? ` (it sends "${near}")` : ''}`, { field, measured: r.status, expected: near });
  }
}

async function generate(chk: CallCheck, opts: LiveOptions): Promise<void> {
  const { call } = chk;
  const payload = call.httpMethod === 'POST' ? inlineFiles(call.example, opts.baseDir) : undefined;
  const deadlineMs = Math.round(call.timeoutMs * opts.timeScale + opts.overheadMs);
  const r = await opts.client.call({ app: call.app, path: call.path, method: call.httpMethod, json: payload, deadlineMs });
  const what = `${call.httpMethod} ${call.path} with ${chk.who}'s example`;
  if (layerFindings(chk, r, what)) return;
  if (r.failure?.class === 'timeout') return chk.add('timeout-too-short', `${what}: no answer within the consumer's ${call.timeoutMs / 1000} s (${r.failure.message})`, { measured: Math.round(r.totalMs) });
  if (r.status === null || r.status >= 300) {
    namedFieldFindings(chk, r, what, new Set(), payload ?? {});
    return chk.add('generation-failed', `${what} answered ${r.status}: ${errorMessages(r).join(' / ').slice(0, 300)}`, { measured: r.status });
  }
  for (const h of call.reads.headers.map((x) => x.toLowerCase())) {
    if (!(h in r.headers)) chk.add('header-never-sent', `${what}: answered ${r.status} without ${h}, which ${chk.who} reads`, { field: `header:${h}` });
  }
  const json = (r.declaredType ?? '').includes('json');
  if (call.reads.body === 'binary' && (json || r.body.length === 0)) chk.add('body-kind-mismatch', `${what}: ${chk.who} reads media bytes; the answer is ${json ? 'JSON' : 'empty'}`);
  chk.ran(['generation-failed', 'header-never-sent', 'body-kind-mismatch', 'timeout-too-short'], `${what}: ${r.status} ${r.sniffedType} ${r.body.length} bytes in ${Math.round(r.totalMs)} ms`);
}

export { APPS };

/**
 * Static consumer verification: every call of a consumer-contract file against the catalog, with
 * no network. Route exists and is live, the app matches, the payload fits the route's request
 * schema, what the consumer reads is what the route sends, and its deadline leaves room for the
 * route's documented time, its cold start and Modal's 150 s / 303 window.
 */
import { warmishSeconds } from '../catalog/index.ts';
import type { EndpointEntry } from '../catalog/types.ts';
import { placeholderFiles, type Consumer, type ConsumerCall, type ConsumerFile, type FieldSpec } from './contract.ts';
import { CallCheck } from './call-check.ts';
import type { CallVerdict, FindingCode, Severity } from './findings.ts';
import { APPS, closestField, coldStartSec, COST_HEADERS, entriesAtPath, isFleetApp, MODAL_HTTP_LIMIT_SEC, routeFacts, type RouteFacts, type RouteField } from './route-facts.ts';

const WARN_CODES: ReadonlySet<FindingCode> = new Set(['app-deployment-unknown', 'field-optional', 'timeout-cold-start']);

/** Verifies every call of every consumer in the file. */
export function verifyStatic(contract: ConsumerFile): CallVerdict[] {
  return contract.consumers.flatMap((c) => verifyConsumer(c));
}

export function verifyConsumer(consumer: Consumer): CallVerdict[] {
  return consumer.calls.map((call) => verifyCall(consumer.name, call));
}

export function verifyCall(consumer: string, call: ConsumerCall): CallVerdict {
  const chk = new CallCheck(consumer, call, (code) => (WARN_CODES.has(code) ? 'warn' : 'fail'));
  checkApp(chk);
  const entry = call.path === '/health' ? undefined : resolveRoute(chk);
  if (call.path === '/health') checkHealthCall(chk);
  if (entry) {
    const facts = routeFacts(entry);
    if (entry.method === 'POST' && call.httpMethod === 'POST') checkFields(chk, facts);
    checkReads(chk, facts);
    // A route the fleet never timed gets Modal's 150 s window as its assumed time (latencyBudgetSec):
    // too short against an assumption is a warning, not a failure.
    const timed = entry.timing.documentedSec !== undefined || warmishSeconds(entry.timing.measured).length > 0;
    const basis = timed ? `documented ${entry.timing.documentedSec ?? '—'} s` : `never timed, assumed ${MODAL_HTTP_LIMIT_SEC} s`;
    checkTimeout(chk, facts.warmSec, facts.coldSec, `${entry.path} (${basis}, warm budget ${facts.warmSec} s, cold ${facts.coldSec} s)`, timed ? 'fail' : 'warn');
  }
  return chk.verdict(entry?.id);
}

function checkApp(chk: CallCheck): void {
  const { app } = chk.call;
  const route = `${chk.call.httpMethod} ${chk.call.path}`;
  if (!isFleetApp(app)) return chk.add('app-not-deployed', `${chk.who} sends ${route} to app ${app}, which is not an app of the fleet (known: ${Object.keys(APPS).join(', ')})`, { measured: app });
  const spec = APPS[app];
  if (spec.deployed === 'removed') return chk.add('app-not-deployed', `${chk.who} sends ${route} to ${app}, which the fleet removed: Modal answers 404 modal-http: invalid function call (${spec.source})`, { measured: app });
  if (spec.deployed === 'unknown') return chk.add('app-deployment-unknown', `${chk.who} sends ${route} to ${app}, whose deployment the fleet does not record${spec.note ? ` (${spec.note})` : ''}: if it is not deployed every call answers 404 modal-http: invalid function call`, { measured: app });
  chk.ran(['app-not-deployed', 'app-deployment-unknown'], `app ${app} is deployed`);
}

/** The catalog entry the call reaches, with route-missing / wrong-app / lifecycle findings. */
function resolveRoute(chk: CallCheck): EndpointEntry | undefined {
  const { call } = chk;
  const entries = entriesAtPath(call.path);
  if (entries.length === 0) {
    chk.add('route-missing', `${chk.who} calls ${call.httpMethod} ${call.path}, which no app of the fleet defines (not in the catalog): 404`);
    return undefined;
  }
  const onApp = entries.find((e) => e.app === call.app);
  const live = entries.filter((e) => e.lifecycle !== 'removed');
  if (!onApp) {
    const where = (live.length ? live : entries).map((e) => e.app).join(', ');
    chk.add('wrong-app', `${chk.who} sends ${call.path} to ${call.app}, but the route is served by ${where} (${entries[0].source}): ${call.app} answers 404`, { expected: where, measured: call.app });
    return live[0] ?? entries[0];
  }
  if (onApp.lifecycle === 'removed') {
    const elsewhere = live.filter((e) => e.app !== call.app).map((e) => e.app);
    chk.add(elsewhere.length ? 'wrong-app' : 'route-missing', elsewhere.length ? `${chk.who} sends ${call.path} to ${call.app}, where it was removed; it is served by ${elsewhere.join(', ')}` : `${chk.who} calls ${call.path} on ${call.app}, which does not define it${onApp.lifecycleNote ? ` (${onApp.lifecycleNote})` : ''}: 404 (${onApp.source})`);
    return undefined;
  }
  if (onApp.lifecycle === 'incompatible') {
    const expect = onApp.errors[0]?.expect;
    chk.add('route-incompatible', `${chk.who} calls ${call.path}, which is registered but documented to fail${expect ? ` (${expect.status.join('/')}${expect.contains ? ` "${expect.contains}"` : ''})` : ''}${onApp.lifecycleNote ? `: ${onApp.lifecycleNote}` : ''} (${onApp.source})`);
    return undefined;
  }
  if (onApp.method !== call.httpMethod) {
    chk.add('method-mismatch', `${chk.who} sends ${call.httpMethod} ${call.path}; the route takes ${onApp.method}: 405 Method Not Allowed`, { expected: onApp.method, measured: call.httpMethod });
  } else chk.ran(['route-missing', 'wrong-app', 'route-incompatible', 'method-mismatch'], `route ${call.httpMethod} ${call.path} is live on ${call.app}`);
  return onApp;
}

/** GET /health is defined in each app.py, not in a handler, so it is not a catalog entry. */
function checkHealthCall(chk: CallCheck): void {
  const { call } = chk;
  if (!isFleetApp(call.app)) return;
  const spec = APPS[call.app];
  if (!spec.health) return chk.add('route-missing', `${chk.who} calls GET /health on ${call.app}, which has no health route (${spec.source}): 404`);
  if (call.httpMethod !== 'GET') chk.add('method-mismatch', `${chk.who} sends ${call.httpMethod} /health; the route takes GET: 405`, { expected: 'GET', measured: call.httpMethod });
  if (call.reads.body === 'binary') chk.add('body-kind-mismatch', `${chk.who} reads bytes from GET /health, which answers JSON ${JSON.stringify(spec.health)}`, { expected: 'json', measured: 'binary' });
  for (const h of call.reads.headers.map((x) => x.toLowerCase())) if (!['content-type', 'content-length', 'date', 'server'].includes(h)) chk.add('header-never-sent', `${chk.who} reads ${h} from GET /health, which never sends it`, { field: `header:${h}` });
  // A cold app answers /health only after its container and ComfyUI start (@modal.enter).
  checkTimeout(chk, 1, spec.coldStartSec, `GET /health on ${call.app} (cold start ${spec.coldStartSec} s, ${spec.source})`);
}

function checkFields(chk: CallCheck, facts: RouteFacts): void {
  const { call } = chk;
  const route = call.path;
  let clean = true;
  for (const [name, spec] of Object.entries(call.fields)) {
    const rf = facts.fields.get(name);
    if (!rf) {
      const near = closestField(name, facts.fields.keys());
      chk.add('field-unknown', `${chk.who} sends "${name}" to ${route}, which never reads it (unknown keys are ignored)${near ? `; the route reads "${near}"` : ''}`, { field: name, expected: near });
      clean = false;
      continue;
    }
    if (!typeCompatible(spec, rf)) {
      chk.add('type-mismatch', `${chk.who} sends "${name}" as ${typeName(spec)} to ${route}, which requires ${typeName(rf)}`, { field: name, expected: typeName(rf), measured: typeName(spec) });
      clean = false;
    }
  }
  for (const rf of facts.fields.values()) {
    if (!rf.required) continue;
    const spec = call.fields[rf.name];
    if (!spec) {
      const near = closestField(rf.name, Object.keys(call.fields));
      chk.add('field-missing', `${route} requires "${rf.name}" (${typeName(rf)}); ${chk.who} never sends it${near ? ` (it sends "${near}")` : ''}`, { field: rf.name, measured: near });
      clean = false;
    } else if (!spec.required) {
      chk.add('field-optional', `${route} requires "${rf.name}"; ${chk.who}'s request type lets it be omitted`, { field: rf.name });
    }
  }
  if (!checkExample(chk, facts)) clean = false;
  chk.ran(['field-unknown', 'field-missing', 'field-optional', 'type-mismatch'], clean ? `payload fits ${route}'s request schema` : `checked against ${route}'s request schema`);
}

/** Validates the example payload itself (media stand-ins) against the route's zod schema. */
function checkExample(chk: CallCheck, facts: RouteFacts): boolean {
  const { call } = chk;
  const payload = placeholderFiles(call.example);
  let ok = true;
  for (const key of Object.keys(payload)) {
    if (facts.fields.has(key)) continue;
    chk.add('field-unknown', `${chk.who}'s example sends "${key}" to ${call.path}, which never reads it`, { field: key });
    ok = false;
  }
  const result = facts.entry.request.safeParse(payload);
  if (result.success) return ok;
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.');
    if (issue.path.length === 0) {
      ok = objectLevelIssue(chk, facts, issue.message) && ok;
    } else if (issue.code === 'invalid_type' && payload[String(issue.path[0])] === undefined) {
      if (!call.fields[String(issue.path[0])]) chk.add('field-missing', `${call.path} requires "${field}"; ${chk.who}'s example does not send it`, { field });
      ok = false;
    } else {
      chk.add('type-mismatch', `${chk.who}'s example "${field}" is rejected by ${call.path}: ${issue.message}`, { field, measured: summarize(payload[String(issue.path[0])]) });
      ok = false;
    }
  }
  return ok;
}

/** Object-level rules (`lora_id or lora_name is required`): name the fields the message names. */
function objectLevelIssue(chk: CallCheck, facts: RouteFacts, message: string): boolean {
  const named = message.split(/[^a-z0-9_]+/i).filter((w) => facts.fields.has(w));
  const field = named.join('|') || undefined;
  const declared = named.filter((n) => chk.call.fields[n]);
  if (declared.length) {
    chk.add('field-optional', `${chk.call.path}: ${message}; ${chk.who}'s request type lets ${declared.map((d) => `"${d}"`).join(' and ')} be omitted`, { field });
    return true;
  }
  chk.add('field-missing', `${chk.call.path}: ${message}; ${chk.who} sends none of them`, { field });
  return false;
}

function checkReads(chk: CallCheck, facts: RouteFacts): void {
  const { call } = chk;
  const { entry } = facts;
  const json = entry.output.kind === 'json';
  if ((call.reads.body === 'binary' && json) || (call.reads.body === 'json' && !json)) {
    chk.add('body-kind-mismatch', `${chk.who} reads ${call.reads.body === 'binary' ? 'media bytes' : 'JSON'} from ${call.path}, which answers ${json ? 'JSON' : `${entry.output.kind} bytes (${entry.output.declaredType})`}`, { expected: json ? 'json' : 'binary', measured: call.reads.body });
  }
  const missing = call.reads.headers.map((h) => h.toLowerCase()).filter((h) => !facts.headers.has(h));
  const dropped = missing.filter((h) => facts.droppedHeaders.has(h));
  const never = missing.filter((h) => !facts.droppedHeaders.has(h));
  // The cost headers are one defect (one copy loop), so one finding per call, not one per header.
  if (dropped.length) chk.add('header-never-sent', `${chk.who} reads ${dropped.join(', ')} from ${call.path}: the handler sets ${dropped.length > 1 ? 'them' : 'it'} but the route's case-sensitive copy loop drops ${dropped.length > 1 ? 'them' : 'it'} (only /flux-pulid sends the cost headers; ${entry.source})`, { field: `header:${dropped.join('|')}`, cause: 'copy-loop-drop' });
  for (const h of never) chk.add('header-never-sent', `${chk.who} reads ${h} from ${call.path}, which never sends it${COST_HEADERS.includes(h) ? ' (only /flux-pulid sends the cost headers)' : ''}`, { field: `header:${h}` });
  const clean = missing.length === 0;
  chk.ran(['body-kind-mismatch', 'header-never-sent'], clean ? `reads ${call.reads.body} body${call.reads.headers.length ? ` and ${call.reads.headers.join(', ')}` : ''}, which ${call.path} sends` : `reads checked against what ${call.path} sends`);
}

/** Deadline vs the route's warm and cold time and Modal's 150 s synchronous window. */
function checkTimeout(chk: CallCheck, warmSec: number, coldSec: number, what: string, tooShort: Severity = 'fail'): void {
  const { call } = chk;
  const sec = call.timeoutMs / 1000;
  if (sec < warmSec) chk.add('timeout-too-short', `${chk.who} gives up after ${sec} s; ${what}: a warm call may still be running`, { expected: warmSec, measured: sec, severity: tooShort });
  else if (sec < coldSec) chk.add('timeout-cold-start', `${chk.who} gives up after ${sec} s; ${what}: a cold call will time out`, { expected: coldSec, measured: sec });
  if (!call.followsRedirects && coldSec > MODAL_HTTP_LIMIT_SEC) {
    chk.add('redirect-not-followed', `${chk.who} does not follow redirects, but ${call.path} can take ${coldSec} s: after ${MODAL_HTTP_LIMIT_SEC} s Modal answers 303 to a result URL the consumer must GET`, { expected: 'follow', measured: 'manual' });
  }
  chk.ran(['timeout-too-short', 'timeout-cold-start', 'redirect-not-followed'], `timeout ${sec} s vs warm ${warmSec} s / cold ${coldSec} s${call.followsRedirects ? ', follows 303' : ''}`);
}

function typeCompatible(spec: FieldSpec, rf: RouteField): boolean {
  if (rf.type === 'unknown' || spec.type === 'unknown') return true;
  if (spec.type !== rf.type) return false;
  if (rf.type === 'array' && spec.items && rf.items && rf.items !== 'unknown' && spec.items !== 'unknown' && spec.items !== rf.items) return false;
  if (rf.enum && spec.enum) return spec.enum.every((v) => rf.enum!.includes(v));
  if (rf.enum && !spec.enum) return true; // the consumer's type is wider; the example is validated separately
  return true;
}

function typeName(t: { type: string; items?: string; enum?: unknown[]; dataUrl?: boolean }): string {
  if (t.enum) return t.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (t.type === 'array') return `list of ${t.items ?? 'unknown'}`;
  if (t.dataUrl) return 'string (data URL)';
  return t.type;
}

function summarize(v: unknown): unknown {
  return typeof v === 'string' && v.length > 40 ? `${v.slice(0, 37)}…` : v;
}

export { coldStartSec };

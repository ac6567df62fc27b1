/**
 * Issue 14.5: the gate reads each app's route list (GET /openapi.json) right after its /health
 * warm-up and sends nothing to a catalogued route the app does not register. Against the bundled
 * emulator with /flux-dev removed by deploy drift:
 *  - /flux-dev fails with route-broken / route-missing naming app and path, and the emulator's
 *    call log shows no request to /flux-dev at all (neither its happy path nor its negative case);
 *    the other endpoints of ryla-flux still pass, and the report says which inventories were read;
 *  - a waiver on route-missing accepts it;
 *  - an app whose /openapi.json is unavailable (Modal's 404) falls back: the calls decide;
 *  - --no-inventory: the old behaviour, the call is sent and fails on FastAPI's 404;
 *  - a removed route is still called, and when it answers otherwise while its app's list still has
 *    it, the failure says the route is still registered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModalClient, type CallRequest } from '../../src/client/index.ts';
import type { CallResult } from '../../src/client/types.ts';
import { parseConfig, type GenprobeConfig } from '../../src/config/index.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { runGate } from '../../src/runner/gate.ts';
import type { GateReport, Waiver } from '../../src/report/types.ts';
import { loadWaivers } from '../../src/waivers/index.ts';
import path from 'node:path';
import { genprobe, ROOT } from './helpers.ts';

/** The fleet's known defects (png-as-jpeg, dropped cost headers, …), so "passes" means what the shipped gate means. */
const SHIPPED = loadWaivers(path.join(ROOT, 'waivers.yaml'));

const ONLY = ['flux', 'flux-dev', 'loras'];
const NOW = new Date('2026-12-01T00:00:00Z');

interface CallRecord {
  app: string;
  path: string;
  method: string;
  startedAt: string;
}

let url = '';
let close: () => Promise<void> = async () => undefined;
let config: GenprobeConfig;

async function control<T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T | undefined> {
  const res = await fetch(`${url}/__emulator${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : ((await res.json()) as T);
}

/** A gate of ryla-flux's three endpoints on a fleet where /flux-dev was removed, and what reached the emulator. */
async function gate(opts: { inventory?: boolean; waivers?: Waiver[]; openapiFault?: string } = {}): Promise<{ report: GateReport; calls: CallRecord[] }> {
  await control('/reset', {});
  await control('/drift', undefined, 'DELETE');
  await control('/faults', undefined, 'DELETE');
  await control('/drift', { fault: 'route-removed', app: 'ryla-flux', path: '/flux-dev' });
  if (opts.openapiFault) await control('/faults', { match: { app: 'ryla-flux', path: '/openapi.json' }, fault: opts.openapiFault });
  const { report } = await runGate({ config, only: ONLY, waivers: opts.waivers ?? SHIPPED, inventory: opts.inventory, now: () => NOW });
  const state = await control<{ calls: CallRecord[] }>('/state');
  return { report, calls: state!.calls };
}

const endpoint = (r: GateReport, id: string) => r.endpoints.find((e) => e.id === id)!;
const failing = (r: GateReport, id: string) => endpoint(r, id).checks.filter((c) => c.verdict === 'fail' && !c.waived).map((c) => ({ check: c.check, finding: c.finding?.code }));
const callsTo = (calls: CallRecord[], path: string) => calls.filter((c) => c.app === 'ryla-flux' && c.path === path);

beforeAll(async () => {
  const s = await createEmulator({ timeScale: 0.01, seed: 3 }).listen(0);
  url = s.url;
  close = s.close;
  // Rendering on a loaded 2-core box is not time-scaled: generous fixed slack.
  config = parseConfig({ target: { url: `${s.url}/{app}`, timeScale: 0.01, overheadMs: 60_000 } });
}, 60_000);
afterAll(() => close());

describe('gate with the route inventory', () => {
  it('sends nothing to a route its app does not register, fails it with route-missing, and passes the app\'s other routes', async () => {
    const { report, calls } = await gate();
    const dev = endpoint(report, 'flux-dev');
    expect(dev.verdict).toBe('fail');
    expect(failing(report, 'flux-dev')).toEqual([{ check: 'route-broken', finding: 'route-missing' }]);
    const check = dev.checks[0];
    expect(check.finding).toEqual({ code: 'route-missing', params: { app: 'ryla-flux', path: '/flux-dev' } });
    expect(check.message).toContain('ryla-flux does not register /flux-dev');
    expect(dev.cases.map((c) => c.name)).toEqual(['route inventory']);
    expect(dev.costUsd).toBe(0);
    // Not its happy path, not its negative case: nothing reached the removed route.
    expect(callsTo(calls, '/flux-dev')).toEqual([]);
    expect(callsTo(calls, '/openapi.json').map((c) => c.method)).toEqual(['GET']);
    // Read as part of the warm-up: after /health answered, before the app's first contract call.
    const at = (p: string, pick: (xs: number[]) => number) => pick(callsTo(calls, p).map((c) => Date.parse(c.startedAt)));
    expect(at('/openapi.json', (xs) => Math.min(...xs))).toBeGreaterThanOrEqual(at('/health', (xs) => Math.max(...xs)));
    expect(at('/openapi.json', (xs) => Math.min(...xs))).toBeLessThanOrEqual(Math.min(at('/flux', (xs) => Math.min(...xs)), at('/loras', (xs) => Math.min(...xs))));
    // The app's other routes were called and pass (the fleet's known defects waived, as in the shipped gate).
    expect(callsTo(calls, '/flux').length).toBeGreaterThan(0);
    expect(callsTo(calls, '/loras').length).toBeGreaterThan(0);
    expect([failing(report, 'flux'), failing(report, 'loras')]).toEqual([[], []]);
    expect(['pass', 'waived']).toContain(endpoint(report, 'flux').verdict);
    expect(['pass', 'waived']).toContain(endpoint(report, 'loras').verdict);
    expect(report.inventory).toEqual([expect.objectContaining({ app: 'ryla-flux', state: 'registered' })]);
    expect(report.inventory![0].routes).toBeGreaterThan(3);
  }, 120_000);

  it('a waiver on route-missing accepts the finding', async () => {
    const waiver: Waiver = { endpoint: 'flux-dev', check: 'route-broken', finding: { code: 'route-missing' }, reason: 'route removed on purpose, catalog update pending', expires: '2027-01-31' };
    const { report } = await gate({ waivers: [waiver, ...SHIPPED] });
    expect(endpoint(report, 'flux-dev').verdict).toBe('waived');
    expect(report.exitCode).toBe(0);
    expect(report.knownDefects?.filter((d) => d.class === 'route-broken').map((d) => [d.finding, d.endpoints])).toEqual([['route-missing', ['flux-dev']]]);
  }, 120_000);

  it('falls back to the calls when the app\'s /openapi.json is unavailable (Modal\'s 404)', async () => {
    const { report, calls } = await gate({ openapiFault: 'modal-404' });
    expect(report.inventory).toEqual([expect.objectContaining({ app: 'ryla-flux', state: 'not-deployed' })]);
    // The call decides: /flux-dev is sent and fails on FastAPI's 404, not on the inventory.
    expect(callsTo(calls, '/flux-dev').length).toBeGreaterThan(0);
    expect(failing(report, 'flux-dev').map((c) => c.finding)).not.toContain('route-missing');
    expect(endpoint(report, 'flux-dev').cases[0].status).toBe(404);
  }, 120_000);

  it('--no-inventory: the old behaviour, the generation request is sent and fails on the 404', async () => {
    const { report, calls } = await gate({ inventory: false });
    expect(report.inventory).toBeUndefined();
    expect(callsTo(calls, '/openapi.json')).toEqual([]);
    expect(callsTo(calls, '/flux-dev').length).toBeGreaterThan(0);
    const happy = endpoint(report, 'flux-dev').cases.find((c) => c.kind === 'happy')!;
    expect(happy.status).toBe(404);
    expect(happy.checks.some((c) => c.check === 'status' && c.verdict === 'fail')).toBe(true);
  }, 120_000);

  it('genprobe gate --no-inventory is a flag of the gate, documented in --help', async () => {
    const help = await genprobe(['gate', '--help'], { timeoutMs: 60_000 });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--no-inventory');
    const bad = await genprobe(['gate', '--no-inventory=yes'], { timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
  }, 120_000);

  it('still calls a removed route; answered otherwise while still listed, its failure says it is still registered', async () => {
    /** A fleet where /sdxl-turbo was never taken out: listed by ryla-instantid, and answered by a handler. */
    class NotRemovedClient extends ModalClient {
      readonly sent: string[] = [];
      override async call(req: CallRequest): Promise<CallResult> {
        this.sent.push(`${req.method} ${req.app}${req.path}`);
        if (req.app === 'ryla-instantid' && req.path === '/sdxl-turbo') return super.call({ ...req, path: '/sdxl-instantid' });
        const r = await super.call(req);
        if (req.app !== 'ryla-instantid' || req.path !== '/openapi.json' || r.status !== 200) return r;
        const doc = JSON.parse(r.body.toString('utf8')) as { paths: Record<string, unknown> };
        return { ...r, body: Buffer.from(JSON.stringify({ ...doc, paths: { ...doc.paths, '/sdxl-turbo': { post: {} } } })) };
      }
    }
    await control('/reset', {});
    await control('/drift', undefined, 'DELETE');
    const client = new NotRemovedClient({ targetTemplate: config.target.url });
    const { report } = await runGate({ config, only: ['sdxl-instantid', 'sdxl-turbo'], waivers: SHIPPED, client, now: () => NOW });
    expect(client.sent).toContain('POST ryla-instantid/sdxl-turbo');
    const turbo = endpoint(report, 'sdxl-turbo');
    expect(turbo.verdict).toBe('fail');
    const failed = turbo.checks.filter((c) => c.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    for (const c of failed) expect(c.message).toContain('GET /openapi.json on ryla-instantid still lists POST /sdxl-turbo: the route is still registered');
  }, 120_000);
});

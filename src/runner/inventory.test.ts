import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEndpoint } from '../catalog/index.ts';
import { ModalClient } from '../client/index.ts';
import { inventoryRead, readAppInventory, routeVerdict, uncataloguedRoutes, type AppInventory } from './inventory.ts';

const registered = (app: string, paths: Record<string, string[]>): AppInventory => ({ app, state: 'registered', paths: new Map(Object.entries(paths)), latencyMs: 3 });
const FLUX_ROUTES = { '/health': ['GET'], '/flux': ['POST'], '/loras': ['GET'] };

describe('uncatalogued routes: registered, but no contract checks them', () => {
  it('lists what the app registers beyond its catalog entries and /health, and the report records it', () => {
    const inv = registered('ryla-flux', { ...FLUX_ROUTES, '/flux-dev': ['POST'], '/workflow': ['POST'], '/diagnostics/nodes': ['GET'] });
    expect(uncataloguedRoutes(inv)).toEqual([{ path: '/workflow', methods: ['POST'] }, { path: '/diagnostics/nodes', methods: ['GET'] }]);
    expect(inventoryRead(inv)).toEqual({ app: 'ryla-flux', state: 'registered', routes: 6, latencyMs: 3, uncatalogued: ['POST /workflow', 'GET /diagnostics/nodes'] });
    // A route catalogued on another app is not covered on this one.
    expect(uncataloguedRoutes(registered('ryla-flux', { '/flux-pulid': ['POST'] }))).toEqual([{ path: '/flux-pulid', methods: ['POST'] }]);
    expect(inventoryRead(registered('ryla-flux', FLUX_ROUTES))).not.toHaveProperty('uncatalogued');
  });
});

describe('routeVerdict: what the route list says about calling an endpoint', () => {
  const fluxDev = getEndpoint('flux-dev');

  it('calls a route its app registers for its method', () => {
    expect(routeVerdict(fluxDev, registered('ryla-flux', { ...FLUX_ROUTES, '/flux-dev': ['POST'] }))).toEqual({ kind: 'call' });
  });

  it('sends nothing to a live route its app does not register: route-broken / route-missing naming app and path', () => {
    const v = routeVerdict(fluxDev, registered('ryla-flux', FLUX_ROUTES));
    if (v.kind !== 'missing') throw new Error(`expected missing, got ${v.kind}`);
    expect(v.check.check).toBe('route-broken');
    expect(v.check.verdict).toBe('fail');
    expect(v.check.finding).toEqual({ code: 'route-missing', params: { app: 'ryla-flux', path: '/flux-dev' } });
    expect(v.check.message).toMatch(/^route missing: ryla-flux does not register \/flux-dev .*404 Not Found, so no request was sent$/);
  });

  it('a path registered under another method only is missing too (FastAPI answers 405)', () => {
    const v = routeVerdict(fluxDev, registered('ryla-flux', { ...FLUX_ROUTES, '/flux-dev': ['GET'] }));
    expect(v.kind).toBe('missing');
    if (v.kind === 'missing') expect(v.check.message).toContain('registers /flux-dev for GET only');
  });

  it('an incompatible route (recorded as failing, still promised) must be registered as well', () => {
    const v = routeVerdict(getEndpoint('flux-instantid'), registered('ryla-instantid', { '/health': ['GET'], '/sdxl-instantid': ['POST'] }));
    expect(v.kind).toBe('missing');
  });

  it('always calls a removed route (its 404 is the contract); notes when the list still has it', () => {
    const turbo = getEndpoint('sdxl-turbo');
    expect(routeVerdict(turbo, registered('ryla-instantid', { '/health': ['GET'] }))).toEqual({ kind: 'call' });
    const still = routeVerdict(turbo, registered('ryla-instantid', { '/sdxl-turbo': ['POST'] }));
    expect(still).toEqual({ kind: 'call', note: 'GET /openapi.json on ryla-instantid still lists POST /sdxl-turbo: the route is still registered' });
  });

  it('leaves the decision to the calls when the list is not known', () => {
    const base = { app: 'ryla-flux', paths: new Map<string, string[]>(), latencyMs: 1 };
    expect(routeVerdict(fluxDev, undefined)).toEqual({ kind: 'call' });
    expect(routeVerdict(fluxDev, { ...base, state: 'not-deployed', detail: 'modal-http: invalid function call' })).toEqual({ kind: 'call' });
    expect(routeVerdict(fluxDev, { ...base, state: 'unreadable', detail: 'GET /openapi.json answered 500' })).toEqual({ kind: 'call' });
    // Another app's list says nothing about this route.
    expect(routeVerdict(fluxDev, registered('ryla-z-image', { '/z-image-simple': ['POST'] }))).toEqual({ kind: 'call' });
  });
});

describe('readAppInventory: an app\'s GET /openapi.json', () => {
  let server: Server;
  let client: ModalClient;
  const answers: Record<string, [number, string, string]> = {
    '/ryla-flux/openapi.json': [200, 'application/json', JSON.stringify({ openapi: '3.1.0', paths: { '/flux': { post: {} }, '/loras': { get: {} } } })],
    '/ryla-lora/openapi.json': [404, 'text/plain', 'modal-http: invalid function call'],
    '/ryla-z-image/openapi.json': [200, 'text/html', '<html>docs disabled</html>'],
    '/ryla-wan26/openapi.json': [404, 'application/json', '{"detail":"Not Found"}'],
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const [status, type, body] = answers[req.url ?? ''] ?? [500, 'text/plain', 'unexpected'];
      res.writeHead(status, { 'content-type': type }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new ModalClient({ targetTemplate: `http://127.0.0.1:${(server.address() as AddressInfo).port}/{app}` });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const read = (app: string) => readAppInventory(client, app, { timeScale: 0.01, overheadMs: 5000 });

  it('lists the paths and their methods of a FastAPI schema', async () => {
    const inv = await read('ryla-flux');
    expect(inv.state).toBe('registered');
    expect(Object.fromEntries(inv.paths)).toEqual({ '/flux': ['POST'], '/loras': ['GET'] });
  });

  it("tells Modal's not-deployed 404 from a list it cannot read", async () => {
    expect((await read('ryla-lora')).state).toBe('not-deployed');
    const html = await read('ryla-z-image');
    expect([html.state, html.detail]).toEqual(['unreadable', expect.stringContaining('not an OpenAPI document')]);
    const off = await read('ryla-wan26');
    expect([off.state, off.detail]).toEqual(['unreadable', expect.stringContaining('404')]);
  });
});

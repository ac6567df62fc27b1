import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEndpoint } from '../catalog/index.ts';
import type { EndpointStatus, StatusSource } from '../probes/status.ts';
import type { EndpointStateSnapshot } from '../state/tracker.ts';
import { xmlProblem } from '../../test/gate/helpers.ts';
import { badgeSvg, endpointBadge, fleetBadge, registerBadges, shieldsJson } from './badges.ts';
import { listen } from './app.ts';

const state = (endpoint: string, s: EndpointStateSnapshot['state']): EndpointStateSnapshot => ({
  endpoint, app: 'ryla-flux', state: s, since: 0, at: 0, failures: 0, passes: 0, thresholds: { failuresToDown: 3, passesToUp: 2 }, lastObservation: 'pass', passRatio: 1, windowProbes: 1,
});
const status = (endpoint: string, s?: EndpointStateSnapshot['state'], extra: Partial<EndpointStatus> = {}): EndpointStatus => ({
  endpoint, app: 'ryla-flux', gpu: 'L40S', history: [], ...(s ? { state: state(endpoint, s) } : {}), ...extra,
});

describe('badge content', () => {
  const flux = getEndpoint('flux');
  it('state: colour by state, grey before any probe', () => {
    expect(endpointBadge(flux, status('flux', 'up'), 'state', 1)).toEqual({ label: 'flux', message: 'up', color: '#4c1' });
    expect(endpointBadge(flux, status('flux', 'down'), 'state', 1).color).toBe('#e05d44');
    expect(endpointBadge(flux, status('flux'), 'state', 1).message).toBe('unknown');
  });

  it('latency: the median of generation calls against the documented time, at the target\'s time scale', () => {
    const doc = flux.timing.documentedSec!;
    const history = [1, 2, 3].map((f) => ({ at: 0, ms: doc * 1000 * 0.01 * f * 0.5, kind: 'smoke' as const, start: 'warm' as const, verdict: 'ok' as const }));
    const b = endpointBadge(flux, status('flux', 'up', { history: [...history, { at: 0, ms: 1e9, kind: 'health', start: 'warm', verdict: 'ok' }] }), 'latency', 0.01);
    expect(b.message).toMatch(new RegExp(`^${((doc * 10) / 1000).toFixed(2)} s / ${((doc * 10) / 1000).toFixed(2)} s documented$`));
    expect(b.color).toBe('#4c1');
  });

  it('face: the last match against the endpoint\'s target; n/a where there is no face', () => {
    const id = getEndpoint('sdxl-instantid');
    const last = { faceMatchPct: 91.24 } as EndpointStatus['last'];
    expect(endpointBadge(id, status('sdxl-instantid', 'up', { last }), 'face', 1)).toMatchObject({ message: `91.2 % (≥ ${id.face!.target[0]} %)`, color: '#4c1' });
    expect(endpointBadge(flux, status('flux', 'up'), 'face', 1).message).toBe('n/a');
  });

  it('fleet: up out of probed live endpoints, red with any down', () => {
    const entries = [getEndpoint('flux'), getEndpoint('flux-dev'), getEndpoint('sdxl-turbo')];
    expect(fleetBadge([status('flux', 'up'), status('flux-dev', 'degraded')], entries)).toEqual({ label: 'fleet', message: '2/2 up', color: '#dfb317' });
    expect(fleetBadge([status('flux', 'up'), status('flux-dev', 'down')], entries)).toMatchObject({ message: '1/2 up, 1 down', color: '#e05d44' });
    expect(fleetBadge([], entries).message).toBe('not probed yet');
  });

  it('SVG is well-formed and escapes its text; Shields JSON follows the endpoint schema', () => {
    const svg = badgeSvg({ label: 'a<b>&"c"', message: "x'y", color: '#4c1' });
    expect(xmlProblem(svg)).toBeNull();
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(shieldsJson({ label: 'flux', message: 'up', color: '#4c1' })).toEqual({ schemaVersion: 1, label: 'flux', message: 'up', color: '4c1' });
  });
});

describe('badge routes', () => {
  let url = '';
  let close: () => Promise<void>;
  beforeAll(async () => {
    const statuses = [status('flux', 'up'), status('flux-dev', 'down')];
    const source: StatusSource = { endpoints: () => statuses, endpoint: (id) => statuses.find((s) => s.endpoint === id), budget: () => [], usage: () => undefined };
    const app = express();
    registerBadges(app, source, 1, [getEndpoint('flux'), getEndpoint('flux-dev'), getEndpoint('wan2.6')]);
    ({ url, close } = await listen(app, '127.0.0.1', 0));
  });
  afterAll(async () => close?.());

  it('serve SVG and Shields JSON per endpoint (dotted ids too) and for the fleet', async () => {
    const svg = await fetch(`${url}/badge/flux.svg`);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(svg.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = await svg.text();
    expect(xmlProblem(text)).toBeNull();
    expect(text).toContain('<title>flux: up</title>');
    expect(await (await fetch(`${url}/badge/flux-dev.json`)).json()).toEqual({ schemaVersion: 1, label: 'flux-dev', message: 'down', color: 'e05d44' });
    expect(await (await fetch(`${url}/badge/wan2.6.json`)).json()).toMatchObject({ label: 'wan2.6', message: 'unknown' });
    expect(await (await fetch(`${url}/badge/fleet.json`)).json()).toMatchObject({ label: 'fleet', message: '1/2 up, 1 down' });
    expect(await (await fetch(`${url}/badge/flux.json?metric=latency`)).json()).toMatchObject({ label: 'flux p50', message: 'no data' });
  });

  it('unknown endpoints are 404, unknown metrics 400', async () => {
    expect((await fetch(`${url}/badge/nope.svg`)).status).toBe(404);
    expect((await fetch(`${url}/badge/%3Cscript%3E.svg`)).status).toBe(404);
    expect((await fetch(`${url}/badge/flux.svg?metric=cost`)).status).toBe(400);
    expect((await fetch(`${url}/badge/fleet.svg?metric=face`)).status).toBe(400);
  });
});

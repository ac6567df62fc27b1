/**
 * Badges for READMEs and dashboards (Gatus-style), per endpoint and for the fleet:
 *   GET /badge/<id>.svg[?metric=state|latency|face]   a flat SVG badge
 *   GET /badge/<id>.json[?metric=…]                   Shields.io endpoint JSON (schemaVersion 1)
 *   GET /badge/fleet.svg | fleet.json                 how many endpoints are up
 * state: the endpoint's state with hysteresis; latency: the median of its recent generation calls
 * against its documented time (time-scaled like the calls); face: its last face-match %.
 * Only catalog ids are served (anything else is a 404), and the SVG is self-contained text with a
 * Content-Security-Policy that forbids scripts, so a badge cannot carry anything an endpoint sent.
 */
import type { Express, Response } from 'express';
import { CATALOG } from '../catalog/index.ts';
import type { EndpointEntry } from '../catalog/types.ts';
import type { EndpointStatus, StatusSource } from '../probes/status.ts';

export interface Badge {
  label: string;
  message: string;
  color: string;
}

const COLORS = { green: '#4c1', yellow: '#dfb317', orange: '#fe7d37', red: '#e05d44', grey: '#9f9f9f', blue: '#007ec6' } as const;
type ColorName = keyof typeof COLORS;

const STATE_COLOR: Record<string, ColorName> = { up: 'green', degraded: 'yellow', pending: 'orange', down: 'red', maintenance: 'blue' };

export const METRICS = ['state', 'latency', 'face'] as const;
export type BadgeMetric = (typeof METRICS)[number];

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function endpointBadge(entry: EndpointEntry, s: EndpointStatus | undefined, metric: BadgeMetric, timeScale: number): Badge {
  if (metric === 'state') {
    const st = s?.state?.state;
    return { label: entry.id, message: st ?? 'unknown', color: COLORS[st ? STATE_COLOR[st] : 'grey'] };
  }
  if (metric === 'latency') {
    const p50 = median((s?.history ?? []).filter((h) => h.kind !== 'health').map((h) => h.ms));
    const doc = entry.timing.documentedSec;
    if (p50 === null) return { label: `${entry.id} p50`, message: 'no data', color: COLORS.grey };
    const docMs = doc === undefined ? null : doc * 1000 * timeScale;
    const message = docMs === null ? seconds(p50) : `${seconds(p50)} / ${seconds(docMs)} documented`;
    const color = docMs === null ? COLORS.blue : p50 <= docMs ? COLORS.green : p50 <= docMs * 1.5 ? COLORS.yellow : COLORS.red;
    return { label: `${entry.id} p50`, message, color };
  }
  const pct = s?.last?.faceMatchPct;
  if (!entry.face) return { label: `${entry.id} face`, message: 'n/a', color: COLORS.grey };
  if (pct === undefined || pct === null) return { label: `${entry.id} face`, message: 'no data', color: COLORS.grey };
  const target = entry.face.target[0];
  return { label: `${entry.id} face`, message: `${pct.toFixed(1)} % (≥ ${target} %)`, color: pct >= target ? COLORS.green : COLORS.red };
}

export function fleetBadge(statuses: readonly EndpointStatus[], entries: readonly EndpointEntry[]): Badge {
  const live = entries.filter((e) => e.lifecycle === 'live');
  const byId = new Map(statuses.map((s) => [s.endpoint, s]));
  const states = live.map((e) => byId.get(e.id)?.state?.state).filter((s): s is NonNullable<typeof s> => s !== undefined);
  if (!states.length) return { label: 'fleet', message: 'not probed yet', color: COLORS.grey };
  const up = states.filter((s) => s === 'up' || s === 'degraded').length;
  const down = states.filter((s) => s === 'down').length;
  const message = `${up}/${states.length} up${down ? `, ${down} down` : ''}`;
  const color = down ? COLORS.red : states.includes('pending') ? COLORS.orange : states.includes('degraded') ? COLORS.yellow : COLORS.green;
  return { label: 'fleet', message, color };
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Width of text in Verdana 11 px, near enough for a badge (average advance ~6.1 px, wide glyphs more). */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[mwMW%@]/.test(ch) ? 9 : /[il.,:;|!' ]/.test(ch) ? 3.5 : /[A-Z0-9]/.test(ch) ? 7 : 6.2;
  return Math.ceil(w);
}

/** A flat badge in the Shields.io layout: grey label, coloured message, both as escaped text. */
export function badgeSvg(b: Badge): string {
  const lw = textWidth(b.label) + 10;
  const mw = textWidth(b.message) + 10;
  const w = lw + mw;
  const label = xmlEscape(b.label);
  const message = xmlEscape(b.message);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${label}: ${message}">`,
    `<title>${label}: ${message}</title>`,
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${b.color}"/><rect width="${w}" height="20" fill="url(#s)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`,
    `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${label}</text><text x="${lw / 2}" y="14">${label}</text>`,
    `<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${message}</text><text x="${lw + mw / 2}" y="14">${message}</text>`,
    `</g></svg>`,
  ].join('');
}

/** Shields.io's endpoint badge schema: https://shields.io/badges/endpoint-badge */
export function shieldsJson(b: Badge) {
  return { schemaVersion: 1, label: b.label, message: b.message, color: b.color.replace(/^#/, '') };
}

function send(res: Response, b: Badge, format: 'svg' | 'json'): void {
  res.setHeader('Cache-Control', 'max-age=30');
  if (format === 'json') {
    res.json(shieldsJson(b));
    return;
  }
  res.setHeader('Content-Type', 'image/svg+xml; charset=utf-8');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.send(badgeSvg(b));
}

export function registerBadges(app: Express, source: StatusSource, timeScale: number, entries: readonly EndpointEntry[] = CATALOG): void {
  const byId = new Map(entries.map((e) => [e.id, e]));
  app.get(/^\/badge\/(.+)\.(svg|json)$/, (req, res) => {
    const [id, format] = [decodeURIComponent((req.params as Record<string, string>)[0]), (req.params as Record<string, string>)[1] as 'svg' | 'json'];
    const metric = (req.query.metric ?? 'state') as string;
    if (!(METRICS as readonly string[]).includes(metric)) {
      res.status(400).json({ error: `metric must be one of ${METRICS.join(', ')}` });
      return;
    }
    if (id === 'fleet') {
      if (metric !== 'state') {
        res.status(400).json({ error: 'the fleet badge has only the state metric' });
        return;
      }
      send(res, fleetBadge(source.endpoints(), entries), format);
      return;
    }
    const entry = byId.get(id);
    if (!entry) {
      res.status(404).json({ error: 'unknown endpoint' });
      return;
    }
    send(res, endpointBadge(entry, source.endpoint(id), metric as BadgeMetric, timeScale), format);
  });
}

/**
 * The maintenance API of `genprobe serve`, so a deploy pipeline can open a window before it deploys
 * and close it after (`genprobe maintenance start|end|list` is its client):
 *   GET  /api/maintenance        the windows open now (configured and run-time)
 *   POST /api/maintenance        {"apps": ["ryla-flux"], "for": "20m", "reason": "deploy"} → 201
 *   POST /api/maintenance/end    {"apps": [...]} or {"id": "…"} → the run-time windows it ended
 * The routes sit behind the server's auth. Bodies must be JSON (a cross-site form post cannot
 * open a window) and at most 4 KiB; apps must be apps of the catalog.
 */
import type { Express } from 'express';
import { z } from 'zod';
import { APPS } from '../catalog/index.ts';
import { parseDurationMs } from '../config/duration.ts';
import { jsonBodyParser, parseJsonBody } from './json-body.ts';
import { MAX_API_WINDOW_MS, type ActiveWindow, type MaintenanceCalendar } from '../state/windows.ts';

const appName = z.string().refine((a) => Object.hasOwn(APPS, a), { message: 'is not an app of the catalog' });

const openSchema = z
  .object({
    apps: z.array(appName).max(64).optional(),
    for: z.string().refine((d) => (parseDurationMs(d) ?? 0) > 0 && (parseDurationMs(d) ?? Infinity) <= MAX_API_WINDOW_MS, {
      message: `must be a duration up to ${MAX_API_WINDOW_MS / 3_600_000}h, e.g. "20m"`,
    }),
    reason: z.string().trim().min(1).max(300),
  })
  .strict();

const endSchema = z.object({ apps: z.array(appName).max(64).optional(), id: z.string().min(1).max(100).optional() }).strict();

export function windowJson(w: ActiveWindow) {
  return { id: w.id, source: w.source, apps: w.apps, reason: w.reason, start: w.start === null ? null : new Date(w.start).toISOString(), until: new Date(w.until).toISOString() };
}

export function registerMaintenanceApi(app: Express, calendar: MaintenanceCalendar, log?: (line: Record<string, unknown>) => void): void {
  const json = jsonBodyParser();
  app.get('/api/maintenance', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ windows: calendar.active().map(windowJson) });
  });
  app.post('/api/maintenance', json, (req, res) => {
    const body = parseJsonBody(openSchema, req, res);
    if (!body) return;
    const w = calendar.open({ apps: body.apps ?? null, durationMs: parseDurationMs(body.for)!, reason: body.reason });
    log?.({ event: 'maintenance-start', id: w.id, apps: w.apps, until: new Date(w.until).toISOString(), reason: w.reason });
    res.status(201).json({ window: windowJson(w) });
  });
  app.post('/api/maintenance/end', json, (req, res) => {
    const body = parseJsonBody(endSchema, req, res);
    if (!body) return;
    const ended = calendar.end({ id: body.id, apps: body.apps ?? null });
    log?.({ event: 'maintenance-end', ids: ended.map((w) => w.id) });
    res.json({ ended: ended.map(windowJson) });
  });
}

/**
 * The probe service's HTTP face (express 5):
 *   GET /healthz     liveness, never behind auth
 *   GET /metrics     the project's registry merged with default Node metrics
 *   GET /api/status  JSON per endpoint: last probe, verdicts, latency, start type, face match, cost,
 *                    last error; plus budget state and usage snapshot
 * Everything but /healthz sits behind the optional bearer/basic auth. `GET /` belongs to the status
 * page module (src/server/status-page.ts) when it exists; extraRoutes lets callers add more.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { Registry } from 'prom-client';
import type { GenprobeConfig } from '../config/index.ts';
import { runnerLabels } from '../config/index.ts';
import type { EndpointStatus, ProbeOutcome, StatusSource } from '../probes/status.ts';
import { authMiddleware, resolveAuth } from './auth.ts';
import { hostCheck } from './host-check.ts';

export type { StatusSource, EndpointStatus, ProbeOutcome } from '../probes/status.ts';

export interface ServerOptions {
  config: GenprobeConfig;
  /** The project's registry (genprobe_* metrics). */
  registry: Registry;
  /** Registries merged into /metrics only (default Node metrics). */
  extraRegistries?: Registry[];
  statusSource: StatusSource;
  /** Environment the auth secrets are read from (names in config.server.auth). */
  env?: NodeJS.ProcessEnv;
  /** Mount more routes (after auth, before the status page). */
  extraRoutes?: (app: Express) => void;
  /** Disable looking for src/server/status-page.ts (tests of this module alone). */
  statusPage?: boolean;
}

/** The status page module's contract: it mounts its own routes (GET / and assets). */
export interface StatusPageModule {
  registerStatusPage?: (app: Express, statusSource: StatusSource) => void | Promise<void>;
}

function outcomeJson(o: ProbeOutcome | undefined) {
  if (!o) return null;
  return {
    kind: o.kind,
    at: new Date(o.finishedAt).toISOString(),
    result: o.result,
    skip: o.skip,
    latencyMs: o.latencyMs,
    start: o.start ?? null,
    startReason: o.startReason ?? null,
    latencyVerdict: o.latencyVerdict ?? null,
    faceMatchPct: o.faceMatchPct ?? null,
    costUsd: Math.round(o.costUsd * 1e6) / 1e6,
    redirects: o.redirects,
    failedChecks: o.failedChecks,
    warnings: o.warnings ?? [],
    error: o.error ?? null,
    maintenance: maintenanceJson(o.maintenance),
    warmUps: o.warmUps.map((w) => ({ app: w.app, ok: w.ok, status: w.status, durationMs: Math.round(w.durationMs), start: w.start, reason: w.reason, error: w.error ?? null })),
  };
}

export function endpointStatusJson(s: EndpointStatus) {
  return {
    endpoint: s.endpoint,
    app: s.app,
    gpu: s.gpu,
    lastProbe: outcomeJson(s.last),
    lastSkip: outcomeJson(s.lastSkip),
    lastSuccessAt: s.lastSuccessAt ? new Date(s.lastSuccessAt).toISOString() : null,
    lastOutput: s.lastOutput ? { sniffedType: s.lastOutput.sniffedType, bytes: s.lastOutput.body.length, at: new Date(s.lastOutput.at).toISOString() } : null,
    history: s.history.slice(-20),
    state: s.state ? stateJson(s.state) : null,
  };
}

/** The snapshot's fields /api/status shows as they are (its ids and last observation are the card's own). */
const STATE_FIELDS = ['state', 'failures', 'passes', 'thresholds', 'passRatio', 'windowProbes'] as const;

/** The endpoint's state with hysteresis (src/state/) as /api/status and the page show it. */
function stateJson(st: NonNullable<EndpointStatus['state']>) {
  const shown = Object.fromEntries(STATE_FIELDS.map((k) => [k, st[k]])) as Pick<typeof st, (typeof STATE_FIELDS)[number]>;
  return { ...shown, since: new Date(st.since).toISOString(), maintenance: maintenanceJson(st.maintenance) };
}

/** A maintenance window as the API shows it, for a probe and for a state alike (`until: null` is open-ended). */
function maintenanceJson(window: { reason: string; until: number | null } | undefined) {
  if (!window) return null;
  return { reason: window.reason, until: window.until === null ? null : new Date(window.until).toISOString() };
}

const STATUS_PAGE_TS = fileURLToPath(new URL('./status-page.ts', import.meta.url));

export async function createServer(opts: ServerOptions): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  const auth = resolveAuth(opts.config.server.auth, opts.env ?? process.env);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Before auth and every route but /healthz: with auth off (the default) this is what keeps a
  // rebinding web page from reading /api/status, /metrics and the thumbnails.
  app.use(hostCheck(opts.config.server.allowedHosts, opts.config.server.host));
  if (auth) app.use(authMiddleware(auth));

  app.get('/metrics', async (_req, res, next) => {
    try {
      const merged = Registry.merge([opts.registry, ...(opts.extraRegistries ?? [])]);
      // A merged registry drops its parts' default labels: the runner's identity goes on again.
      merged.setDefaultLabels(runnerLabels(opts.config.runner));
      res.setHeader('Content-Type', merged.contentType);
      res.send(await merged.metrics());
    } catch (err) {
      next(err);
    }
  });

  app.get('/api/status', (_req, res) => {
    const src = opts.statusSource;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      generatedAt: new Date().toISOString(),
      target: { timeScale: opts.config.target.timeScale },
      budget: src.budget(),
      usage: src.usage() ?? null,
      endpoints: src.endpoints().map(endpointStatusJson),
    });
  });

  opts.extraRoutes?.(app);
  if (opts.statusPage !== false && existsSync(STATUS_PAGE_TS)) {
    const mod = (await import(STATUS_PAGE_TS)) as StatusPageModule;
    await mod.registerStatusPage?.(app, opts.statusSource);
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // A failing handler answers 500 without a stack or internals; the process keeps serving.
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (res.headersSent) return;
    res.status(500).json({ error: 'internal error', message: String((err as Error)?.message ?? err).slice(0, 200) });
  });
  return app;
}

/** Listen and resolve with the bound URL (port 0 → an ephemeral port). */
export function listen(app: Express, host: string, port: number): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      const addr = server.address() as AddressInfo;
      const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        server,
        url: `http://${h}:${addr.port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
    server.once('error', reject);
  });
}

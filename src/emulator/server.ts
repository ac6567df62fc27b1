/**
 * The fleet emulator: every Modal app of the fleet served at `/{app}/{path}` by one express app,
 * with Modal's own behaviour in front (undeployed apps, 150 s limit → 303 result URLs, cold
 * starts, containers that run one job at a time and scale out at max_inputs — timing.ts) and
 * injectable faults. Built only from the fleet's code and docs/fleet.md (via fleet/); it does not
 * import genprobe's catalog, client or checks, so running those against it cross-checks them.
 *
 * The parts: context.ts (options and shared state), call-store.ts (call records and pending
 * results), router.ts (request → app → route, Modal's platform behaviour), execute.ts (one call in
 * a container), transport.ts (writing the answer, transport faults), control.ts (`/__emulator`).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createContext, type EmulatorOptions } from './context.ts';
import { controlRouter } from './control.ts';
import { handleFleetRequest } from './router.ts';
import { createState, type EmulatorState } from './state.ts';

export type { CallRecord } from './call-store.ts';
export type { EmulatorOptions } from './context.ts';
export type { EmulatorState, EmulatorStateSnapshot } from './state.ts';

export interface Emulator {
  app: express.Express;
  state: EmulatorState;
  listen(port?: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
}

export function createEmulator(opts: EmulatorOptions = {}): Emulator {
  const ctx = createContext(opts);
  const state = createState(ctx);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use('/__emulator', controlRouter(ctx, state));
  app.use((req, res) => {
    void handleFleetRequest(ctx, req, res).catch((e: unknown) => {
      if (!res.headersSent) res.status(500).type('text/plain').send(`genprobe emulator error: ${(e as Error).message}`);
      else res.destroy();
    });
  });
  return { app, state, listen: (port = 0, host = '127.0.0.1') => listen(app, port, host, () => ctx.calls.close()) };
}

/** Listens on `host:port`; `close` stops the call sweep, drops open connections and closes the server. */
function listen(app: express.Express, port: number, host: string, onClose: () => void): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      const addr = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            onClose();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.on('error', reject);
  });
}

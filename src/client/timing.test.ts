/**
 * What a call's latency contains (issue 16.2): the server's time and the network, from the first
 * request byte written to the last response byte parsed; not the connection set-up genprobe pays
 * for its per-call Agent (kept per hop as connectMs), nor its own work around the call.
 */
import http from 'node:http';
import net from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModalClient } from './modal-client.ts';

let server: http.Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url!.endsWith('/hop')) return void res.writeHead(303, { Location: '/app/slow' }).end();
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('done'), 200);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A dispatcher whose every connection takes 400 ms to set up (a slow handshake, a loaded box). */
function slowConnect(): Agent {
  return new Agent({
    connect: (_opts, cb) => {
      setTimeout(() => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => cb(null, socket));
        socket.once('error', (err) => cb(err, null));
      }, 400);
    },
  });
}

describe('latency is taken where the bytes move', () => {
  it('counts the server time, not the connection set-up before the first request', async () => {
    const client = new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}`, dispatcher: slowConnect() });
    const t = performance.now();
    const r = await client.call({ app: 'app', path: '/slow', method: 'POST', json: { x: 'y'.repeat(1000) }, deadlineMs: 20_000 });
    const wall = performance.now() - t;
    expect(r.status).toBe(200);
    expect(r.totalMs).toBeGreaterThanOrEqual(199);
    expect(r.hops[0].connectMs).toBeGreaterThanOrEqual(399);
    expect(wall - r.totalMs).toBeGreaterThanOrEqual(399);
    expect(r.hops[0].startedAtMs).toBe(0);
    expect(r.ttfbMs!).toBeLessThanOrEqual(r.totalMs);
  });

  it('counts every hop of a 303 chain, the time between them included', async () => {
    const client = new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}` });
    const r = await client.call({ app: 'app', path: '/hop', method: 'POST', json: {}, deadlineMs: 20_000 });
    expect(r.hops.map((h) => h.status)).toEqual([303, 200]);
    expect(r.hops[1].startedAtMs).toBeGreaterThanOrEqual(r.hops[0].waitMs);
    expect(r.totalMs).toBeGreaterThanOrEqual(r.hops[1].startedAtMs + 199);
  });

  it('sends a same-origin hop on the connection the 303 came on, not a new one whose set-up would count', async () => {
    const before = connections;
    const client = new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}` });
    const r = await client.call({ app: 'app', path: '/hop', method: 'POST', json: {}, deadlineMs: 20_000 });
    expect(r.status).toBe(200);
    expect(connections - before).toBe(1);
  });
});

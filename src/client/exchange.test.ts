/**
 * One hop as a dispatch handler (src/client/exchange.ts): the body is collected by the parser's
 * own callbacks, so the hop settles at the last byte; a sink that stops reading drops the
 * connection; a signal ends a hop that has no answer yet at once; interim 1xx answers are skipped.
 */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CUT_BODY_KEPT_BYTES, openBody, type BodySink } from './body.ts';
import { exchange, type HopRequest } from './exchange.ts';
import { CallClock } from './timing.ts';

let route: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end();
let server: http.Server;
let port = 0;
let agent: Agent;

beforeAll(async () => {
  server = http.createServer((req, res) => route(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await agent?.destroy();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = (path = '/'): HopRequest => ({ url: `http://127.0.0.1:${port}${path}`, method: 'GET', headers: {}, body: undefined });
const keepUnder = (cap: number) => (_status: number, headers: http.IncomingHttpHeaders, stop: () => void) =>
  openBody({ ...(headers['content-length'] ? { 'content-length': String(headers['content-length']) } : {}) }, cap, stop);

describe('exchange', () => {
  it('keeps every chunk as the parser hands it over and settles at the last byte', async () => {
    route = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (const byte of [1, 2]) {
        res.write(Buffer.alloc(1000, byte));
        await sleep(30);
      }
      // The last chunk and the end in one write: a reader a turn behind the parser would miss it.
      res.end(Buffer.alloc(1000, 3));
    };
    agent = new Agent();
    const clock = new CallClock();
    const writes: number[] = [];
    const sinkFor = (status: number, headers: http.IncomingHttpHeaders, stop: () => void): BodySink => {
      const inner = keepUnder(1 << 20)(status, headers, stop);
      return { write: (chunk) => (writes.push(clock.now()), inner.write(chunk)), finish: (err) => inner.finish(err) };
    };
    const answer = await exchange(clock.wrap(agent), get(), new AbortController().signal, sinkFor);
    expect(answer.statusCode).toBe(200);
    expect(answer.read.stop).toEqual({ kind: 'complete' });
    expect([...answer.read.body.subarray(0, 1)], 'first chunk').toEqual([1]);
    expect(answer.read.body.length).toBe(3000);
    expect(writes.length).toBeGreaterThanOrEqual(3);
    // Every byte was in the sink before the clock stopped: no reader runs after the parser's end.
    expect(writes.at(-1)!).toBeLessThanOrEqual(clock.lastByteMs());
  });

  it('drops the connection once the sink stops reading at the cap', async () => {
    let serverSawClose = false;
    let written = 0;
    route = (_req, res) => {
      res.writeHead(200);
      res.on('close', () => (serverSawClose = true));
      const pump = () => {
        while (!res.destroyed && written < 64 << 20) {
          written += 64 << 10;
          if (!res.write(Buffer.alloc(64 << 10))) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    agent = new Agent();
    const answer = await exchange(agent, get(), new AbortController().signal, keepUnder(1 << 20));
    expect(answer.read.stop).toMatchObject({ kind: 'too-large' });
    // Only the head of a body cut at the cap is kept: it failed, and nothing judges it.
    expect(answer.read.body.length).toBe(CUT_BODY_KEPT_BYTES);
    await sleep(100);
    expect(serverSawClose).toBe(true);
    expect(written, 'the server stopped well short of its 64 MiB').toBeLessThan(32 << 20);
  });

  it('refuses a body on its headers alone without waiting for its bytes', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-length': String(8 << 20) });
      res.write(Buffer.alloc(1000));
      // The rest never comes: the hop must end on the declared length, not wait for it.
    };
    agent = new Agent();
    const answer = await exchange(agent, get(), new AbortController().signal, keepUnder(1 << 20));
    expect(answer.read).toMatchObject({ wireBytes: 0, stop: { kind: 'too-large' } });
  });

  it('a signal ends a hop whose request was never sent, and the request is aborted if it is later', async () => {
    let held: Dispatcher.DispatchHandler | undefined;
    const holding = { dispatch: (_opts: unknown, handler: Dispatcher.DispatchHandler) => ((held = handler), true) } as unknown as Dispatcher;
    const ctl = new AbortController();
    const hop = exchange(holding, get(), ctl.signal, keepUnder(1024));
    const reason = new Error('deadline');
    ctl.abort(reason);
    await expect(hop).rejects.toBe(reason);
    let abortedWith: unknown;
    held!.onRequestStart!({ abort: (r: unknown) => (abortedWith = r) } as unknown as Dispatcher.DispatchController, {});
    expect(abortedWith).toBe(reason);
  });

  it('skips an interim 103 answer and collects the final one', async () => {
    route = (_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.end('final');
    };
    agent = new Agent();
    const answer = await exchange(new CallClock().wrap(agent), get(), new AbortController().signal, keepUnder(1024));
    expect(answer.statusCode).toBe(200);
    expect(answer.read.body.toString()).toBe('final');
  });
});

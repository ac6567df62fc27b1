import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidTargetUrlError } from './errors.ts';
import { ModalClient } from './modal-client.ts';
import { closeClientThread } from './off-thread.ts';
import type { CallResult } from './types.ts';

/** A server with a 303 hop, a big body, a tiny body, a credential echo and a hang. */
function startServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const big = Buffer.alloc(700_000, 7);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/app/hop') return res.writeHead(303, { location: '/app/big' }).end();
      if (url.pathname === '/app/big') return res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length }).end(big);
      if (url.pathname === '/app/echo') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ got: Buffer.concat(chunks).toString(), key: req.headers['modal-key'] }));
      if (url.pathname === '/app/hang') return; // never answers
      res.writeHead(404).end('no route');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

/** What must not differ between the threads (timings do). */
const shape = (r: CallResult) => ({
  status: r.status,
  body: r.body.toString('base64'),
  sniffedType: r.sniffedType,
  declaredType: r.declaredType,
  failure: r.failure,
  hops: r.hops.map((h) => [h.method, h.url, h.status]),
  headers: Object.keys(r.headers).filter((k) => k !== 'date'),
});

describe('calls on the client worker thread', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  const auth = { key: 'wk-offthread-test-key', secret: 'ws-offthread-test-secret' };
  const clients = () => {
    const base = { targetTemplate: '', auth };
    return [new ModalClient({ ...base, targetTemplate: `${srv.origin}/{app}` }), new ModalClient({ ...base, targetTemplate: `${srv.origin}/{app}`, offThread: false })];
  };
  beforeAll(async () => (srv = await startServer()));
  afterAll(async () => {
    await closeClientThread();
    await srv.close();
  });

  it('answer as the same call on this thread does: body bytes, hops, headers, redaction', async () => {
    const [off, on] = clients();
    const cases = [
      { app: 'app', path: '/big', method: 'GET' as const, deadlineMs: 10_000 },
      { app: 'app', path: '/echo', method: 'POST' as const, json: { prompt: 'a cat', n: 1 }, deadlineMs: 10_000 },
      { app: 'app', path: '/missing', method: 'GET' as const, deadlineMs: 10_000 },
    ];
    for (const c of cases) {
      const [a, b] = [await off.call(c), await on.call(c)];
      expect(shape(a)).toEqual(shape(b));
      expect(Buffer.isBuffer(a.body)).toBe(true);
    }
    const echo = await off.call(cases[1]);
    expect(JSON.parse(echo.body.toString())).toEqual({ got: '{"prompt":"a cat","n":1}', key: '[REDACTED]' });
  });

  it('follow a 303 and time it', async () => {
    const [off] = clients();
    const r = await off.call({ app: 'app', path: '/hop', method: 'POST', json: {}, deadlineMs: 10_000 });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(700_000);
    expect(r.hops.map((h) => h.status)).toEqual([303, 200]);
    expect(r.totalMs).toBeGreaterThan(0);
  });

  it('keep many concurrent calls apart (each answer matched to its call)', async () => {
    const [off] = clients();
    const prompts = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const answers = await Promise.all(prompts.map((p) => off.call({ app: 'app', path: '/echo', method: 'POST', json: { p }, deadlineMs: 10_000 })));
    expect(answers.map((a) => JSON.parse(JSON.parse(a.body.toString()).got).p)).toEqual(prompts);
  });

  it("end at the caller's deadline and on the caller's abort, naming which", async () => {
    const [off] = clients();
    const timedOut = await off.call({ app: 'app', path: '/hang', method: 'GET', deadlineMs: 300 });
    expect(timedOut.failure).toMatchObject({ class: 'timeout', message: expect.stringMatching(/^deadline of 300 ms passed/) });
    const controller = new AbortController();
    const pending = off.call({ app: 'app', path: '/hang', method: 'GET', deadlineMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect((await pending).failure?.message).toMatch(/aborted by the caller's signal/);
    const already = AbortSignal.abort();
    expect((await off.call({ app: 'app', path: '/hang', method: 'GET', deadlineMs: 10_000, signal: already })).failure?.message).toMatch(/aborted by the caller's signal/);
  });

  it('refuse what cannot cross threads, and bad requests before anything is posted', async () => {
    expect(() => new ModalClient({ targetTemplate: `${srv.origin}/{app}`, dispatcher: new Agent(), offThread: true })).toThrow(InvalidArgumentError);
    const [off] = clients();
    await expect(off.call({ app: 'app', path: '/echo', method: 'POST', json: { n: 1n }, deadlineMs: 1000 })).rejects.toThrow(TypeError);
    await expect(off.call({ app: 'app', path: '/echo', method: 'GET', json: {}, deadlineMs: 1000 })).rejects.toThrow(InvalidArgumentError);
    const noApp = new ModalClient({ targetTemplate: `${srv.origin}/{app}` });
    await expect(noApp.call({ app: '', path: '/big', method: 'GET', deadlineMs: 1000 })).rejects.toThrow(InvalidTargetUrlError);
  });

  it("raise the client thread's priority where permitted (root here), and only that thread's", async () => {
    const [off] = clients();
    await off.call({ app: 'app', path: '/big', method: 'GET', deadlineMs: 10_000 });
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value.
    const nices = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    expect(os.getPriority(0)).toBe(0);
    const privileged = process.getuid?.() === 0;
    // The client thread (one per process; a reused test process may hold another file's) and nothing else.
    expect([...new Set(nices.filter((n) => n !== 0))]).toEqual(privileged ? [-10] : []);
  });

  it("follow the target's clientThread setting (default on)", () => {
    const url = `${srv.origin}/{app}`;
    expect(ModalClient.forTarget({ url }).runsOffThread).toBe(true);
    expect(ModalClient.forTarget({ url, clientThread: true }).runsOffThread).toBe(true);
    expect(ModalClient.forTarget({ url, clientThread: false }).runsOffThread).toBe(false);
    expect(new ModalClient({ targetTemplate: url, lookup: (_h, _o, cb) => cb(null, '127.0.0.1', 4) }).runsOffThread).toBe(false);
  });

  it('start a new thread after the old one is closed', async () => {
    await closeClientThread();
    const [off] = clients();
    expect((await off.call({ app: 'app', path: '/big', method: 'GET', deadlineMs: 10_000 })).status).toBe(200);
  });
});

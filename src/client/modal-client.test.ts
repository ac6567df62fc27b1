import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CUT_BODY_KEPT_BYTES } from './body.ts';
import { InvalidArgumentError } from './errors.ts';
import { ModalClient, MAX_HOPS } from './modal-client.ts';
import type { CallResult } from './types.ts';

/** A request as the test server saw it. */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

/** Tiny scriptable server: tests register a handler per path and read back what arrived. */
class ScriptServer {
  readonly server: http.Server;
  readonly routes = new Map<string, Handler>();
  readonly seen: Seen[] = [];
  port = 0;

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const seen: Seen = { method: req.method!, url: req.url!, headers: req.headers, bodyBytes: body.length, body: body.toString('utf8') };
        this.seen.push(seen);
        const handler = this.routes.get(new URL(req.url!, 'http://x').pathname);
        if (!handler) {
          res.writeHead(599, { 'content-type': 'text/plain' }).end(`no route for ${req.url}`);
          return;
        }
        handler(req, res, seen);
      });
    });
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  reset(): void {
    this.routes.clear();
    this.seen.length = 0;
    this.server.closeAllConnections();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 0x42)]);
const KEY = 'wk-test-KEY-1234567890';
const SECRET = 'ws-test-SECRET-abcdefghij';
const MiB = 1024 * 1024;

const a = new ScriptServer();
const b = new ScriptServer();
const rawServers: net.Server[] = [];

beforeAll(async () => {
  await a.start();
  await b.start();
});
afterEach(() => {
  a.reset();
  b.reset();
});
afterAll(async () => {
  await a.stop();
  await b.stop();
  await Promise.all(rawServers.map((s) => new Promise((r) => s.close(r))));
});

/** Local template: the app name is the first path segment, as in the project's emulator. */
function localClient(extra: ConstructorParameters<typeof ModalClient>[0] = {}): ModalClient {
  return new ModalClient({ targetTemplate: `${a.origin}/{app}`, ...extra });
}

/** Raw TCP server for responses node:http refuses to produce (lying Content-Length). */
async function rawServer(respond: (socket: net.Socket) => void): Promise<string> {
  const srv = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => respond(socket));
  });
  rawServers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
}

describe('ModalClient — success paths', () => {
  it('returns a direct 200 with the declared and the sniffed type', async () => {
    a.routes.set('/ryla-flux/flux', (_req, res) => res.writeHead(200, { 'Content-Type': 'image/jpeg', 'X-NSFW-Mode': 'false' }).end(PNG_BYTES));
    const r = await localClient().call({ app: 'ryla-flux', path: '/flux', method: 'POST', json: { prompt: 'a cat' }, deadlineMs: 10_000 });
    expect(r.failure).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.declaredType).toBe('image/jpeg');
    expect(r.sniffedType).toBe('png');
    expect(r.body.equals(PNG_BYTES)).toBe(true);
    expect(r.headers['x-nsfw-mode']).toBe('false');
    expect(Object.keys(r.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(r.hops).toHaveLength(1);
    expect(r.hops[0]).toMatchObject({ method: 'POST', status: 200, url: `${a.origin}/ryla-flux/flux` });
    expect(r.ttfbMs).not.toBeNull();
    expect(r.ttfbMs!).toBeLessThanOrEqual(r.totalMs);
    expect(a.seen[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(a.seen[0].body)).toEqual({ prompt: 'a cat' });
  });

  it('follows a 303 chain with GET only, recording every hop', async () => {
    a.routes.set('/app/seedvr2', (_req, res) => res.writeHead(303, { Location: '/app/result?__modal_function_call_id=fc-01&n=1' }).end());
    a.routes.set('/app/result', (req, res) => {
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'));
      // Each result-URL hop blocks a little, as Modal's does until the 150 s window ends.
      setTimeout(() => {
        if (n < 3) res.writeHead(303, { Location: `result?__modal_function_call_id=fc-01&n=${n + 1}` }).end('see other');
        else res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_BYTES);
      }, 60);
    });
    const r = await localClient().call({ app: 'app', path: '/seedvr2', method: 'POST', json: { image: 'x' }, deadlineMs: 15_000 });
    expect(r.failure).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.sniffedType).toBe('png');
    expect(r.hops.map((h) => [h.method, h.status])).toEqual([
      ['POST', 303],
      ['GET', 303],
      ['GET', 303],
      ['GET', 200],
    ]);
    expect(r.hops[3].url).toBe(`${a.origin}/app/result?__modal_function_call_id=fc-01&n=3`);
    for (let i = 1; i < r.hops.length; i++) {
      expect(r.hops[i].startedAtMs).toBeGreaterThanOrEqual(r.hops[i - 1].startedAtMs + r.hops[i - 1].waitMs);
      expect(r.hops[i].waitMs).toBeGreaterThanOrEqual(50);
    }
    expect(a.seen.map((s) => s.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
    for (const s of a.seen.slice(1)) {
      expect(s.bodyBytes).toBe(0);
      expect(s.headers['content-type']).toBeUndefined();
    }
    expect(r.ttfbMs!).toBeGreaterThanOrEqual(r.hops[3].startedAtMs);
  });

  it('decodes gzip, raw deflate and brotli bodies', async () => {
    const payload = Buffer.from(JSON.stringify({ status: 'healthy', app: 'ryla-flux' }));
    a.routes.set('/x/gz', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end(zlib.gzipSync(payload)));
    a.routes.set('/x/df', (_q, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateRawSync(payload)));
    a.routes.set('/x/br', (_q, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync(payload)));
    const client = localClient();
    for (const path of ['/gz', '/df', '/br']) {
      const r = await client.call({ app: 'x', path, method: 'GET', deadlineMs: 10_000 });
      expect(r.failure, path).toBeUndefined();
      expect(r.body.equals(payload), path).toBe(true);
      expect(r.sniffedType).toBe('json');
    }
  });

  it('health() is a GET /health', async () => {
    a.routes.set('/ryla-flux/health', (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy","app":"ryla-flux"}'));
    const r = await localClient().health('ryla-flux', 10_000);
    expect(r.status).toBe(200);
    expect(a.seen[0].method).toBe('GET');
    expect(JSON.parse(r.body.toString())).toEqual({ status: 'healthy', app: 'ryla-flux' });
  });
});

describe('ModalClient — classified failures', () => {
  const cases: Array<[string, number, string, string, string]> = [
    ['invalid function call', 404, 'text/plain', 'modal-http: invalid function call', 'modal-platform'],
    ['expired request', 408, 'text/plain', 'Missing request, possibly due to expiry or cancellation', 'modal-platform'],
    ['function timed out', 500, 'text/plain', 'modal-http: internal error: function execution timed out', 'modal-platform'],
    ['KeyError', 500, 'application/json', '{"error":"\'prompt\'","details":"Traceback (most recent call last):\\n  KeyError: \'prompt\'","type":"KeyError"}', 'app-error'],
    ['HTTPException', 400, 'application/json', '{"detail":"lora_id or lora_name is required"}', 'app-error'],
  ];
  it.each(cases)('%s → %s', async (_name, status, type, body, cls) => {
    a.routes.set('/app/route', (_q, res) => res.writeHead(status, { 'content-type': type }).end(body));
    const r = await localClient().call({ app: 'app', path: '/route', method: 'POST', json: {}, deadlineMs: 10_000 });
    expect(r.failure?.class).toBe(cls);
    expect(r.failure?.status).toBe(status);
    expect(r.status).toBe(status);
    expect(r.failure?.message).toContain(JSON.stringify(body).slice(1, 40));
    expect(r.body.toString()).toBe(body);
  });

  it('ends a fast 303 loop at the hop cap as modal-platform', async () => {
    a.routes.set('/app/loop', (req, res) => {
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n') ?? 0);
      res.writeHead(303, { Location: `/app/loop?n=${n + 1}` }).end();
    });
    const r = await localClient().call({ app: 'app', path: '/loop', method: 'POST', json: {}, deadlineMs: 30_000 });
    expect(r.failure?.class).toBe('modal-platform');
    expect(r.failure?.message).toMatch(new RegExp(`redirect loop: ${MAX_HOPS} hops`));
    expect(r.hops).toHaveLength(MAX_HOPS);
    expect(r.totalMs).toBeLessThan(30_000);
  });

  it('ends a slow 303 loop at the deadline, naming the deadline and hop count', async () => {
    a.routes.set('/app/slowloop', (_req, res) => setTimeout(() => res.writeHead(303, { Location: '/app/slowloop' }).end(), 100));
    const r = await localClient().call({ app: 'app', path: '/slowloop', method: 'POST', json: {}, deadlineMs: 700 });
    expect(r.failure?.class).toBe('timeout');
    expect(r.failure?.message).toMatch(new RegExp(`deadline of 700 ms passed after ${r.hops.length} hops`));
    expect(r.hops.length).toBeGreaterThan(1);
    expect(r.totalMs).toBeLessThan(700 + 10_000);
  });

  it('times out while a hop blocks, within deadline + slack', async () => {
    a.routes.set('/app/block', () => undefined); // never answers
    const started = Date.now();
    const r = await localClient().call({ app: 'app', path: '/block', method: 'POST', json: {}, deadlineMs: 400 });
    expect(Date.now() - started).toBeLessThan(400 + 10_000);
    expect(r.failure?.class).toBe('timeout');
    expect(r.failure?.message).toMatch(/deadline of 400 ms passed after 1 hop .*waiting for response headers/);
    expect(r.status).toBeNull();
    expect(r.ttfbMs).toBeNull();
    expect(r.hops).toEqual([expect.objectContaining({ method: 'POST', status: null })]);
  });

  it('reports an aborted caller signal as timeout with its own message', async () => {
    a.routes.set('/app/block', () => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await localClient().call({ app: 'app', path: '/block', method: 'GET', deadlineMs: 30_000, signal: ac.signal });
    expect(r.failure?.class).toBe('timeout');
    expect(r.failure?.message).toMatch(/aborted by the caller/);
  });

  it('maps connection refused to network', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const r = await new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}` }).call({ app: 'x', path: '/flux', method: 'POST', json: {}, deadlineMs: 10_000 });
    expect(r.failure?.class).toBe('network');
    expect(r.failure?.message).toMatch(/connection refused \(ECONNREFUSED\)/);
    expect(r.status).toBeNull();
    expect(r.hops).toHaveLength(1);
  });

  it('stops a 50 MiB stream at a 1 MiB cap without buffering it', async () => {
    let written = 0;
    let serverSawClose!: () => void;
    const closed = new Promise<void>((r) => (serverSawClose = r));
    a.routes.set('/app/huge', (_q, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      const pump = () => {
        while (written < 50 * MiB && !res.destroyed) {
          // Each 64 KiB chunk filled with its own index, so the kept head shows which bytes it holds.
          const chunk = Buffer.alloc(64 * 1024, (written / (64 * 1024)) % 251);
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      res.on('close', () => serverSawClose());
      pump();
    });
    const r = await localClient({ maxBodyBytes: MiB }).call({ app: 'app', path: '/huge', method: 'GET', deadlineMs: 20_000 });
    expect(r.failure?.class).toBe('too-large');
    expect(r.failure?.message).toMatch(/1048576-byte cap; stopped reading \(its first 65536 bytes kept\)/);
    // The body failed and nothing judges it: only its first bytes come back, the body's own.
    expect(r.body.length).toBe(CUT_BODY_KEPT_BYTES);
    expect(r.body.equals(Buffer.alloc(CUT_BODY_KEPT_BYTES, 0))).toBe(true);
    await closed;
    // Backpressure stopped the server long before 50 MiB: the client did not read it all.
    expect(written).toBeLessThan(25 * MiB);
  });

  it('refuses a declared Content-Length over the cap without reading it', async () => {
    a.routes.set('/app/declared', (_q, res) => {
      res.writeHead(200, { 'content-length': String(8 * MiB) });
      res.write(Buffer.alloc(1024));
    });
    const r = await localClient({ maxBodyBytes: MiB }).call({ app: 'app', path: '/declared', method: 'GET', deadlineMs: 10_000 });
    expect(r.failure?.class).toBe('too-large');
    expect(r.failure?.message).toMatch(/declares 8388608 bytes/);
  });

  it('ends an endless body at the deadline', async () => {
    a.routes.set('/app/endless', (_q, res) => {
      res.writeHead(200, { 'content-type': 'image/webp' });
      const timer = setInterval(() => res.write(Buffer.alloc(1024, 7)), 20);
      res.on('close', () => clearInterval(timer));
    });
    const r = await localClient().call({ app: 'app', path: '/endless', method: 'GET', deadlineMs: 600 });
    expect(r.failure?.class).toBe('timeout');
    expect(r.failure?.message).toMatch(/deadline of 600 ms passed after 1 hop .*reading the response body/);
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(0);
  });

  it('flags a body shorter than its Content-Length', async () => {
    const origin = await rawServer((s) => {
      s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100\r\n\r\n'), PNG_BYTES.subarray(0, 50)]));
    });
    const r = await new ModalClient({ targetTemplate: `${origin}/{app}` }).call({ app: 'x', path: '/', method: 'GET', deadlineMs: 10_000 });
    expect(r.failure?.class).toBe('network');
    expect(r.failure?.message).toMatch(/body shorter than Content-Length: got 50 of 100/);
  });

  it('flags a body longer than its Content-Length', async () => {
    const origin = await rawServer((s) => {
      s.write(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 10\r\n\r\n'), PNG_BYTES.subarray(0, 60)]));
    });
    const r = await new ModalClient({ targetTemplate: `${origin}/{app}` }).call({ app: 'x', path: '/', method: 'GET', deadlineMs: 10_000 });
    expect(r.failure?.class).toBe('network');
    expect(r.failure?.message).toMatch(/body longer than Content-Length/);
    expect(r.body.length).toBe(10);
  });

  it('stops a gzip bomb at the cap', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * MiB), { level: 9 });
    expect(bomb.length).toBeLessThan(MiB);
    a.routes.set('/app/bomb', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'image/png' }).end(bomb));
    const r = await localClient({ maxBodyBytes: MiB }).call({ app: 'app', path: '/bomb', method: 'GET', deadlineMs: 20_000 });
    expect(r.failure?.class).toBe('too-large');
    expect(r.failure?.message).toMatch(/decoded body passed the 1048576-byte cap/);
    expect(r.body.length).toBeLessThanOrEqual(CUT_BODY_KEPT_BYTES);
  });

  it('reports invalid gzip as network', async () => {
    a.routes.set('/app/badgz', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('this is not gzip at all'));
    const r = await localClient().call({ app: 'app', path: '/badgz', method: 'GET', deadlineMs: 10_000 });
    expect(r.failure?.class).toBe('network');
    expect(r.failure?.message).toMatch(/^invalid gzip body/);
  });

  it('reads past an interim 103 Early Hints answer (a proxy may send one) to the final response', async () => {
    // Until 2026-12-04 the timing handler asserted one response start per request and failed this call.
    a.routes.set('/app/hints', (_q, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const r = await localClient().call({ app: 'app', path: '/hints', method: 'GET', deadlineMs: 10_000 });
    expect(r.failure).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('{"ok":true}');
  });
});

describe('ModalClient — credentials', () => {
  const auth = { key: KEY, secret: SECRET };

  function assertNoSecrets(r: CallResult): void {
    const text = JSON.stringify(r);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(SECRET);
  }

  it('sends Modal-Key/Modal-Secret and keeps them out of results and errors', async () => {
    a.routes.set('/app/echo', (req, res) => {
      // A misbehaving app that echoes the credentials into a header and an error body.
      res.writeHead(500, { 'content-type': 'application/json', 'x-echo': String(req.headers['modal-secret']) });
      res.end(JSON.stringify({ error: `bad key ${req.headers['modal-key']} / ${req.headers['modal-secret']}`, type: 'ValueError' }));
    });
    const r = await localClient({ auth }).call({ app: 'app', path: '/echo', method: 'POST', json: {}, deadlineMs: 10_000 });
    expect(a.seen[0].headers['modal-key']).toBe(KEY);
    expect(a.seen[0].headers['modal-secret']).toBe(SECRET);
    expect(r.failure?.class).toBe('app-error');
    expect(r.failure?.message).toContain('[REDACTED]');
    expect(r.headers['x-echo']).toBe('[REDACTED]');
    assertNoSecrets(r);
  });

  it('redacts secrets from redirect URLs recorded in hops', async () => {
    a.routes.set('/app/go', (_q, res) => res.writeHead(303, { Location: `/app/done?__modal_function_call_id=fc-9&x=${SECRET}&token=t0k` }).end());
    a.routes.set('/app/done', (_q, res) => res.writeHead(200).end('ok'));
    const r = await localClient({ auth }).call({ app: 'app', path: '/go', method: 'POST', json: {}, deadlineMs: 10_000 });
    expect(r.hops[1].url).toBe(`${a.origin}/app/done?__modal_function_call_id=fc-9&x=[REDACTED]&token=[REDACTED]`);
    assertNoSecrets(r);
    // Same-origin redirect: the result URL still gets the credentials.
    expect(a.seen[1].headers['modal-key']).toBe(KEY);
  });

  it('drops credentials and caller headers on a cross-origin redirect', async () => {
    a.routes.set('/app/away', (_q, res) => res.writeHead(303, { Location: `${b.origin}/elsewhere` }).end());
    b.routes.set('/elsewhere', (_q, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_BYTES));
    const r = await localClient({ auth }).call({ app: 'app', path: '/away', method: 'POST', json: {}, deadlineMs: 10_000, headers: { 'X-Trace': 'abc' } });
    expect(r.failure).toBeUndefined();
    expect(a.seen[0].headers['modal-key']).toBe(KEY);
    expect(a.seen[0].headers['x-trace']).toBe('abc');
    expect(b.seen[0].method).toBe('GET');
    expect(b.seen[0].headers['modal-key']).toBeUndefined();
    expect(b.seen[0].headers['modal-secret']).toBeUndefined();
    expect(b.seen[0].headers['x-trace']).toBeUndefined();
  });

  it('keeps credentials out of network error messages', async () => {
    const r = await new ModalClient({ targetTemplate: 'http://127.0.0.1:1/{app}', auth }).call({ app: 'x', path: `/p?k=${KEY}`, method: 'GET', deadlineMs: 10_000 });
    expect(r.failure?.class).toBe('network');
    assertNoSecrets(r);
  });

  it('reads credentials from the environment, GENPROBE_ first', () => {
    expect(ModalClient.authFromEnv({})).toBeUndefined();
    expect(ModalClient.authFromEnv({ MODAL_KEY: 'wk-1', MODAL_SECRET: 'ws-1' })).toEqual({ key: 'wk-1', secret: 'ws-1' });
    expect(ModalClient.authFromEnv({ MODAL_KEY: 'wk-1', MODAL_SECRET: 'ws-1', GENPROBE_MODAL_KEY: 'wk-2', GENPROBE_MODAL_SECRET: 'ws-2' })).toEqual({ key: 'wk-2', secret: 'ws-2' });
    let message = '';
    try {
      ModalClient.authFromEnv({ MODAL_KEY: 'wk-only-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/MODAL_KEY is set but MODAL_SECRET is not/);
    expect(message).not.toContain('wk-only-value');
  });
});

describe('ModalClient — configuration', () => {
  it('builds URLs from both templates', () => {
    expect(new ModalClient({ workspace: 'ryla' }).urlFor('ryla-flux', '/flux')).toBe('https://ryla--ryla-flux-comfyui-fastapi-app.modal.run/flux');
    expect(new ModalClient({ targetTemplate: 'http://127.0.0.1:8787/{app}' }).urlFor('ryla-seedvr2', '/seedvr2')).toBe('http://127.0.0.1:8787/ryla-seedvr2/seedvr2');
    expect(() => new ModalClient().urlFor('ryla-flux', '/flux')).toThrow(/needs \{workspace\}/);
    expect(() => new ModalClient({ targetTemplate: 'https://{ws}.modal.run' })).toThrow(/unknown placeholder/);
  });

  it('rejects bad call arguments with named problems', async () => {
    const c = localClient();
    await expect(c.call({ app: 'a', path: '/x', method: 'GET', json: {}, deadlineMs: 1000 })).rejects.toThrow(InvalidArgumentError);
    await expect(c.call({ app: 'a', path: '/x', method: 'POST', deadlineMs: 0 })).rejects.toThrow(/deadlineMs/);
    await expect(c.call({ app: 'a', path: '/x', method: 'POST', deadlineMs: 1000, headers: { 'Modal-Secret': 'x' } })).rejects.toThrow(/auth option/);
    expect(() => new ModalClient({ auth: { key: '', secret: 's' } })).toThrow(/auth.key/);
    expect(() => new ModalClient({ maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
  });

  it('redact() replaces only the configured secrets', () => {
    const c = new ModalClient({ auth: { key: KEY, secret: SECRET } });
    expect(c.redact(`k=${KEY} s=${SECRET} other`)).toBe('k=[REDACTED] s=[REDACTED] other');
    expect(new ModalClient().redact('nothing to hide')).toBe('nothing to hide');
  });
});

/**
 * What a hostile endpoint can send the client (issue 13 items 4, 5, 6, 9): redirects into other
 * networks, endless Content-Encoding chains, secrets cut at a report's quote boundary, and a
 * plain-http target that would receive the proxy-auth pair. Every socket is loopback: addresses in
 * other classes are reached through a dispatcher that connects everything to a local server, or a
 * stubbed DNS lookup, so a refused redirect is provably never requested.
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress } from './address-class.ts';
import { MAX_CONTENT_ENCODINGS, MAX_HOPS, ModalClient } from './modal-client.ts';
import { MIN_SECRET_FRAGMENT, redactSecrets, redactThenTruncate } from './redact.ts';

interface Seen {
  host: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

let routes: Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>;
const seen: Seen[] = [];
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ host: String(req.headers.host), url: req.url!, headers: req.headers });
    const handler = routes.get(new URL(req.url!, 'http://x').pathname);
    if (handler) handler(req, res);
    else res.writeHead(599).end('no route');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterEach(() => {
  routes = new Map();
  seen.length = 0;
  server.closeAllConnections();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
routes = new Map();

/** Every connection, whatever host it names, lands on the local server: a fake network. */
function loopbackNetwork(): Agent {
  return new Agent({
    connect: (_opts, cb) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => cb(null, socket));
      socket.once('error', (err) => cb(err, null));
    },
  });
}

type Lookup = NonNullable<ConstructorParameters<typeof ModalClient>[0]>['lookup'];
/** A DNS stub: each name maps to a list of answers, the n-th lookup of a name gets the n-th (last repeats). */
function stubDns(answers: Record<string, string[]>, calls: string[] = []): Lookup {
  const count = new Map<string, number>();
  return ((hostname: string, options: { all?: boolean }, cb: (err: Error | null, a: unknown, f?: number) => void) => {
    calls.push(hostname);
    const list = answers[hostname];
    if (!list) return cb(Object.assign(new Error(`stub: no ${hostname}`), { code: 'ENOTFOUND' }), '');
    const n = count.get(hostname) ?? 0;
    count.set(hostname, n + 1);
    const address = list[Math.min(n, list.length - 1)];
    const family = net.isIP(address);
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as Lookup;
}

const call = (c: ModalClient, path = '/go') => c.call({ app: 'app', path, method: 'POST', json: {}, deadlineMs: 10_000 });

describe('redirects stay in the target address class (13.4)', () => {
  const hostile: Array<[string, string]> = [
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['the runner LAN (private)', 'http://10.0.0.7:8080/admin'],
    ['IPv6 link-local', 'http://[fe80::1]/x'],
    ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/x'],
  ];
  it.each(hostile)('a loopback target cannot redirect into %s', async (_name, location) => {
    routes.set('/app/go', (_q, res) => res.writeHead(303, { Location: location }).end());
    const r = await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}`, dispatcher: loopbackNetwork() }));
    expect(r.failure?.class).toBe('modal-platform');
    expect(r.failure?.message).toMatch(/refused: .* is a (link-local|private) address, outside the target's loopback class/);
    // The hostile hop was never requested.
    expect(seen.map((s) => s.url)).toEqual(['/app/go']);
  });

  it('a public target cannot redirect to loopback, a private name, or a name that rebinds at connect time', async () => {
    const lookup = stubDns({ 'edge.example': ['93.184.216.34'], 'intranet.example': ['192.168.1.20'] });
    for (const location of [`http://127.0.0.1:${port}/app/done`, 'http://localhost/app/done', 'http://intranet.example/app/done']) {
      routes.set('/app/go', (_q, res) => res.writeHead(303, { Location: location }).end());
      seen.length = 0;
      const r = await call(new ModalClient({ targetTemplate: 'http://edge.example/{app}', dispatcher: loopbackNetwork(), lookup }));
      expect(r.failure?.message, location).toMatch(/refused: .* is a (loopback|private) address, outside the target's public class/);
      expect(seen).toHaveLength(1);
    }
  });

  it('checks the address again when connecting (DNS rebinding between check and connect)', async () => {
    // First answer (the redirect check) is loopback like the target; the connection's own lookup gets 10.0.0.9.
    const lookup = stubDns({ 'rebind.example': ['127.0.0.1', '10.0.0.9'] });
    routes.set('/app/go', (_q, res) => res.writeHead(303, { Location: `http://rebind.example:${port}/app/done` }).end());
    routes.set('/app/done', (_q, res) => res.writeHead(200).end('internal data'));
    const r = await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}`, lookup }));
    expect(r.failure?.class).toBe('network');
    expect(r.failure?.message).toMatch(/rebind\.example resolved to 10\.0\.0\.9 \(private\) when connecting/);
    expect(seen.map((s) => s.url)).toEqual(['/app/go']);
  });

  it('follows redirects inside the class, and into a class the config allows', async () => {
    const lookup = stubDns({ 'other.example': ['127.0.0.1'], 'lan.example': ['10.1.2.3'] });
    routes.set('/app/go', (_q, res) => res.writeHead(303, { Location: `http://other.example:${port}/app/done` }).end());
    routes.set('/app/done', (_q, res) => res.writeHead(200).end('ok'));
    const same = await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}`, lookup }));
    expect(same.failure).toBeUndefined();
    expect(same.body.toString()).toBe('ok');

    routes.set('/app/go', (_q, res) => res.writeHead(303, { Location: 'http://lan.example/app/done' }).end());
    const allowed = await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}`, dispatcher: loopbackNetwork(), lookup, allowRedirectsTo: ['private'] }));
    expect(allowed.failure).toBeUndefined();
    expect(() => new ModalClient({ allowRedirectsTo: ['intranet' as never] })).toThrow(/unknown address class "intranet"/);
  });

  it('caps hops at what Modal needs for the fleet\'s 1800 s timeout (12 redirects), not 64', async () => {
    expect(MAX_HOPS).toBeLessThanOrEqual(20);
    expect(MAX_HOPS).toBeGreaterThanOrEqual(1 + 1800 / 150);
    routes.set('/app/loop', (_q, res) => res.writeHead(303, { Location: '/app/loop' }).end());
    const r = await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}` }), '/loop');
    expect(r.failure?.message).toMatch(new RegExp(`redirect loop: ${MAX_HOPS} hops`));
    expect(seen).toHaveLength(MAX_HOPS);
  });

  it('classes addresses', () => {
    expect(['127.0.0.1', '::1', '0.0.0.0', '::ffff:127.0.0.1'].map(classifyAddress)).toEqual(['loopback', 'loopback', 'loopback', 'loopback']);
    expect(['169.254.169.254', 'fe80::abcd', '[fe80::1]'].map(classifyAddress)).toEqual(['link-local', 'link-local', 'link-local']);
    expect(['10.0.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', 'fd00::1', '64:ff9b::10.0.0.1'].map(classifyAddress)).toEqual(Array(6).fill('private'));
    expect(['172.32.0.1', '8.8.8.8', '2606:4700::1111'].map(classifyAddress)).toEqual(['public', 'public', 'public']);
    expect(classifyAddress('modal.run')).toBeNull();
  });
});

describe('Content-Encoding layers are capped as in undici fetch (13.5)', () => {
  it('refuses a 16 KiB "gzip, gzip, …" header without building thousands of decoders', async () => {
    const layers = 2700;
    routes.set('/app/go', (_q, res) => res.writeHead(200, { 'Content-Encoding': Array(layers).fill('gzip').join(', ') }).end('x'));
    const r = await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}` }));
    expect(r.failure?.class).toBe('network');
    expect(r.failure?.message).toMatch(new RegExp(`too many content-encodings: the response lists ${layers}, at most ${MAX_CONTENT_ENCODINGS}`));
  });

  it('still decodes five layers', async () => {
    let body: Buffer = Buffer.from('five layers deep');
    for (let i = 0; i < MAX_CONTENT_ENCODINGS; i++) body = zlib.gzipSync(body);
    routes.set('/app/go', (_q, res) => res.writeHead(200, { 'Content-Encoding': Array(MAX_CONTENT_ENCODINGS).fill('gzip').join(', ') }).end(body));
    const r = await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}` }));
    expect(r.failure).toBeUndefined();
    expect(r.body.toString()).toBe('five layers deep');
  });
});

const KEY = 'wk-Hq3ZtY8mPw2LxN5vR7cK';
const SECRET = 'ws-Q7fZ2kP9vR4mX8nL3tB6';

/** Every run of `n` characters of `secret` that `text` contains. */
function leaks(text: string, secret: string, n: number): string[] {
  const out: string[] = [];
  for (let p = 0; p + n <= secret.length; p++) if (text.includes(secret.slice(p, p + n))) out.push(secret.slice(p, p + n));
  return out;
}

describe('redaction runs before the quote is cut (13.6)', () => {
  const auth = { key: KEY, secret: SECRET };
  const client = () => new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}`, auth });

  it('a secret at every offset around the 300-character quote leaves no 3 characters of itself', async () => {
    const prefix = '{"detail":"';
    for (let start = 300 - SECRET.length - 2; start <= 302; start++) {
      const body = `${prefix}${'x'.repeat(start - prefix.length)}${SECRET}${'y'.repeat(400)}"}`;
      routes.set('/app/go', (_q, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(body));
      const r = await call(client());
      expect(r.failure?.class).toBe('app-error');
      expect(leaks(r.failure!.message, SECRET, 3), `offset ${start}`).toEqual([]);
      expect(leaks(r.body.toString(), SECRET, 3), `offset ${start}`).toEqual([]);
    }
  });

  it('a partial secret (a third party cut it) is redacted wherever it sits, the end of the cut included', async () => {
    for (let len = MIN_SECRET_FRAGMENT; len < KEY.length; len++) {
      for (const start of [0, 150, 300 - len, 300 - Math.floor(len / 2)]) {
        const detail = `${'x'.repeat(start)}${KEY.slice(0, len)}${'z'.repeat(50)}${SECRET.slice(-len)}`;
        routes.set('/app/go', (_q, res) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ detail })));
        const r = await call(client());
        for (const secret of [KEY, SECRET]) {
          expect(leaks(r.failure!.message, secret, MIN_SECRET_FRAGMENT), `len ${len} start ${start}`).toEqual([]);
          expect(leaks(r.body.toString(), secret, MIN_SECRET_FRAGMENT), `len ${len} start ${start}`).toEqual([]);
        }
      }
    }
  });

  it('leaves media bytes and unrelated text alone', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(KEY)]);
    routes.set('/app/go', (_q, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    expect((await call(client())).body.equals(png)).toBe(true);
    expect(redactSecrets('wk- and ws- prefixes, Q7fZ2 (5 chars)', [KEY, SECRET])).toBe('wk- and ws- prefixes, Q7fZ2 (5 chars)');
    expect(redactSecrets(`a ${encodeURIComponent('p@ss/word')} b`, ['p@ss/word'])).toBe('a [REDACTED] b');
  });

  it('redactThenTruncate cuts after redacting', () => {
    const text = `${'x'.repeat(195)}${SECRET}`;
    const out = redactThenTruncate(text, 200, (s) => redactSecrets(s, [SECRET]));
    expect(out).toEqual({ text: `${'x'.repeat(195)}[REDA`, cut: true, chars: 205 });
  });
});

describe('Modal-Key/Modal-Secret travel only over https or to loopback (13.9)', () => {
  const auth = { key: KEY, secret: SECRET };
  it('refuses credentials for a plain-http target off this machine, naming the problem without the values', () => {
    let message = '';
    try {
      new ModalClient({ targetTemplate: 'http://10.0.0.5:8787/{app}', auth });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/clear text to http:\/\/10\.0\.0\.5:8787.*https or to a loopback stand-in/);
    expect(message).not.toContain(KEY);
    expect(() => new ModalClient({ targetTemplate: 'http://modal.example/{app}', auth })).toThrow(/clear text/);
    expect(() => new ModalClient({ targetTemplate: 'https://{workspace}--{app}.modal.run', workspace: 'w', auth })).not.toThrow();
    expect(() => new ModalClient({ targetTemplate: 'http://localhost:8787/{app}', auth })).not.toThrow();
    expect(() => new ModalClient({ targetTemplate: 'http://[::1]:8787/{app}', auth })).not.toThrow();
  });

  it('sends them to a loopback stand-in', async () => {
    routes.set('/app/go', (_q, res) => res.writeHead(200).end('ok'));
    await call(new ModalClient({ targetTemplate: `http://127.0.0.1:${port}/{app}`, auth }));
    expect(seen[0].headers['modal-key']).toBe(KEY);
  });
});

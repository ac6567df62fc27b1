/**
 * A scriptable loopback HTTP/1.1 server that speaks raw bytes over TCP, so a test can send what no
 * well-behaved server library would: lying Content-Length, bodies that never end, invalid gzip,
 * garbage Location headers, oversized headers. Each request is routed by the first path segment
 * (`/<scenario>/…`) to a script; the script owns the socket for that request.
 *
 * Only what genprobe's client sends is parsed: a request line, headers, and a Content-Length body.
 * Every connection is answered once and then closed by the script (`Connection: close` semantics),
 * which keeps the raw framing simple and makes "the server hung up" unambiguous.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  /** Path and query as sent, e.g. `/gzip-bomb/ryla-flux/flux`. */
  target: string;
  /** First path segment: the scenario name. */
  scenario: string;
  /** The rest of the path after the scenario, e.g. `/ryla-flux/flux`. */
  rest: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** The socket of one request, with helpers that write raw HTTP/1.1. */
export class RawReply {
  readonly socket: Socket;
  #closed = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.once('close', () => (this.#closed = true));
  }

  /** True once the peer hung up or the socket was destroyed. */
  get closed(): boolean {
    return this.#closed || this.socket.destroyed;
  }

  /**
   * Status line and headers exactly as given (no Content-Length added), then the blank line.
   * `Connection: close` is added unless `keepAlive` (the socket still closes when the script ends it).
   */
  head(status: number, headers: Record<string, string | number>, opts: { keepAlive?: boolean } = {}): void {
    const connection = opts.keepAlive ? [] : ['connection: close'];
    const lines = [`HTTP/1.1 ${status} X`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...connection, '', ''];
    this.socket.write(lines.join('\r\n'), 'latin1');
  }

  /** Writes a chunk, waiting for drain (or the peer hanging up) when the socket buffer is full. */
  async write(chunk: Buffer | string): Promise<boolean> {
    if (this.closed) return false;
    if (this.socket.write(chunk)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
    return !this.closed;
  }

  /** A complete, honest response: Content-Length matches the body. */
  send(status: number, headers: Record<string, string | number>, body: Buffer | string = ''): void {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.head(status, { ...headers, 'content-length': buf.length });
    this.socket.end(buf);
  }

  /** Half-close after everything written has been flushed. */
  end(): void {
    if (!this.closed) this.socket.end();
  }

  /** Hang up abruptly (RST if data is pending). */
  destroy(): void {
    this.socket.destroy();
  }
}

export type Script = (req: RawRequest, reply: RawReply) => void | Promise<void>;

export interface HostileServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** URL template for genprobe's client: `<origin>/<scenario>/{app}`. */
  template(scenario: string): string;
  /** Register (or replace) a scenario. */
  on(scenario: string, script: Script): void;
  /** Every request received, in order (bodies included). */
  readonly requests: RawRequest[];
  /** Sockets currently open (a leak shows up here). */
  openSockets(): number;
  close(): Promise<void>;
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024;

function parseHead(head: string): Omit<RawRequest, 'body'> | null {
  const [requestLine, ...headerLines] = head.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const path = m[2].split('?')[0];
  const segs = /^\/([^/]*)(\/.*)?$/.exec(path);
  return { method: m[1], target: m[2], scenario: segs?.[1] ?? '', rest: segs?.[2] ?? '/', headers };
}

/** Start the server on an ephemeral loopback port. Unknown scenarios answer 599 with a clear text. */
export async function startHostileServer(): Promise<HostileServer> {
  const scripts = new Map<string, Script>();
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let handled = false;
    const onData = (chunk: Buffer) => {
      if (handled) return;
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) socket.destroy();
        return;
      }
      const head = parseHead(buf.subarray(0, end).toString('latin1'));
      if (!head) return void socket.destroy();
      const length = Number(head.headers['content-length'] ?? 0);
      if (!Number.isSafeInteger(length) || length > MAX_REQUEST_BODY_BYTES) return void socket.destroy();
      if (buf.length < end + 4 + length) return;
      handled = true;
      socket.off('data', onData);
      const req: RawRequest = { ...head, body: buf.subarray(end + 4, end + 4 + length) };
      requests.push(req);
      const reply = new RawReply(socket);
      const script = scripts.get(req.scenario);
      const run = script ?? ((_r: RawRequest, rep: RawReply) => rep.send(599, { 'content-type': 'text/plain' }, `hostile server: no scenario "${req.scenario}"`));
      Promise.resolve()
        .then(() => run(req, reply))
        .catch(() => socket.destroy());
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('hostile server: no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;

  return {
    origin,
    template: (scenario) => `${origin}/${scenario}/{app}`,
    on: (scenario, script) => void scripts.set(scenario, script),
    requests,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Streams `chunk` over and over until the peer hangs up (or `maxBytes` were sent). */
export async function writeForever(reply: RawReply, chunk: Buffer, maxBytes = Number.POSITIVE_INFINITY): Promise<number> {
  let sent = 0;
  while (!reply.closed && sent < maxBytes) {
    if (!(await reply.write(chunk))) break;
    sent += chunk.length;
  }
  return sent;
}

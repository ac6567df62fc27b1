/**
 * Writing an answer onto the socket, and the transport faults that break it there: a body cut
 * short, a Content-Length that lies, an endless chunked body, a drip of 256-byte chunks, a gzip
 * header on bytes that are not gzip. Also the request side: the body read under Modal's limit.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultName } from './faults.ts';
import { MODAL_TEXT } from './responses.ts';
import { sleepMs } from './timing.ts';

/** Modal's request body limit. */
const BODY_LIMIT_BYTES = 200 * 1024 * 1024;

const TRANSPORT_FAULTS: readonly FaultName[] = ['truncated', 'oversized', 'slow-drip', 'invalid-gzip', 'lying-length'];

/** The faults among `faults` that strike while the answer is written. */
export function transportFaults(faults: readonly FaultName[]): FaultName[] {
  return faults.filter((f) => TRANSPORT_FAULTS.includes(f));
}

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body larger than ${BODY_LIMIT_BYTES} bytes`);
  }
}

/** The request body; over the limit → BodyTooLargeError. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads and drops the request body (an answer that does not need it still lets the client finish). */
export async function discardBody(req: IncomingMessage): Promise<void> {
  for await (const _ of req) void _;
}

/** A plain-text answer of Modal's edge, written at once. */
export function sendModalText(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'content-type': MODAL_TEXT, 'content-length': String(body.length) });
  res.end(body);
}

/** Modal's 303 to the result URL, empty-bodied. */
export function sendRedirect(res: ServerResponse, location: string, callId: string): void {
  res.writeHead(303, { location, 'content-length': '0', 'x-emulator-call-id': callId });
  res.end();
}

/** Writes the answer, breaking it as the transport faults say. */
export async function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer, transport: readonly FaultName[]): Promise<void> {
  if (transport.includes('invalid-gzip')) headers['content-encoding'] = 'gzip';
  if (transport.includes('oversized')) {
    res.writeHead(status, headers); // no content-length: chunked, endless
    await stream(res, body, Number.POSITIVE_INFINITY, 0);
    return;
  }
  if (transport.includes('lying-length')) {
    const cut = Math.floor(body.length * 0.6);
    res.writeHead(status, { ...headers, 'content-length': String(cut) });
    res.end(body.subarray(0, cut));
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  if (transport.includes('truncated')) {
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    await sleepMs(50);
    res.destroy();
    return;
  }
  if (transport.includes('slow-drip')) {
    await stream(res, body, body.length, 100);
    if (!res.destroyed) res.end();
    return;
  }
  res.end(body);
}

/** Writes `body` (then random filler up to `total` bytes) in chunks, `delayMs` apart. */
async function stream(res: ServerResponse, body: Buffer, total: number, delayMs: number): Promise<void> {
  const chunk = delayMs > 0 ? 256 : 64 * 1024;
  const filler = randomBytes(64 * 1024);
  let sent = 0;
  let closed = false;
  res.on('close', () => (closed = true));
  while (!closed && sent < total) {
    const piece = sent < body.length ? body.subarray(sent, Math.min(body.length, sent + chunk)) : filler.subarray(0, Math.min(filler.length, total - sent));
    sent += piece.length;
    const ok = res.write(piece);
    if (delayMs > 0) await sleepMs(delayMs);
    else if (!ok) await drainOrClose(res);
  }
}

/** Waits for 'drain' or 'close', removing both listeners (an endless body waits thousands of times). */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

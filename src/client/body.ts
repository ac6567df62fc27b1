import { Readable, Transform, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import type { Dispatcher } from 'undici';
import { BodyTooLargeError, describeNetworkError } from './errors.ts';
import type { FailureClass } from './types.ts';

/**
 * The body step of a call: undo the Content-Encoding layers, keep the result under the cap, and
 * say how reading ended. Sniffing and redaction of what was read happen when the call finishes.
 */

/** undici's fetch refuses more than 5 codings (lib/web/fetch/index.js, `maxContentEncodings`; curl CVE-2022-32206). */
export const MAX_CONTENT_ENCODINGS = 5;

/** Why body reading stopped early, if it did. */
export type BodyStop =
  | { kind: 'complete' }
  | { kind: 'too-large'; message: string }
  | { kind: 'refused'; message: string }
  | { kind: 'decode'; encoding: string; err: unknown }
  | { kind: 'transport'; err: unknown };

export interface BodyRead {
  body: Buffer;
  /** Bytes as they came off the wire (before decompression). */
  wireBytes: number;
  stop: BodyStop;
}

type Decoder = { name: string; stream: Transform };

/**
 * Decoders for `Content-Encoding`, outermost last; null when the body must be kept as sent; a
 * string (the reason) when the header lists more codings than undici's fetch would decode: each
 * layer is a zlib stream, and a 16 KiB `gzip, gzip, …` header would otherwise build thousands.
 */
function decodersFor(contentEncoding: string | undefined): Decoder[] | null | string {
  if (!contentEncoding) return null;
  const listed = contentEncoding.split(',');
  if (listed.length > MAX_CONTENT_ENCODINGS) {
    return `too many content-encodings: the response lists ${listed.length}, at most ${MAX_CONTENT_ENCODINGS} are decoded`;
  }
  const codings = listed.map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return null;
  const known = ['gzip', 'x-gzip', 'br', 'deflate'];
  // An unknown coding anywhere in the chain means we cannot decode faithfully: keep the raw bytes.
  if (!codings.every((c) => known.includes(c))) return null;
  // Codings are listed in the order they were applied, so undo them in reverse.
  return codings.reverse().map((c) => ({ name: c === 'x-gzip' ? 'gzip' : c, stream: decoderStream(c) }));
}

function decoderStream(coding: string): Transform {
  // Strict decoders: a truncated stream is an invalid body, not a short success.
  if (coding === 'br') return zlib.createBrotliDecompress();
  if (coding === 'deflate') return new DeflateAutoDetect();
  return zlib.createGunzip();
}

/**
 * HTTP `deflate` should be zlib-wrapped but many servers send raw deflate; pick by the first byte
 * (zlib header has CM=8 in the low nibble), as browsers and undici's fetch do.
 */
class DeflateAutoDetect extends Transform {
  #inner: Transform | null = null;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.#inner) {
      this.#inner = (chunk[0] & 0x0f) === 0x08 ? zlib.createInflate() : zlib.createInflateRaw();
      this.#inner.on('data', (d: Buffer) => this.push(d));
      this.#inner.on('error', (err) => this.destroy(err));
    }
    this.#inner.write(chunk, () => done());
  }

  override _flush(done: (err?: Error | null) => void): void {
    if (!this.#inner) return done();
    this.#inner.once('end', () => done());
    this.#inner.end();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.#inner?.destroy();
    done(err);
  }
}

export function declaredLength(headers: Record<string, string>): number | null {
  const raw = headers['content-length'];
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

export function shortBodyMessage(headers: Record<string, string>, wireBytes: number): string | null {
  const declared = declaredLength(headers);
  if (declared === null || wireBytes >= declared) return null;
  return `body shorter than Content-Length: got ${wireBytes} of ${declared} declared bytes before the connection ended`;
}

/** The failure a body read ended in (cap, refused or broken coding, transport, short body), or null when it is whole. */
export function bodyFailure(read: BodyRead, headers: Record<string, string>): { cls: FailureClass; message: string } | null {
  switch (read.stop.kind) {
    case 'too-large':
      return { cls: 'too-large', message: read.stop.message };
    case 'refused':
      return { cls: 'network', message: read.stop.message };
    case 'decode':
      return { cls: 'network', message: `invalid ${read.stop.encoding} body: ${describeNetworkError(read.stop.err)}` };
    case 'transport': {
      const mismatch = shortBodyMessage(headers, read.wireBytes);
      return { cls: 'network', message: mismatch ?? `network error while reading the body: ${describeNetworkError(read.stop.err)}` };
    }
    case 'complete':
      break;
  }
  const short = shortBodyMessage(headers, read.wireBytes);
  return short === null ? null : { cls: 'network', message: short };
}

/** Streams the body under the cap, decompressing gzip/br/deflate under the same cap. */
export async function readBody(res: Dispatcher.ResponseData, headers: Record<string, string>, signal: AbortSignal, cap: number): Promise<BodyRead> {
  const declared = declaredLength(headers);
  const decoders = decodersFor(headers['content-encoding']);
  let sourceError: unknown;
  // Attached first: destroying an unread body below makes undici emit an abort error.
  res.body.on('error', (err) => {
    sourceError ??= err;
  });
  if (typeof decoders === 'string') {
    res.body.destroy();
    return { body: Buffer.alloc(0), wireBytes: 0, stop: { kind: 'refused', message: `${decoders}; body not read` } };
  }
  if (declared !== null && declared > cap) {
    res.body.destroy();
    return { body: Buffer.alloc(0), wireBytes: 0, stop: { kind: 'too-large', message: `body declares ${declared} bytes, over the ${cap}-byte cap; not read` } };
  }

  let wireBytes = 0;
  let decodeError: { encoding: string; err: unknown } | undefined;

  let stream: Readable;
  if (decoders) {
    const wireCounter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        wireBytes += chunk.length;
        if (wireBytes > cap) return done(new BodyTooLargeError(`compressed body passed the ${cap}-byte cap`));
        done(null, chunk);
      },
    });
    for (const d of decoders) {
      d.stream.on('error', (err) => {
        if (err !== sourceError && !(err instanceof BodyTooLargeError)) decodeError ??= { encoding: d.name, err };
      });
    }
    stream = pipeline([res.body, wireCounter, ...decoders.map((d) => d.stream)], () => undefined) as unknown as Readable;
  } else {
    stream = res.body;
  }

  const chunks: Buffer[] = [];
  let kept = 0;
  let tooLarge: string | null = null;
  let caught: unknown;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!decoders) wireBytes += chunk.length;
      if (kept + chunk.length > cap) {
        chunks.push(chunk.subarray(0, cap - kept));
        kept = cap;
        tooLarge = decoders
          ? `decoded body passed the ${cap}-byte cap (${wireBytes} compressed bytes read so far); stopped reading`
          : `body passed the ${cap}-byte cap; stopped reading`;
        break;
      }
      chunks.push(chunk);
      kept += chunk.length;
      if (signal.aborted) break;
    }
  } catch (err) {
    caught = err;
  } finally {
    // Leaving the loop early must release the socket, not leave a half-read stream behind.
    if (!stream.readableEnded) stream.destroy();
    if (!res.body.readableEnded) res.body.destroy();
  }
  const body = Buffer.concat(chunks, kept);
  if (tooLarge) return { body, wireBytes, stop: { kind: 'too-large', message: tooLarge } };
  if (caught instanceof BodyTooLargeError) return { body, wireBytes, stop: { kind: 'too-large', message: caught.message } };
  if (decodeError) return { body, wireBytes, stop: { kind: 'decode', ...decodeError } };
  if (caught !== undefined) return { body, wireBytes, stop: { kind: 'transport', err: sourceError ?? caught } };
  return { body, wireBytes, stop: { kind: 'complete' } };
}

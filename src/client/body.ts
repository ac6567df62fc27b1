import { Readable, Transform, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { describeNetworkError } from './errors.ts';
import type { FailureClass } from './types.ts';

/**
 * The body step of a call: undo the Content-Encoding layers, keep the result under the cap, and
 * say how reading ended. Sniffing and redaction of what was read happen when the call finishes.
 * Chunks arrive straight from undici's parser (src/client/exchange.ts), not through a stream.
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

/**
 * Where one hop's body goes while undici's parser hands it over: `write` takes each chunk as it
 * is parsed, `finish` says how reading ended (the last byte, or the connection's error). A sink
 * that must stop early (the cap, a refused or broken coding) sets `stop` before it calls the
 * `stopReading` it was opened with, which aborts the connection.
 */
export interface BodySink {
  write(chunk: Buffer): void;
  /** The read once any decoding has settled; `err` when the connection failed before the end. */
  finish(err?: unknown): Promise<BodyRead>;
}

/** The sink for a final response's body: kept under the cap, its codings undone under the same cap. */
export function openBody(headers: Record<string, string>, cap: number, stopReading: () => void): BodySink {
  const decoders = decodersFor(headers['content-encoding']);
  if (typeof decoders === 'string') return refusedBody({ kind: 'refused', message: `${decoders}; body not read` }, stopReading);
  const declared = declaredLength(headers);
  if (declared !== null && declared > cap) {
    return refusedBody({ kind: 'too-large', message: `body declares ${declared} bytes, over the ${cap}-byte cap; not read` }, stopReading);
  }
  return decoders ? new DecodedBody(decoders, cap, stopReading) : new PlainBody(cap, stopReading);
}

/** A body refused on its headers alone: nothing of it is read. */
function refusedBody(stop: BodyStop, stopReading: () => void): BodySink {
  stopReading();
  return { write: () => undefined, finish: async () => ({ body: Buffer.alloc(0), wireBytes: 0, stop }) };
}

/** How a read that nothing stopped ended: at the last byte, or on the connection's error. */
const endedBy = (err: unknown): BodyStop => (err === undefined ? { kind: 'complete' } : { kind: 'transport', err });

/**
 * What is kept of a body cut at the cap. Such a call has failed and nothing judges its body (the
 * transport check ends the case), so only its first bytes stay: enough to sniff its format and
 * quote it in the report. Keeping the cap's worth (128 MiB by default) doubled the peak with the
 * copy that joins it, carried it across to the caller's thread and into the saved output, and
 * left more freed pages resident: the soak's RSS stepped up ~60 MB for good at its first endless
 * body, ~25 MB with the cut (test/trust/soak.test.ts).
 */
export const CUT_BODY_KEPT_BYTES = 64 * 1024;

/** A body's chunks, kept up to the cap: the one place the cap cuts, plain or decoded. */
class CappedChunks {
  #chunks: Buffer[] = [];
  #kept = 0;
  #cut = false;

  constructor(readonly cap: number) {}

  /** Keeps `chunk`; false when it passed the cap (or was cut before): the body is then cut. */
  keep(chunk: Buffer): boolean {
    if (this.#cut) return false;
    if (this.#kept + chunk.length <= this.cap) {
      this.#chunks.push(chunk);
      this.#kept += chunk.length;
      return true;
    }
    this.cut();
    return false;
  }

  /** Drops all but the first CUT_BODY_KEPT_BYTES (copied, so the rest of their buffers is freed). */
  cut(): void {
    if (this.#cut) return;
    this.#cut = true;
    // Buffer.concat copies only up to the length it is given.
    this.#kept = Math.min(this.#kept, CUT_BODY_KEPT_BYTES);
    this.#chunks = [Buffer.concat(this.#chunks, this.#kept)];
  }

  concat(): Buffer {
    return Buffer.concat(this.#chunks, this.#kept);
  }
}

/**
 * Chunks kept as they arrive, the cap checked on each: nothing between undici's parser and this
 * list (no stream, no loop turn), so the call's clock stops as soon as the last byte is parsed.
 */
class PlainBody implements BodySink {
  readonly #kept: CappedChunks;
  #wireBytes = 0;
  #stop: BodyStop | null = null;

  constructor(
    cap: number,
    private readonly stopReading: () => void,
  ) {
    this.#kept = new CappedChunks(cap);
  }

  write(chunk: Buffer): void {
    if (this.#stop) return;
    this.#wireBytes += chunk.length;
    if (this.#kept.keep(chunk)) return;
    this.#stop = { kind: 'too-large', message: `body passed the ${this.#kept.cap}-byte cap; stopped reading (its first ${CUT_BODY_KEPT_BYTES} bytes kept)` };
    this.stopReading();
  }

  async finish(err?: unknown): Promise<BodyRead> {
    return { body: this.#kept.concat(), wireBytes: this.#wireBytes, stop: this.#stop ?? endedBy(err) };
  }
}

/** Thrown into the decoders when the read is abandoned, so their errors are not taken for a broken coding. */
const ABANDONED = new Error('body read abandoned');

/** Wire bytes counted against the cap, then fed through the zlib layers; what comes out is kept under the same cap. */
class DecodedBody implements BodySink {
  readonly #source = new Readable({ read: () => undefined });
  readonly #settled: Promise<void>;
  readonly #kept: CappedChunks;
  #wireBytes = 0;
  #tooLarge: string | null = null;
  #decodeError: { encoding: string; err: unknown } | undefined;

  constructor(
    decoders: Decoder[],
    private readonly cap: number,
    private readonly stopReading: () => void,
  ) {
    this.#kept = new CappedChunks(cap);
    for (const d of decoders) {
      // Attached before pipeline's own listeners: the layer that breaks first is the one named.
      d.stream.on('error', (err) => {
        if (err === ABANDONED) return;
        this.#decodeError ??= { encoding: d.name, err };
        this.stopReading();
      });
    }
    const streams = [this.#source, ...decoders.map((d) => d.stream)];
    this.#settled = new Promise((resolve) => pipeline(streams, () => resolve()));
    streams.at(-1)!.on('data', (chunk: Buffer) => this.#keep(chunk));
  }

  write(chunk: Buffer): void {
    if (this.#stopped()) return;
    this.#wireBytes += chunk.length;
    if (this.#wireBytes > this.cap) return this.#stopAt(`compressed body passed the ${this.cap}-byte cap`);
    this.#source.push(chunk);
  }

  async finish(err?: unknown): Promise<BodyRead> {
    if (err === undefined && !this.#stopped()) this.#source.push(null);
    else this.#source.destroy(ABANDONED);
    await this.#settled;
    return { body: this.#kept.concat(), wireBytes: this.#wireBytes, stop: this.#stop() ?? endedBy(err) };
  }

  #keep(chunk: Buffer): void {
    if (this.#stopped() || this.#kept.keep(chunk)) return;
    this.#stopAt(`decoded body passed the ${this.cap}-byte cap (${this.#wireBytes} compressed bytes read so far); stopped reading`);
  }

  /** Why reading stopped early, if it did: the cap first, then a broken coding. */
  #stop(): BodyStop | null {
    if (this.#tooLarge) return { kind: 'too-large', message: this.#tooLarge };
    if (this.#decodeError) return { kind: 'decode', ...this.#decodeError };
    return null;
  }

  #stopped(): boolean {
    return this.#tooLarge !== null || this.#decodeError !== undefined;
  }

  #stopAt(message: string): void {
    this.#tooLarge = message;
    this.#kept.cut();
    this.#source.destroy(ABANDONED);
    this.stopReading();
  }
}

/**
 * The sink for a redirect's body: read and thrown away so its connection can serve the next hop.
 * Past `limit` bytes the connection is dropped instead: a body that cannot be drained only costs it.
 */
export function drainBody(headers: Record<string, string>, limit: number, stopReading: () => void): BodySink {
  const declared = declaredLength(headers);
  let wireBytes = 0;
  let stopped = declared !== null && declared > limit;
  if (stopped) stopReading();
  return {
    write(chunk) {
      wireBytes += chunk.length;
      if (stopped || wireBytes <= limit) return;
      stopped = true;
      stopReading();
    },
    finish: async (err) => ({ body: Buffer.alloc(0), wireBytes, stop: endedBy(err) }),
  };
}

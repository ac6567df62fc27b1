/**
 * Assembles animated WebP files from frame bitstreams, chunk by chunk. The emulator's `frame-bomb`
 * fault and the tests use it to build files no encoder would write (100,000 frames, frames that lie
 * about their size); genprobe's checks never write WebP.
 */

export interface AnmfFrame {
  /** The frame's chunks as they appear inside ANMF: `ALPH`? + `VP8 `, or `VP8L` (with headers). */
  chunks: Buffer;
  x?: number;
  y?: number;
  width: number;
  height: number;
  durationMs: number;
  noBlend?: boolean;
  disposeToBackground?: boolean;
}

/** A WebP file: the RIFF header (size, `WEBP`) around its chunks. */
export function riffWebp(chunks: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + chunks.length, 4);
  head.write('WEBP', 8, 'latin1');
  return Buffer.concat([head, chunks]);
}

export function riffChunk(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat(payload.length & 1 ? [head, payload, Buffer.alloc(1)] : [head, payload]);
}

function anmf(f: AnmfFrame): Buffer {
  const h = Buffer.alloc(16);
  h.writeUIntLE((f.x ?? 0) >> 1, 0, 3);
  h.writeUIntLE((f.y ?? 0) >> 1, 3, 3);
  h.writeUIntLE(f.width - 1, 6, 3);
  h.writeUIntLE(f.height - 1, 9, 3);
  h.writeUIntLE(f.durationMs, 12, 3);
  h[15] = (f.noBlend ? 0x02 : 0) | (f.disposeToBackground ? 0x01 : 0);
  return riffChunk('ANMF', Buffer.concat([h, f.chunks]));
}

/** An animated WebP: VP8X (animation flag), ANIM, one ANMF per frame, frames given lazily. */
export function assembleAnimatedWebp(canvasWidth: number, canvasHeight: number, frames: Iterable<AnmfFrame>, loop = 0): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x02 | 0x10; // animation, alpha (frames may carry it)
  vp8x.writeUIntLE(canvasWidth - 1, 4, 3);
  vp8x.writeUIntLE(canvasHeight - 1, 7, 3);
  const anim = Buffer.alloc(6);
  anim.writeUInt16LE(loop, 4);
  const parts: Buffer[] = [riffChunk('VP8X', vp8x), riffChunk('ANIM', anim)];
  for (const f of frames) parts.push(anmf(f));
  return riffWebp(Buffer.concat(parts));
}

/** The bitstream chunks of a still WebP (what goes inside an ANMF), e.g. from sharp's encoder. */
export function stillWebpChunks(still: Buffer): Buffer {
  if (still.toString('latin1', 0, 4) !== 'RIFF' || still.toString('latin1', 8, 12) !== 'WEBP') throw new Error('not a WebP');
  let at = 12;
  const out: Buffer[] = [];
  while (at + 8 <= still.length) {
    const type = still.toString('latin1', at, at + 4);
    const size = still.readUInt32LE(at + 4);
    const whole = still.subarray(at, at + 8 + size + (size & 1));
    if (type === 'ALPH' || type === 'VP8 ' || type === 'VP8L') out.push(whole);
    at += 8 + size + (size & 1);
  }
  if (out.length === 0) throw new Error('WebP has no image bitstream');
  return Buffer.concat(out);
}

/**
 * A frame-count bomb: `frames` copies of one tiny frame (a 1×1 lossless pixel, a few dozen bytes
 * each) on a canvas of the requested size — 100,000 frames fit in ~4 MB.
 */
export function frameBombWebp(canvasWidth: number, canvasHeight: number, frames: number, pixel: Buffer, delayMs = 62): Buffer {
  const chunks = stillWebpChunks(pixel);
  function* all(): Generator<AnmfFrame> {
    for (let i = 0; i < frames; i++) yield { chunks, x: (i * 2) % Math.max(2, canvasWidth - 1) & ~1, y: 0, width: 1, height: 1, durationMs: delayMs };
  }
  return assembleAnimatedWebp(canvasWidth, canvasHeight, all());
}

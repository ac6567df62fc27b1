/**
 * Structure-aware mutation of real media files for the fuzz test and bench (issue 13 item 10):
 * bit flips, byte overwrites, truncation, edits of box/chunk size fields, and duplicated or
 * reordered boxes/chunks. Deterministic from a seed, so a failing case is reproduced by its seed.
 * Test and bench support only; genprobe's checks never import it.
 */
import { mulberry32 } from './random.ts';

export type FuzzKind = 'png' | 'jpeg' | 'webp-animated' | 'mp4';

/** The fuzzer's generator (mulberry32 from the case seed). */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed);
}

/** One box / chunk / segment: where it is and where its size field sits. */
export interface Unit {
  start: number;
  end: number;
  sizeAt: number;
  sizeBytes: 2 | 4;
  littleEndian: boolean;
  /** Bytes the size field does not count (PNG: type + CRC + length; BMFF/RIFF: 0 or the header). */
  sizeBias: number;
  type: string;
}

const ascii = (b: Buffer, at: number) => b.toString('latin1', at, at + 4);

function pngUnits(b: Buffer): Unit[] {
  const out: Unit[] = [];
  let at = 8;
  while (at + 12 <= b.length) {
    const len = b.readUInt32BE(at);
    const end = at + 12 + len;
    if (end > b.length) break;
    out.push({ start: at, end, sizeAt: at, sizeBytes: 4, littleEndian: false, sizeBias: 12, type: ascii(b, at + 4) });
    at = end;
  }
  return out;
}

function riffUnits(b: Buffer, from: number, to: number, out: Unit[], depth = 0): Unit[] {
  let at = from;
  while (at + 8 <= to) {
    const size = b.readUInt32LE(at + 4);
    const end = at + 8 + size + (size & 1);
    if (end > to + 1) break;
    const type = ascii(b, at);
    out.push({ start: at, end: Math.min(end, to), sizeAt: at + 4, sizeBytes: 4, littleEndian: true, sizeBias: 8, type });
    if (type === 'ANMF' && depth === 0) riffUnits(b, at + 8 + 16, Math.min(end, to), out, 1);
    at = end;
  }
  return out;
}

const BMFF_CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex', 'edts', 'dinf', 'udta']);

function bmffUnits(b: Buffer, from: number, to: number, out: Unit[], depth = 0): Unit[] {
  let at = from;
  while (at + 8 <= to && depth < 8) {
    const size = b.readUInt32BE(at);
    if (size < 8 || at + size > to) break;
    const type = ascii(b, at + 4);
    out.push({ start: at, end: at + size, sizeAt: at, sizeBytes: 4, littleEndian: false, sizeBias: 0, type });
    if (BMFF_CONTAINERS.has(type)) bmffUnits(b, at + 8, at + size, out, depth + 1);
    if (type === 'stsd') bmffUnits(b, at + 16, at + size, out, depth + 1);
    if (type === 'avc1' || type === 'avc3') bmffUnits(b, at + 8 + 78, at + size, out, depth + 1);
    at += size;
  }
  return out;
}

function jpegUnits(b: Buffer): Unit[] {
  const out: Unit[] = [];
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1];
    if (marker === 0xd9) break;
    const len = b.readUInt16BE(at + 2);
    const end = at + 2 + len;
    if (end > b.length) break;
    out.push({ start: at, end, sizeAt: at + 2, sizeBytes: 2, littleEndian: false, sizeBias: 2, type: `FF${marker.toString(16).toUpperCase()}` });
    if (marker === 0xda) break; // entropy-coded data follows
    at = end;
  }
  return out;
}

/** The boxes / chunks / segments of a file, outermost first. */
export function unitsOf(b: Buffer, kind: FuzzKind): Unit[] {
  switch (kind) {
    case 'png':
      return pngUnits(b);
    case 'jpeg':
      return jpegUnits(b);
    case 'webp-animated':
      return b.length >= 12 ? riffUnits(b, 12, b.length, []) : [];
    case 'mp4':
      return bmffUnits(b, 0, b.length, []);
  }
}

export const MUTATIONS = ['bit-flips', 'byte-overwrite', 'truncate', 'size-edit', 'duplicate-unit', 'swap-units', 'stacked'] as const;
export type MutationName = (typeof MUTATIONS)[number];

export interface Mutant {
  bytes: Buffer;
  /** The mutation applied (stacked: several in a row). */
  mutation?: MutationName;
  /** What was done, for reproducing a failing case. */
  description: string;
}

function writeSize(b: Buffer, u: Unit, value: number): void {
  const v = u.sizeBytes === 2 ? value & 0xffff : value >>> 0;
  if (u.sizeBytes === 2) b.writeUInt16BE(v, u.sizeAt);
  else if (u.littleEndian) b.writeUInt32LE(v, u.sizeAt);
  else b.writeUInt32BE(v, u.sizeAt);
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

function one(b: Buffer, kind: FuzzKind, name: Exclude<MutationName, 'stacked'>, rnd: () => number): Mutant {
  const units = unitsOf(b, kind);
  switch (name) {
    case 'bit-flips': {
      const out = Buffer.from(b);
      const n = 1 + Math.floor(rnd() * 8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = Math.floor(rnd() * out.length);
        out[p] ^= 1 << Math.floor(rnd() * 8);
        at.push(p);
      }
      return { bytes: out, description: `bit flips at ${at.join(',')}` };
    }
    case 'byte-overwrite': {
      const out = Buffer.from(b);
      const p = Math.floor(rnd() * out.length);
      const len = Math.min(out.length - p, 1 + Math.floor(rnd() * 64));
      const value = pick(rnd, [0x00, 0xff, 0x7f, 0x80, Math.floor(rnd() * 256)]);
      out.fill(value, p, p + len);
      return { bytes: out, description: `${len} bytes set to 0x${value.toString(16)} at ${p}` };
    }
    case 'truncate': {
      const at = Math.floor(rnd() * b.length);
      return { bytes: Buffer.from(b.subarray(0, at)), description: `truncated to ${at} of ${b.length} bytes` };
    }
    case 'size-edit': {
      if (!units.length) return one(b, kind, 'bit-flips', rnd);
      const u = pick(rnd, units);
      const current = u.end - u.start - u.sizeBias;
      const value = pick(rnd, [0, 1, 7, 8, 16, current - 1, current + 1, current * 2, current + 1_000_000, 0x7fffffff, 0xffffffff, Math.floor(rnd() * 2 ** 32)]);
      const out = Buffer.from(b);
      writeSize(out, u, value);
      return { bytes: out, description: `${u.type}@${u.start} size ${current} → ${value >>> 0}` };
    }
    case 'duplicate-unit': {
      if (!units.length) return one(b, kind, 'truncate', rnd);
      const u = pick(rnd, units);
      const copies = pick(rnd, [1, 1, 2, 50]);
      const dup = Buffer.concat(Array(copies).fill(b.subarray(u.start, u.end)));
      return { bytes: Buffer.concat([b.subarray(0, u.end), dup, b.subarray(u.end)]), description: `${u.type}@${u.start} duplicated ×${copies}` };
    }
    case 'swap-units': {
      // Two neighbours at the same level: the second starts where the first ends.
      const pairs = units.flatMap((a) => units.filter((c) => c.start === a.end).map((c) => [a, c] as const));
      if (!pairs.length) return one(b, kind, 'duplicate-unit', rnd);
      const [a, c] = pick(rnd, pairs);
      const out = Buffer.concat([b.subarray(0, a.start), b.subarray(c.start, c.end), b.subarray(a.start, a.end), b.subarray(c.end)]);
      return { bytes: out, description: `${a.type}@${a.start} swapped with ${c.type}@${c.start}` };
    }
  }
}

/** One mutant of `b` chosen by `rnd` (the mutation kind too, unless given). */
export function mutate(b: Buffer, kind: FuzzKind, rnd: () => number, name: MutationName = pick(rnd, MUTATIONS)): Mutant {
  if (name !== 'stacked') return { ...one(b, kind, name, rnd), mutation: name };
  let cur: Mutant = { bytes: b, description: '' };
  const steps: string[] = [];
  const n = 2 + Math.floor(rnd() * 2);
  for (let i = 0; i < n; i++) {
    const step = pick(rnd, MUTATIONS.filter((m) => m !== 'stacked' && m !== 'truncate'));
    cur = one(cur.bytes, kind, step as Exclude<MutationName, 'stacked'>, rnd);
    steps.push(cur.description);
  }
  return { bytes: cur.bytes, description: steps.join(' + '), mutation: 'stacked' };
}

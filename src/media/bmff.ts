import { open } from 'node:fs/promises';
import { MediaDecodeError } from './errors.ts';

/**
 * A minimal ISO BMFF (MP4) box walker. It exists for safety and bounded memory, not to replace
 * mp4box: it finds the header boxes (ftyp/moov/moof…) by reading only box headers, skips media
 * data (mdat) without reading it, and checks every sample table's claimed entry count against the
 * bytes its box really holds and against a hard cap — mp4box allocates one object per claimed
 * sample (a constant-size `stsz` claiming 10⁹ samples would exhaust memory before any callback).
 */

/** Random access to bytes, from memory or from a file handle. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bufferSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.length,
    read: async (offset, length) => buf.subarray(offset, Math.min(buf.length, offset + length)),
  };
}

/** A file read on demand: only the requested ranges are ever in memory. Close it when done. */
export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const len = Math.max(0, Math.min(length, size - offset));
      const out = Buffer.alloc(len);
      let done = 0;
      while (done < len) {
        const { bytesRead } = await handle.read(out, done, len - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return out.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

export interface BoxHeader {
  type: string;
  /** Offset of the box's first byte. */
  start: number;
  headerSize: number;
  /** Total size including the header, as claimed (size 0 = "to the end" is resolved). */
  size: number;
  end: number;
}

/** Top-level boxes that hold no sample metadata and may be huge: never read, only skipped. */
const SKIPPED_TOP_LEVEL = new Set(['mdat', 'free', 'skip', 'wide', 'uuid', 'pdin', 'meta', 'mfra', 'emsg', 'prft']);
/** Top-level boxes mp4box needs for track and sample information. */
const KEPT_TOP_LEVEL = new Set(['ftyp', 'styp', 'moov', 'moof', 'sidx']);
/** What a plausible MP4 starts with; anything else is reported as "not an MP4". */
const PLAUSIBLE_FIRST = new Set([...KEPT_TOP_LEVEL, ...SKIPPED_TOP_LEVEL]);

function isFourCC(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 4; i++) if (b[i] < 0x20 || b[i] > 0x7e) return false;
  return true;
}

function fourCC(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
}

function u64(b: Uint8Array, at: number): number {
  return u32(b, at) * 2 ** 32 + u32(b, at + 4);
}

/**
 * Parse the header at `at` in `b` (header bytes must be present); `limit` is where the parent ends.
 * Returns null when the header is malformed (size < header, non-ASCII type).
 */
export function parseBoxHeader(b: Uint8Array, at: number, limit: number): BoxHeader | null {
  if (at + 8 > b.length || !isFourCC(b, at + 4)) return null;
  const type = fourCC(b, at + 4);
  let size = u32(b, at);
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > b.length) return null;
    size = u64(b, at + 8);
    headerSize = 16;
  } else if (size === 0) {
    size = limit - at;
  }
  if (size < headerSize) return null;
  return { type, start: at, headerSize, size, end: at + size };
}

const fmtBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`);

export interface ScanLimits {
  /** Bytes of header boxes (moov + moofs + …) kept in memory at most. */
  maxMetadataBytes: number;
  /** Samples per track at most (summed over stsz and all truns). */
  maxSamplesPerTrack: number;
  /** Top-level boxes at most (a fragmented file has 2 per fragment). */
  maxTopLevelBoxes: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxMetadataBytes: 64 * 1024 * 1024,
  // ≈ 1.8 h of 30 fps video; mp4box holds one small object per sample, so this bounds memory.
  maxSamplesPerTrack: 200_000,
  maxTopLevelBoxes: 200_000,
};

export interface TopLevelScan {
  fileSize: number;
  /** Every top-level box header in file order. */
  boxes: BoxHeader[];
  /** The header boxes, bytes included, in file order. */
  kept: { header: BoxHeader; bytes: Uint8Array }[];
  /** Set when a skipped box (mdat…) runs past the end of the file, or junk trails the last box. */
  truncation: string | null;
  /** Claimed sample counts per track id, after the table checks. */
  sampleCounts: Map<number, number>;
}

/**
 * Walk the top-level boxes, read the header boxes, skip the rest, validate sample tables.
 * Throws MediaDecodeError with a reason a person can act on.
 */
export async function scanTopLevel(src: ByteSource, limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<TopLevelScan> {
  const scan: TopLevelScan = { fileSize: src.size, boxes: [], kept: [], truncation: null, sampleCounts: new Map() };
  if (src.size < 8) throw new MediaDecodeError('not-bmff', `not an MP4: only ${src.size} bytes`);
  let at = 0;
  let keptBytes = 0;
  while (at < src.size) {
    if (src.size - at < 8) {
      scan.truncation = `${src.size - at} stray bytes after the last box at offset ${at} (file truncated or padded)`;
      break;
    }
    const head = await src.read(at, 16);
    const header = parseBoxHeader(head, 0, src.size - at);
    if (!header || (at === 0 && !PLAUSIBLE_FIRST.has(header.type))) {
      if (at === 0) {
        const hex = Buffer.from(head.subarray(0, 8)).toString('hex');
        throw new MediaDecodeError('not-bmff', `not an MP4: the first 8 bytes (${hex}) are not an ISO BMFF box header`);
      }
      throw new MediaDecodeError('undecodable', `corrupt box header at offset ${at} (after ${scan.boxes.length} boxes)`);
    }
    const box: BoxHeader = { ...header, start: at, end: at + header.size };
    scan.boxes.push(box);
    if (scan.boxes.length > limits.maxTopLevelBoxes) {
      throw new MediaDecodeError('too-many-samples', `more than ${limits.maxTopLevelBoxes} top-level boxes`);
    }
    const overrun = box.end > src.size;
    if (KEPT_TOP_LEVEL.has(box.type)) {
      if (overrun) {
        throw new MediaDecodeError(
          'truncated',
          `file truncated: ${box.type} box at offset ${at} claims ${fmtBytes(box.size)} but only ${fmtBytes(src.size - at)} remain`,
        );
      }
      keptBytes += box.size;
      if (keptBytes > limits.maxMetadataBytes) {
        throw new MediaDecodeError(
          'metadata-too-large',
          `header boxes exceed ${fmtBytes(limits.maxMetadataBytes)} (at ${box.type} offset ${at}); refusing to parse`,
        );
      }
      scan.kept.push({ header: box, bytes: await src.read(at, box.size) });
    } else if (overrun) {
      scan.truncation = `${box.type} box at offset ${at} claims ${fmtBytes(box.size)} but only ${fmtBytes(src.size - at)} remain (file truncated)`;
      break;
    }
    at = box.end;
  }
  for (const { header, bytes } of scan.kept) {
    if (header.type === 'moov' || header.type === 'moof') validateSampleTables(bytes, header, scan.sampleCounts, limits);
  }
  return scan;
}

/** Containers on the path to sample tables and fragment runs. */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex', 'edts']);

/** Bytes per entry of count-prefixed full-box tables (count at payload offset 4). */
const TABLE_ENTRY_BYTES: Record<string, number> = { stts: 8, ctts: 8, stss: 4, stsc: 12, stco: 4, co64: 8, stps: 4 };

/** One walk of a moov/moof box's sample tables: the box's bytes, the running per-track counts, the current trak/traf. */
interface SampleTableWalk {
  /** Holds exactly the walked box; offsets are relative to it. */
  b: Uint8Array;
  box: BoxHeader;
  counts: Map<number, number>;
  limits: ScanLimits;
  /** Per trak: samples claimed by stts (durations) and by stsz/stz2 (sizes); they must agree. */
  state: { trakId: number; trafId: number; sttsSamples: number; sizeSamples: number };
}

function validateSampleTables(b: Uint8Array, box: BoxHeader, counts: Map<number, number>, limits: ScanLimits): void {
  const walk: SampleTableWalk = { b, box, counts, limits, state: { trakId: 0, trafId: 0, sttsSamples: -1, sizeSamples: -1 } };
  const top = parseBoxHeader(b, 0, b.length);
  if (!top) throw new MediaDecodeError('undecodable', `corrupt ${box.type} box header`);
  walkRange(walk, top, 0);
}

function tooManySamples(type: string, detail: string): never {
  throw new MediaDecodeError('too-many-samples', `${type}: ${detail}`);
}

function addSamples(w: SampleTableWalk, trackId: number, n: number, where: string): void {
  const total = (w.counts.get(trackId) ?? 0) + n;
  if (total > w.limits.maxSamplesPerTrack) {
    tooManySamples(where, `track ${trackId} claims ${total} samples, above the cap of ${w.limits.maxSamplesPerTrack}`);
  }
  w.counts.set(trackId, total);
}

/** Walk the children of `child` (its payload starts after its header). */
function walkRange(w: SampleTableWalk, child: BoxHeader, depth: number): void {
  if (depth > 8) throw new MediaDecodeError('undecodable', `boxes nested deeper than 8 levels inside ${w.box.type}`);
  let at = child.start + child.headerSize;
  while (at + 8 <= child.end) {
    const grand = parseBoxHeader(w.b, at, child.end);
    if (!grand || grand.end > child.end) {
      throw new MediaDecodeError('undecodable', `corrupt ${grand?.type ?? '?'} box inside ${child.type} at +${at}`);
    }
    checkChild(w, grand);
    if (CONTAINERS.has(grand.type)) {
      if (grand.type === 'trak') Object.assign(w.state, { trakId: 0, sttsSamples: -1, sizeSamples: -1 });
      if (grand.type === 'traf') w.state.trafId = 0;
      walkRange(w, grand, depth + 1);
      if (grand.type === 'trak') checkTablesAgree(w);
    }
    at = grand.end;
  }
}

/**
 * mp4box sizes its sample list from stsz and walks stts alongside; an stts claiming a billion
 * samples over a 33-entry stsz is a hostile or corrupt header, not a 33-frame video.
 */
function checkTablesAgree({ state }: SampleTableWalk): void {
  if (state.sttsSamples >= 0 && state.sizeSamples >= 0 && state.sttsSamples !== state.sizeSamples) {
    tooManySamples('stts', `track ${state.trakId} durations cover ${state.sttsSamples} samples but stsz lists ${state.sizeSamples}`);
  }
}

/** One box's payload: where it starts (full box: version/flags there), how long it is, and a length check. */
interface Payload {
  p: number;
  len: number;
  need(n: number): void;
}

function checkChild(w: SampleTableWalk, c: BoxHeader): void {
  const p = c.start + c.headerSize;
  const len = c.end - p;
  const payload: Payload = {
    p,
    len,
    need: (n) => {
      if (len < n) throw new MediaDecodeError('undecodable', `${c.type} box too short (${len} bytes)`);
    },
  };
  const { b, state } = w;
  switch (c.type) {
    case 'tkhd':
      payload.need(24);
      state.trakId = u32(b, p + (b[p] === 1 ? 20 : 12));
      return;
    case 'tfhd':
      payload.need(8);
      state.trafId = u32(b, p + 4);
      return;
    case 'stsz':
    case 'stz2':
      return checkSampleSizes(w, c.type, payload);
    case 'trun':
      return checkTrackRun(w, payload);
    case 'stts':
      return checkTimeToSample(w, payload);
    default:
      return checkEntryTable(w, c.type, payload);
  }
}

/** stsz/stz2: the sizes it claims must fit in the box, and count towards the track's samples. */
function checkSampleSizes(w: SampleTableWalk, type: 'stsz' | 'stz2', { p, len, need }: Payload): void {
  const { b, state } = w;
  need(12);
  const n = u32(b, p + 8);
  if (type === 'stsz') {
    const sampleSize = u32(b, p + 4);
    if (sampleSize === 0 && 12 + 4 * n > len) {
      tooManySamples('stsz', `claims ${n} sample sizes but the box holds ${Math.floor((len - 12) / 4)}`);
    }
  } else {
    const fieldBits = b[p + 7];
    if (12 + Math.ceil((n * fieldBits) / 8) > len) tooManySamples('stz2', `claims ${n} samples but the box is ${len} bytes`);
  }
  addSamples(w, state.trakId, n, type);
  state.sizeSamples = n;
}

/** trun (a fragment's run): its per-sample fields must fit in the box; the samples count towards the traf's track. */
function checkTrackRun(w: SampleTableWalk, { p, len, need }: Payload): void {
  const { b } = w;
  need(8);
  const flags = (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  const n = u32(b, p + 4);
  const fixed = 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
  const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
  if (fixed + perSample * n > len) tooManySamples('trun', `claims ${n} samples but the box is ${len} bytes`);
  addSamples(w, w.state.trafId, n, 'trun');
}

/** stts: its entries must fit, and the samples they cover stay under the cap. */
function checkTimeToSample(w: SampleTableWalk, { p, len, need }: Payload): void {
  const { b, state, limits } = w;
  need(8);
  const n = u32(b, p + 4);
  if (8 + n * 8 > len) tooManySamples('stts', `claims ${n} entries but the box holds ${Math.floor((len - 8) / 8)}`);
  let samples = 0;
  for (let i = 0; i < n; i++) {
    samples += u32(b, p + 8 + i * 8);
    if (samples > limits.maxSamplesPerTrack) tooManySamples('stts', `track ${state.trakId} claims ${samples}+ samples, above the cap of ${limits.maxSamplesPerTrack}`);
  }
  state.sttsSamples = samples;
}

/** elst, stsd and the count-prefixed tables: the entries they claim must fit in the box. */
function checkEntryTable({ b }: SampleTableWalk, type: string, { p, len, need }: Payload): void {
  if (type === 'elst') {
    need(8);
    const n = u32(b, p + 4);
    if (8 + n * (b[p] === 1 ? 20 : 12) > len) tooManySamples('elst', `claims ${n} edits but the box is ${len} bytes`);
    return;
  }
  if (type === 'stsd') {
    need(8);
    const n = u32(b, p + 4);
    if (8 + n * 8 > len) tooManySamples('stsd', `claims ${n} sample descriptions but the box is ${len} bytes`);
    return;
  }
  const per = TABLE_ENTRY_BYTES[type];
  if (per === undefined) return;
  need(8);
  const n = u32(b, p + 4);
  if (8 + n * per > len) tooManySamples(type, `claims ${n} entries but the box holds ${Math.floor((len - 8) / per)}`);
}

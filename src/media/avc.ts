/**
 * H.264 profile and pixel format from an MP4's avcC box (the decoder configuration record) and the
 * sequence parameter set inside it — no decoding. Browsers and phones play H.264 Baseline, Main and
 * High with 8-bit 4:2:0; ffmpeg also decodes High 4:4:4 Predictive / yuv444p, which they do not.
 */
import { parseBoxHeader } from './bmff.ts';

export interface AvcConfig {
  /** profile_idc from the SPS (the avcC copy when the SPS is unreadable). */
  profileIdc: number;
  /** Profile name, e.g. "High", "Constrained Baseline", "High 4:4:4 Predictive". */
  profile: string;
  level: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** ffmpeg's name for the decoded pixel format, e.g. yuv420p, yuv444p, yuv420p10le. */
  pixelFormat: string;
}

/** Profiles whose SPS carries chroma_format_idc and bit depths (H.264 §7.3.2.1.1). */
const HIGH_FAMILY = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function profileName(idc: number, constraints: number): string {
  switch (idc) {
    case 66:
      return constraints & 0x40 ? 'Constrained Baseline' : 'Baseline';
    case 77:
      return 'Main';
    case 88:
      return 'Extended';
    case 100:
      return 'High';
    case 110:
      return 'High 10';
    case 122:
      return 'High 4:2:2';
    case 244:
      return 'High 4:4:4 Predictive';
    case 44:
      return 'CAVLC 4:4:4 Intra';
    default:
      return `profile_idc ${idc}`;
  }
}

/** Bit reader over an RBSP (emulation-prevention bytes already removed). */
class Bits {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}
  bit(): number {
    if (this.pos >= this.b.length * 8) throw new RangeError('SPS ends early');
    const v = (this.b[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return v;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new RangeError('bad exp-Golomb code in SPS');
    return 2 ** zeros - 1 + this.bits(zeros);
  }
}

/** NAL payload without 0x000003 emulation-prevention bytes. */
function rbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out.push(byte);
  }
  return Uint8Array.from(out);
}

export function parseSps(nal: Uint8Array): Omit<AvcConfig, 'pixelFormat'> & { pixelFormat: string } {
  const r = new Bits(rbsp(nal.subarray(1)));
  const profileIdc = r.bits(8);
  const constraints = r.bits(8);
  const level = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_FAMILY.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) r.bit(); // separate_colour_plane_flag
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
  }
  return { profileIdc, profile: profileName(profileIdc, constraints), level, chromaFormatIdc, bitDepthLuma, bitDepthChroma, pixelFormat: pixelFormatName(chromaFormatIdc, bitDepthLuma) };
}

function pixelFormatName(chroma: number, depth: number): string {
  const base = chroma === 0 ? 'gray' : chroma === 1 ? 'yuv420p' : chroma === 2 ? 'yuv422p' : chroma === 3 ? 'yuv444p' : `chroma_format_idc ${chroma}`;
  if (depth === 8) return base;
  return chroma === 0 ? `gray${depth}le` : `${base}${depth}le`;
}

/** Containers between moov and a sample entry. */
const PATH = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
/** VisualSampleEntry fields before its child boxes: 6 reserved + 2 index + 70 of video fields. */
const VISUAL_SAMPLE_ENTRY_BYTES = 78;

/**
 * The avcC of the first avc1/avc3 sample entry in a moov box (`moov` holds exactly that box), or
 * null when there is none. Throws RangeError on a malformed record or SPS.
 */
export function readAvcConfig(moov: Uint8Array): AvcConfig | null {
  const avcC = findAvcC(moov, 0, moov.length, 0);
  if (!avcC) return null;
  if (avcC.length < 7 || avcC[0] !== 1) throw new RangeError('avcC is not a version-1 decoder configuration record');
  const spsCount = avcC[5] & 0x1f;
  if (spsCount === 0) throw new RangeError('avcC holds no SPS');
  const len = (avcC[6] << 8) | avcC[7];
  if (8 + len > avcC.length || len < 4) throw new RangeError('avcC SPS runs past the record');
  return parseSps(avcC.subarray(8, 8 + len));
}

function findAvcC(b: Uint8Array, start: number, end: number, depth: number): Uint8Array | null {
  if (depth > 8) return null;
  let at = start;
  while (at + 8 <= end) {
    const box = parseBoxHeader(b, at, end);
    if (!box || box.end > end) return null;
    const payload = box.start + box.headerSize;
    if (PATH.has(box.type)) {
      const found = findAvcC(b, payload, box.end, depth + 1);
      if (found) return found;
    } else if (box.type === 'stsd') {
      // full box (4) + entry count (4), then sample entries.
      const found = findAvcC(b, payload + 8, box.end, depth + 1);
      if (found) return found;
    } else if (box.type === 'avc1' || box.type === 'avc3') {
      let c = payload + VISUAL_SAMPLE_ENTRY_BYTES;
      while (c + 8 <= box.end) {
        const child = parseBoxHeader(b, c, box.end);
        if (!child || child.end > box.end) return null;
        if (child.type === 'avcC') return b.subarray(child.start + child.headerSize, child.end);
        c = child.end;
      }
      return null;
    }
    at = box.end;
  }
  return null;
}

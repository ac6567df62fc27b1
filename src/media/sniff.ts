import type { SniffedType } from './types.ts';

/**
 * The real format of a body from its first bytes, never from Content-Type: the fleet serves PNG
 * under `image/jpeg` (docs/fleet.md §0.2) and misnamed .mp4 files that are WebP or PNG (§9.1).
 */
export function sniffMediaType(buf: Uint8Array): SniffedType {
  if (buf.length === 0) return 'empty';
  const ascii = (start: number, end: number) => Buffer.from(buf.subarray(start, end)).toString('latin1');
  if (buf.length >= 8 && buf[0] === 0x89 && ascii(1, 4) === 'PNG' && buf[4] === 0x0d && buf[5] === 0x0a) return 'png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return isAnimatedWebp(buf) ? 'webp-animated' : 'webp';
  if (buf.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (buf.length >= 12 && ascii(4, 8) === 'ftyp') return 'mp4';
  // Fragmented or ftyp-less ISO BMFF still starts with a box header: size + type.
  if (buf.length >= 8 && ['moov', 'moof', 'styp', 'mdat', 'free', 'skip', 'wide'].includes(ascii(4, 8))) return 'mp4';
  if (buf.length >= 4 && buf[0] === 0x1a && buf[1] === 0x45 && buf[2] === 0xdf && buf[3] === 0xa3) return 'webm';
  // JSON, HTML and plain text are text first: random bytes that happen to start with '{' are not JSON.
  const sample = buf.subarray(0, Math.min(buf.length, 512));
  if (!isMostlyText(sample)) return 'unknown';
  const head = ascii(0, sample.length).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  if (/^<(!doctype|html|head|body)/i.test(head)) return 'html';
  return 'text';
}

/** VP8X with the animation flag (bit 1 of the flags byte), or an ANIM chunk near the start. */
function isAnimatedWebp(buf: Uint8Array): boolean {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 21 && b.toString('latin1', 12, 16) === 'VP8X') return (b[20] & 0x02) !== 0;
  return b.subarray(12, Math.min(b.length, 4096)).includes('ANIM', 0, 'latin1');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8 (a character cut by the sample's end allowed) of which over 95 % are not control characters. */
function isMostlyText(buf: Uint8Array): boolean {
  const text = decodeUtf8Prefix(buf);
  if (text === null || text.length === 0) return false;
  let printable = 0;
  let chars = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    chars++;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c !== 127 && !(c >= 0x80 && c < 0xa0))) printable++;
  }
  return printable / chars > 0.95;
}

function decodeUtf8Prefix(buf: Uint8Array): string | null {
  for (let cut = 0; cut <= 3 && cut < buf.length; cut++) {
    try {
      return UTF8.decode(buf.subarray(0, buf.length - cut));
    } catch {
      // a multi-byte character cut by the sample's end: try without its first bytes
    }
  }
  return null;
}

/** MIME for a sniffed type, for comparing against a declared Content-Type. */
export const MIME_OF: Record<SniffedType, string | null> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  'webp-animated': 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  webm: 'video/webm',
  json: 'application/json',
  text: 'text/plain',
  html: 'text/html',
  empty: null,
  unknown: null,
};

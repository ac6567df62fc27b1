/**
 * PNG text chunks (tEXt, zTXt, iTXt) are metadata genprobe never reads — ComfyUI's `prompt` is one —
 * yet libvips loads every one of them into the image's metadata (and inflates zTXt): validating a
 * PNG with a 10 MB text chunk raised the gate's peak RSS by ~170 MB (issue 18). The decoder gets a
 * view of the file without them; only chunk headers are read to find them.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TEXT_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt']);

export function isPng(buf: Uint8Array): boolean {
  return buf.length >= 8 && SIGNATURE.every((v, i) => buf[i] === v);
}

export interface PngTextScan {
  /** Text chunks found, and the bytes they hold (headers and CRCs included). */
  textChunks: number;
  textBytes: number;
}

/**
 * The PNG without its text chunks (the same buffer when it has none). A chunk whose length runs
 * past the end stops the walk: the rest is passed on unchanged for the decoder to report.
 */
export function withoutPngText(buf: Uint8Array): { bytes: Uint8Array } & PngTextScan {
  if (!isPng(buf)) return { bytes: buf, textChunks: 0, textBytes: 0 };
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const keep: Buffer[] = [];
  let kept = 0;
  let textChunks = 0;
  let textBytes = 0;
  let at = 8;
  let from = 0;
  while (at + 12 <= view.length) {
    const len = view.readUInt32BE(at);
    const end = at + 12 + len;
    if (end > view.length) break;
    const type = view.toString('latin1', at + 4, at + 8);
    if (TEXT_CHUNKS.has(type)) {
      keep.push(view.subarray(from, at));
      kept += at - from;
      from = end;
      textChunks++;
      textBytes += end - at;
    }
    if (type === 'IEND') break;
    at = end;
  }
  if (textChunks === 0) return { bytes: buf, textChunks, textBytes };
  keep.push(view.subarray(from));
  return { bytes: Buffer.concat(keep, kept + view.length - from), textChunks, textBytes };
}

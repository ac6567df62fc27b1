/** PNG text chunks are kept from the decoder (issue 18): a 10 MB tEXt no longer reaches libvips. */
import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { probeImage } from './image.ts';
import { lumaOfImage } from './luma.ts';
import { withoutPngText } from './png.ts';
import { makeStill, pngChunk as chunk } from './testing.ts';

/** The PNG with `chunks` inserted right after IHDR (where ComfyUI writes its prompt). */
function withChunks(png: Buffer, ...chunks: Buffer[]): Buffer {
  const ihdrEnd = 8 + 8 + 13 + 4;
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

describe('withoutPngText', () => {
  it('drops tEXt, zTXt and iTXt and nothing else; the image decodes the same', async () => {
    const png = await makeStill('png', 96, 64);
    const text = chunk('tEXt', Buffer.concat([Buffer.from('prompt\0', 'latin1'), Buffer.alloc(10 * 1024 * 1024, 0x41)]));
    const ztxt = chunk('zTXt', Buffer.concat([Buffer.from('big\0\0', 'latin1'), zlib.deflateSync(Buffer.alloc(50 * 1024 * 1024))]));
    const itxt = chunk('iTXt', Buffer.from('k\0\0\0\0\0hello', 'latin1'));
    const noisy = withChunks(png, text, ztxt, itxt);
    const stripped = withoutPngText(noisy);
    expect(stripped).toMatchObject({ textChunks: 3, textBytes: text.length + ztxt.length + itxt.length });
    expect(Buffer.from(stripped.bytes).equals(png)).toBe(true);
    expect(await probeImage(noisy)).toEqual(await probeImage(png));
    expect((await lumaOfImage(noisy)).data).toEqual((await lumaOfImage(png)).data);
    // Without text chunks the very same buffer comes back (no copy).
    expect(withoutPngText(png).bytes).toBe(png);
  });

  it('leaves a file whose chunk runs past the end for the decoder to report', async () => {
    const png = await makeStill('png', 32, 32);
    const cut = withChunks(png, chunk('tEXt', Buffer.from('a\0b', 'latin1'))).subarray(0, 60);
    const out = withoutPngText(cut);
    expect(out.textChunks).toBe(1);
    await expect(probeImage(cut)).rejects.toThrow();
    await expect(sharp(Buffer.from('not a png')).metadata()).rejects.toThrow();
  });
});

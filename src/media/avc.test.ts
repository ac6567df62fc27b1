/** H.264 profile and pixel format from avcC/SPS, on real libx264 encodes of each profile. */
import { afterAll, describe, expect, it } from 'vitest';
import { parseSps, readAvcConfig } from './avc.ts';
import { findBox, makeMp4, scratchDir } from './testing.ts';
import { probeMp4 } from './mp4.ts';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

describe('readAvcConfig', () => {
  it.each([
    ['baseline', 'yuv420p', 'Constrained Baseline', 'yuv420p'],
    ['main', 'yuv420p', 'Main', 'yuv420p'],
    ['high', 'yuv420p', 'High', 'yuv420p'],
    ['high444', 'yuv444p', 'High 4:4:4 Predictive', 'yuv444p'],
    ['high422', 'yuv422p', 'High 4:2:2', 'yuv422p'],
    ['high10', 'yuv420p10le', 'High 10', 'yuv420p10le'],
  ])('libx264 -profile:v %s -pix_fmt %s reads as %s, %s', async (profile, pixFmt, name, format) => {
    const mp4 = makeMp4(scratch.dir, `${profile}-${pixFmt}`, { width: 64, height: 48, frames: 3, profile, pixFmt });
    const info = await probeMp4(mp4);
    expect(info.avc).toMatchObject({ profile: name, pixelFormat: format });
    expect(info.avcProblem).toBeNull();
  });

  it('is null without an avcC, and a malformed SPS is a reported problem, not a throw from probeMp4', async () => {
    expect(readAvcConfig(Buffer.from('00000008moov', 'latin1'))).toBeNull();
    const mp4 = makeMp4(scratch.dir, 'broken-sps', { width: 64, height: 48, frames: 3 });
    const avcC = findBox(mp4, 'avcC');
    const broken = Buffer.from(mp4);
    const spsLength = broken.readUInt16BE(avcC + 8 + 6);
    broken.fill(0, avcC + 8 + 8 + 4, avcC + 8 + 8 + spsLength); // zeros after profile/level: no exp-Golomb code ends
    const info = await probeMp4(broken);
    expect(info.avc).toBeNull();
    expect(info.avcProblem).toMatch(/bad exp-Golomb code in SPS|SPS ends early/);
  });

  it('parses an SPS with emulation-prevention bytes', () => {
    // High profile (100), constraints 0, level 0, then the escape 03 (00 00 03), then sps_id 0,
    // chroma_format_idc 3, separate planes 0, bit depths 8 / 8. Unescaped, 03 would be read as bits.
    const sps = Buffer.from([0x67, 100, 0x00, 0x00, 0x03, 0b10010001, 0b10000000]);
    expect(parseSps(sps)).toMatchObject({ profile: 'High', level: 0, chromaFormatIdc: 3, bitDepthLuma: 8, pixelFormat: 'yuv444p' });
  });
});

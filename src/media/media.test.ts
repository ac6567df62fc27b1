import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource, scanTopLevel, type ByteSource } from './bmff.ts';
import { extractFrames, splitPngStream } from './frames.ts';
import { imageStats, probeImage } from './image.ts';
import { probeMp4, probeMp4File } from './mp4.ts';
import { sniffMediaType } from './sniff.ts';
import { decodeRejection, findBox, makeAnimatedWebp, makeBombPng, makeMp4, makeStill, scratchDir } from './testing.ts';
import { probeAnimatedWebp, webpFrame } from './webp.ts';

const scratch = scratchDir();
const media = {} as {
  png: Buffer;
  jpeg: Buffer;
  webp: Buffer;
  animated: Buffer;
  mp4: Buffer; // moov at the end (ffmpeg default)
  faststart: Buffer; // moov first
  fragmented: Buffer;
  withAudio: Buffer;
};

beforeAll(async () => {
  media.png = await makeStill('png');
  media.jpeg = await makeStill('jpeg');
  media.webp = await makeStill('webp');
  media.animated = await makeAnimatedWebp(33, 62);
  media.mp4 = makeMp4(scratch.dir, 'plain');
  media.faststart = makeMp4(scratch.dir, 'faststart', { movflags: '+faststart' });
  media.fragmented = makeMp4(scratch.dir, 'frag', { movflags: 'frag_keyframe+empty_moov' });
  media.withAudio = makeMp4(scratch.dir, 'audio', { width: 320, height: 240, audio: true });
});
afterAll(() => scratch.cleanup());

describe('probeImage / imageStats', () => {
  it('reads format and size of PNG, JPEG and WebP', async () => {
    expect(await probeImage(media.png)).toEqual({ format: 'png', width: 96, height: 64, channels: 3, hasAlpha: false });
    expect(await probeImage(media.jpeg)).toMatchObject({ format: 'jpeg', width: 96, height: 64 });
    expect(await probeImage(media.webp)).toMatchObject({ format: 'webp', width: 96, height: 64 });
  });

  it('rejects garbage and truncated images with a reason', async () => {
    const garbage = await decodeRejection(probeImage(Buffer.from('definitely not an image, just text bytes')));
    expect(garbage.code).toBe('undecodable');
    expect(garbage.message).toMatch(/not a decodable image/);
    const half = await decodeRejection(probeImage(media.png.subarray(0, media.png.length >> 1)));
    expect(half.code).toBe('undecodable');
  });

  it('refuses a 20000×20000 PNG bomb from its header, quickly and without decoding', async () => {
    const bomb = await makeBombPng(20000, 20000);
    expect(bomb.length).toBeLessThan(16 * 1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const err = await decodeRejection(probeImage(bomb));
    expect(err.code).toBe('pixel-limit');
    expect(err.message).toContain('20000×20000 = 400 MP');
    expect((await decodeRejection(imageStats(bomb))).code).toBe('pixel-limit');
    // A decode would need 1.2 GB; the refusal needs next to nothing.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  }, 60_000);

  it('measures luma: gradient has spread, black and flat grey do not', async () => {
    const grad = await imageStats(media.png);
    expect(grad.stdevLuma).toBeGreaterThan(20);
    expect(grad.distinctLevels).toBeGreaterThan(30);
    const black = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#020202' } }).png().toBuffer();
    expect(await imageStats(black)).toMatchObject({ meanLuma: 2, stdevLuma: 0, distinctLevels: 1 });
    const grey = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
    expect((await imageStats(grey)).stdevLuma).toBe(0);
  });
});

describe('animated WebP', () => {
  it('reads 33 frames of 62 ms, loop 0, per-frame height', async () => {
    const info = await probeAnimatedWebp(media.animated);
    expect(info).toMatchObject({ width: 64, height: 48, frames: 33, loop: 0, durationMs: 33 * 62 });
    expect(new Set(info.delaysMs)).toEqual(new Set([62]));
    expect(sniffMediaType(media.animated)).toBe('webp-animated');
  });

  it('calls a still WebP not animated', async () => {
    expect((await decodeRejection(probeAnimatedWebp(media.webp))).code).toBe('not-animated');
  });

  it('extracts single frames that differ over time', async () => {
    const f0 = await webpFrame(media.animated, 0);
    const f20 = await webpFrame(media.animated, 20);
    expect(sniffMediaType(f0)).toBe('png');
    expect(await sharp(f0).metadata()).toMatchObject({ width: 64, height: 48 });
    expect(f0.equals(f20)).toBe(false);
    await expect(webpFrame(media.animated, 33)).rejects.toThrow(/out of range: the WebP has 33 frames/);
  });

  it('fails a truncated animation', async () => {
    const err = await decodeRejection(probeAnimatedWebp(media.animated.subarray(0, media.animated.length >> 1)));
    expect(err.code).toBe('truncated');
    expect(err.message).toMatch(/WebP truncated: RIFF claims \d+ bytes/);
  });
});

describe('probeMp4', () => {
  const expected = { codec: expect.stringMatching(/^avc1\.64/), width: 832, height: 480, frames: 33, fps: 16, durationSec: 2.0625, keyframes: 1, videoTracks: 1, audioTracks: 0 };

  it('reads an H.264 MP4 with moov at the end and with moov first', async () => {
    expect(await probeMp4(media.mp4)).toMatchObject({ ...expected, fragmented: false });
    expect(await probeMp4(media.faststart)).toMatchObject({ ...expected, fragmented: false });
    expect((await probeMp4(media.mp4)).brands).toContain('isom');
  });

  it('sums sample durations of a fragmented MP4 (mvhd duration is 0 there)', async () => {
    expect(await probeMp4(media.fragmented)).toMatchObject({ ...expected, fragmented: true });
  });

  it('counts an audio track', async () => {
    const info = await probeMp4(media.withAudio);
    expect(info).toMatchObject({ audioTracks: 1, videoTracks: 1, width: 320, height: 240, frames: 33 });
    expect(info.audioCodecs[0]).toMatch(/^mp4a/);
  });

  it('reports a truncated moov-at-end file as "moov atom not found" with the truncation', async () => {
    const err = await decodeRejection(probeMp4(media.mp4.subarray(0, media.mp4.length >> 1)));
    expect(err.code).toBe('no-moov');
    expect(err.message).toMatch(/moov atom not found.*mdat box at offset \d+ claims .* only .* remain \(file truncated\)/);
  });

  it('reports a truncated moov-first file as truncated', async () => {
    const err = await decodeRejection(probeMp4(media.faststart.subarray(0, media.faststart.length >> 1)));
    expect(err.code).toBe('truncated');
    const fragErr = await decodeRejection(probeMp4(media.fragmented.subarray(0, media.fragmented.length >> 1)));
    expect(fragErr.code).toBe('truncated');
  });

  it('rejects garbage, empty and non-MP4 bytes', async () => {
    expect((await decodeRejection(probeMp4(Buffer.from('this is not a video, only some text')))).code).toBe('not-bmff');
    expect((await decodeRejection(probeMp4(Buffer.alloc(0)))).code).toBe('not-bmff');
    expect((await decodeRejection(probeMp4(media.png))).code).toBe('not-bmff');
  });

  // Each row patches one sample-table box of a real file: `writes` are [offset into the box, uint32].
  it.each([
    // sample_size ≠ 0 needs no per-sample table; sample_count a billion
    { what: 'a constant-size stsz claiming a billion samples', file: 'faststart', box: 'stsz', writes: [[12, 1000], [16, 1_000_000_000]], message: /stsz: track 1 claims 1000000000 samples, above the cap of 200000/ },
    { what: 'an stsz table that claims more entries than its box holds', file: 'faststart', box: 'stsz', writes: [[16, 150_000]], message: /stsz: claims 150000 sample sizes but the box holds 33/ },
    { what: 'a fragment run claiming a billion samples', file: 'fragmented', box: 'trun', writes: [[12, 1_000_000_000]], message: /^trun: claims 1000000000 samples/ },
    { what: 'an stts table with a hostile entry count', file: 'faststart', box: 'stts', writes: [[12, 0x7fffffff]], message: /^stts: claims 2147483647 entries/ },
  ] as const)('bounds $what', async ({ file, box, writes, message }) => {
    const patched = Buffer.from(media[file]);
    const at = findBox(patched, box);
    for (const [offset, value] of writes) patched.writeUInt32BE(value, at + offset);
    const err = await decodeRejection(probeMp4(patched));
    expect(err.code).toBe('too-many-samples');
    expect(err.message).toMatch(message);
  });
});

describe('probeMp4File', () => {
  it('gives the same answer as the in-memory probe', async () => {
    const path = join(scratch.dir, 'plain.mp4');
    expect(await probeMp4File(path)).toEqual(await probeMp4(media.mp4));
    expect(await probeMp4File(join(scratch.dir, 'frag.mp4'))).toEqual(await probeMp4(media.fragmented));
  });

  it('skips a huge mdat by seeking: a 512 MiB moov-at-end file is probed reading only headers', async () => {
    // ftyp | mdat (512 MiB, sparse) | moov — laid out like a long moov-at-end render.
    const ftyp = media.mp4.subarray(0, findBox(media.mp4, 'ftyp') + media.mp4.readUInt32BE(findBox(media.mp4, 'ftyp')));
    const moovAt = findBox(media.mp4, 'moov');
    const moov = media.mp4.subarray(moovAt, moovAt + media.mp4.readUInt32BE(moovAt));
    const mdatSize = 512 * 1024 * 1024;
    const path = join(scratch.dir, 'big.mp4');
    writeFileSync(path, ftyp);
    const fd = openSync(path, 'r+');
    const header = Buffer.alloc(8);
    header.writeUInt32BE(mdatSize);
    header.write('mdat', 4, 'latin1');
    writeSync(fd, header, 0, 8, ftyp.length);
    writeSync(fd, moov, 0, moov.length, ftyp.length + mdatSize);
    closeSync(fd);

    const info = await probeMp4File(path);
    expect(info).toMatchObject({ width: 832, height: 480, frames: 33, fps: 16, fileSize: ftyp.length + mdatSize + moov.length });

    // The same walk over a source that counts what it is asked for.
    let bytesRead = 0;
    const { fileSource } = await import('./bmff.ts');
    const file = await fileSource(path);
    const counting: ByteSource = {
      size: file.size,
      read: async (o, l) => {
        const b = await file.read(o, l);
        bytesRead += b.length;
        return b;
      },
    };
    await scanTopLevel(counting);
    await file.close();
    expect(bytesRead).toBeLessThan(ftyp.length + moov.length + 64);
  });

  it('walks an in-memory source without copying mdat', async () => {
    const scan = await scanTopLevel(bufferSource(media.mp4));
    expect(scan.boxes.map((b) => b.type)).toEqual(['ftyp', 'free', 'mdat', 'moov']);
    expect(scan.kept.map((k) => k.header.type)).toEqual(['ftyp', 'moov']);
    expect(scan.sampleCounts.get(1)).toBe(33);
  });
});

describe('extractFrames', () => {
  it('decodes every 8th MP4 frame to PNG with ffmpeg', async () => {
    const frames = await extractFrames(media.mp4, 'mp4', { every: 8 });
    expect(frames).toHaveLength(5); // frames 0, 8, 16, 24, 32
    for (const f of frames) expect(await sharp(f).metadata()).toMatchObject({ format: 'png', width: 832, height: 480 });
  });

  it('honours max, and decodes fragmented MP4s', async () => {
    expect(await extractFrames(media.fragmented, 'mp4', { max: 3 })).toHaveLength(3);
  });

  it('decodes exactly the requested frame indices (MP4 and WebP) and rejects unordered ones', async () => {
    const mp4 = await extractFrames(media.mp4, 'mp4', { indices: [0, 16, 32] });
    expect(mp4).toHaveLength(3);
    const webp = await extractFrames(media.animated, 'webp-animated', { indices: [1, 5, 30] });
    expect(webp).toHaveLength(3);
    // frame 5 of the WebP is the same picture as decoding page 5 directly
    expect((await sharp(webp[1]).raw().toBuffer()).equals(await sharp(media.animated, { page: 5 }).raw().toBuffer())).toBe(true);
    await expect(extractFrames(media.mp4, 'mp4', { indices: [4, 2] })).rejects.toThrow(/ascending/);
  });

  it('takes WebP frames from sharp pages', async () => {
    const frames = await extractFrames(media.animated, 'webp-animated', { every: 10 });
    expect(frames).toHaveLength(4); // 0, 10, 20, 30
    expect(sniffMediaType(frames[0])).toBe('png');
  });

  it('fails clearly when ffmpeg is missing', async () => {
    const err = await decodeRejection(extractFrames(media.mp4, 'mp4', { ffmpegPath: '/nonexistent/ffmpeg' }));
    expect(err.code).toBe('ffmpeg-missing');
    expect(err.message).toMatch(/ffmpeg not found/);
  });

  it('fails clearly on undecodable video', async () => {
    expect((await decodeRejection(extractFrames(Buffer.from('garbage garbage garbage'), 'mp4'))).code).toBe('not-bmff');
  });

  it('kills a hung ffmpeg on timeout', async () => {
    // A stand-in that never finishes, so the test does not depend on how fast ffmpeg is.
    const hung = join(scratch.dir, 'hung-ffmpeg.sh');
    writeFileSync(hung, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    const err = await decodeRejection(extractFrames(media.mp4, 'mp4', { ffmpegPath: hung, timeoutMs: 300 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/killed after 300 ms/);
  });

  it('splits a PNG stream and refuses a broken one', async () => {
    const two = Buffer.concat([media.png, media.png]);
    expect(splitPngStream(two)).toHaveLength(2);
    expect(() => splitPngStream(two.subarray(0, two.length - 5))).toThrow(/ends inside a frame/);
  });
});

describe('probeMp4 sample-data bounds', () => {
  it('catches media data cut off behind an mdat that claims "to the end of the file"', async () => {
    // moov first, then an mdat with size 0 (= extends to EOF), then cut the file short.
    const patched = Buffer.from(media.faststart);
    const mdat = findBox(patched, 'mdat');
    patched.writeUInt32BE(0, mdat);
    expect(await probeMp4(patched)).toMatchObject({ frames: 33 });
    const err = await decodeRejection(probeMp4(patched.subarray(0, mdat + 5000)));
    expect(err.code).toBe('truncated');
    expect(err.message).toMatch(/track 1 sample data ends at byte \d+, the file has \d+/);
  });
});

/**
 * Time to a verdict and peak RSS over the hostile and degenerate outputs built for issue 18 (and
 * the bombs of issue 7): each file is judged by every output check of a real route, in its own
 * child process (bench/hostile-media.child.ts) so each peak RSS is that input's alone. Healthy
 * outputs of the same routes are the baseline. The frame-count bomb is also handed to libvips the
 * way genprobe decoded it before (render the last page), under a time cap, for comparison.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { Renderer, sceneFrame } from '../src/emulator/render.ts';
import { pngChunk } from '../src/media/testing.ts';
import { assembleAnimatedWebp, frameBombWebp, stillWebpChunks } from '../src/media/webp-writer.ts';
import { ROOT, round, withTempDir, type BenchContext, type Benchmark, type BenchResult } from './lib.ts';

/** A hostile file must get its verdict in well under this (issue 18). */
const GOAL_MS = 2000;
const LIBVIPS_CAP_MS = 30_000;

interface Input {
  name: string;
  kind: 'hostile' | 'degenerate' | 'healthy';
  endpoint: string;
  bytes: Buffer;
  /** The check that must fail (healthy: none may). */
  expect?: string;
}

const afterIhdr = (png: Buffer, ...chunks: Buffer[]) => Buffer.concat([png.subarray(0, 33), ...chunks, png.subarray(33)]);

function pngBomb(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // 1-bit greyscale
  const idat = zlib.deflateSync(Buffer.alloc((Math.ceil(side / 8) + 1) * side), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

function boxAt(b: Buffer, type: string): number {
  const at = b.indexOf(Buffer.from(type, 'latin1'));
  if (at < 4) throw new Error(`no ${type} box`);
  return at - 4;
}

function ffmpegMp4(dir: string, name: string, args: string[]): Promise<Buffer> {
  const out = path.join(dir, `${name}.mp4`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  return readFile(out);
}

async function buildInputs(dir: string): Promise<Input[]> {
  const r = new Renderer();
  const scene = (kind: 'png' | 'webp-anim', width: number, height: number, frames: number, extra: Record<string, unknown> = {}) =>
    r.render({ kind, width, height, frames, fps: 16, seed: 42, base: { type: 'scene' }, face: null, ...extra });
  const portraitMp4 = await readFile(path.join(ROOT, 'fixtures/media/portrait.mp4'));
  const healthyPng = await scene('png', 512, 512, 1); // flux's sample request is 512²
  const healthyWebp = await scene('webp-anim', 832, 480, 17);
  const pixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).webp({ lossless: true }).toBuffer();
  // 4 × the 17 requested frames, each a full 832×480 translucent frame (no keyframes after the first).
  const rgb = sceneFrame(832, 480, 5);
  const rgba = Buffer.alloc(832 * 480 * 4);
  for (let i = 0; i < 832 * 480; i++) rgb.copy(rgba, i * 4, i * 3, i * 3 + 3), (rgba[i * 4 + 3] = 200 + (i % 50));
  const translucent = stillWebpChunks(await sharp(rgba, { raw: { width: 832, height: 480, channels: 4 } }).webp({ quality: 90 }).toBuffer());
  const canvasBomb = Buffer.from(await readFile(path.join(ROOT, 'fixtures/media/portrait.webp')));
  canvasBomb.writeUIntLE(12_000 - 1, 24, 3);
  canvasBomb.writeUIntLE(12_000 - 1, 27, 3);
  const stszBillion = Buffer.from(portraitMp4);
  stszBillion.writeUInt32BE(1e9, boxAt(stszBillion, 'stsz') + 16);
  // 199,999 samples claimed consistently (constant-size stsz, one stts run): under the parser's cap.
  const samples200k = Buffer.from(portraitMp4);
  samples200k.writeUInt32BE(1, boxAt(samples200k, 'stsz') + 12);
  samples200k.writeUInt32BE(199_999, boxAt(samples200k, 'stsz') + 16);
  samples200k.writeUInt32BE(1, boxAt(samples200k, 'stts') + 12);
  samples200k.writeUInt32BE(199_999, boxAt(samples200k, 'stts') + 16);
  const jpeg = await sharp(healthyPng).jpeg().toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  const jpegBomb = Buffer.from(jpeg);
  jpegBomb.writeUInt16BE(65_000, sof + 5);
  jpegBomb.writeUInt16BE(65_000, sof + 7);
  // wan2.6-i2v-faceswap's sample request: 832×480, 17 frames at 16 fps, H.264 without audio.
  const lavfi = (filter: string, profile: string, pixFmt: string) => ['-f', 'lavfi', '-i', `testsrc2=size=832x480:rate=16${filter}`, '-frames:v', '17', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', profile, '-pix_fmt', pixFmt];
  const healthyMp4 = await ffmpegMp4(dir, 'healthy', lavfi('', 'high', 'yuv420p'));
  const yuv444 = await ffmpegMp4(dir, 'yuv444', lavfi('', 'high444', 'yuv444p'));
  const frozenMp4 = await ffmpegMp4(dir, 'frozen', lavfi(',trim=end_frame=1,loop=loop=-1:size=1', 'high', 'yuv420p'));
  return [
    { name: 'healthy flux PNG 512²', kind: 'healthy', endpoint: 'flux', bytes: healthyPng },
    { name: 'healthy wan2.6 WebP 832×480×17', kind: 'healthy', endpoint: 'wan2.6', bytes: healthyWebp },
    { name: 'healthy wan2.6-i2v-faceswap MP4 832×480×17', kind: 'healthy', endpoint: 'wan2.6-i2v-faceswap', bytes: healthyMp4 },
    { name: 'WebP frame-count bomb: 100,000 frames, 5 MB', kind: 'hostile', endpoint: 'wan2.6', bytes: frameBombWebp(832, 480, 100_000, pixel), expect: 'decodable' },
    { name: 'WebP 68 full-canvas blended frames (4× the request, at the frame limit)', kind: 'hostile', endpoint: 'wan2.6', bytes: assembleAnimatedWebp(832, 480, Array.from({ length: 68 }, () => ({ chunks: translucent, width: 832, height: 480, durationMs: 62 }))), expect: 'frame-count' },
    { name: 'WebP canvas bomb 12000²', kind: 'hostile', endpoint: 'wan2.6', bytes: canvasBomb, expect: 'decodable' },
    { name: 'PNG bomb 30000² (1-bit)', kind: 'hostile', endpoint: 'flux', bytes: pngBomb(30_000), expect: 'decodable' },
    { name: 'PNG with a 10 MB tEXt chunk', kind: 'hostile', endpoint: 'flux', bytes: afterIhdr(healthyPng, pngChunk('tEXt', Buffer.concat([Buffer.from('prompt\0'), Buffer.alloc(10 << 20, 0x7b)]))) },
    { name: 'PNG with a zTXt inflating to 1 GB', kind: 'hostile', endpoint: 'flux', bytes: afterIhdr(healthyPng, pngChunk('zTXt', Buffer.concat([Buffer.from('bomb\0\0'), zlib.deflateSync(Buffer.alloc(1 << 30), { level: 9 })]))) },
    { name: 'JPEG claiming 65000² in its SOF', kind: 'hostile', endpoint: 'qwen-image-inpaint-2511', bytes: jpegBomb, expect: 'decodable' },
    { name: 'MP4 stsz claiming 10⁹ samples', kind: 'hostile', endpoint: 'wan2.6-i2v-faceswap', bytes: stszBillion, expect: 'decodable' },
    { name: 'MP4 claiming 199,999 samples (under the parser cap)', kind: 'hostile', endpoint: 'wan2.6-i2v-faceswap', bytes: samples200k, expect: 'decodable' },
    { name: 'MP4 H.264 High 4:4:4 / yuv444p', kind: 'hostile', endpoint: 'wan2.6-i2v-faceswap', bytes: yuv444, expect: 'pixel-format' },
    { name: 'frozen WebP (emulator fault)', kind: 'degenerate', endpoint: 'wan2.6', bytes: await scene('webp-anim', 832, 480, 17, { frozen: true }), expect: 'motion' },
    { name: 'frozen MP4 (one frame looped)', kind: 'degenerate', endpoint: 'wan2.6-i2v-faceswap', bytes: frozenMp4, expect: 'motion' },
    { name: '8×8 picture scaled to 512² (emulator fault)', kind: 'degenerate', endpoint: 'flux', bytes: await scene('png', 512, 512, 1, { noDetail: true }), expect: 'detail' },
  ];
}

function runChild(args: string[], capMs: number): Promise<{ out: Record<string, unknown> | null; wallMs: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'bench/hostile-media.child.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, capMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      if (killed) return resolve({ out: null, wallMs, killed });
      if (code !== 0) return reject(new Error(`child exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      resolve({ out: JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, wallMs, killed });
    });
  });
}

async function judgeEachInput(dir: string, ctx: BenchContext): Promise<BenchResult> {
  const inputs = await buildInputs(dir);
  const rows: Array<Record<string, unknown>> = [];
  for (const input of inputs) {
    const file = path.join(dir, 'input.bin');
    await writeFile(file, input.bytes);
    const { out } = await runChild([file, input.endpoint], 120_000);
    const failing = (out!.failing as Array<{ check: string; message: string }>).map((f) => f.check);
    const ok = input.expect ? failing.includes(input.expect) : input.kind === 'healthy' ? failing.length === 0 : true;
    if (!ok) throw new Error(`${input.name}: expected ${input.expect ?? 'no failure'}, failing ${JSON.stringify(out!.failing)}`);
    const row = { input: input.name, kind: input.kind, endpoint: input.endpoint, bytes: input.bytes.length, verdictMs: out!.ms as number, verdictCpuMs: out!.cpuMs as number, peakRssMb: round((out!.maxRssKb as number) / 1024, 1), failing };
    ctx.log(`hostile-media: ${input.name}: ${row.verdictMs} ms wall, ${row.verdictCpuMs} ms CPU, peak RSS ${row.peakRssMb} MB, failing ${failing.join(', ') || 'none'}`);
    rows.push(row);
  }
  const bomb = inputs.find((i) => i.name.startsWith('WebP frame-count bomb'))!;
  await writeFile(path.join(dir, 'bomb.webp'), bomb.bytes);
  ctx.log(`hostile-media: libvips rendering the bomb's last page (the pre-fix decode), capped at ${LIBVIPS_CAP_MS / 1000} s`);
  const before = await runChild([path.join(dir, 'bomb.webp'), '--libvips-page', String(100_000 - 1)], LIBVIPS_CAP_MS);
  const hostile = rows.filter((r) => r.kind !== 'healthy');
  const healthy = rows.filter((r) => r.kind === 'healthy');
  const worstMs = Math.max(...hostile.map((r) => r.verdictMs as number));
  const worstCpuMs = Math.max(...hostile.map((r) => r.verdictCpuMs as number));
  const worstRss = Math.max(...hostile.map((r) => r.peakRssMb as number));
  return {
    measures: 'time of runOutputChecks (every output check of the route) to a verdict — wall, and CPU of the process plus its ffmpeg children — and the peak RSS of a process that does only that, per input',
    unit: 'ms, MB (MiB)',
    values: {
      hostileInputs: hostile.length,
      worstVerdictMs: worstMs,
      worstInput: hostile.find((r) => r.verdictMs === worstMs)!.input,
      worstVerdictCpuMs: worstCpuMs,
      worstCpuInput: hostile.find((r) => r.verdictCpuMs === worstCpuMs)!.input,
      worstPeakRssMb: worstRss,
      worstRssInput: hostile.find((r) => r.peakRssMb === worstRss)!.input,
      healthyVerdictMs: healthy.map((r) => r.verdictMs),
      healthyVerdictCpuMs: healthy.map((r) => r.verdictCpuMs),
      healthyPeakRssMb: Math.max(...healthy.map((r) => r.peakRssMb as number)),
      libvipsLastPageOfBomb: before.killed ? `not finished after ${LIBVIPS_CAP_MS / 1000} s (killed)` : `${round(before.wallMs, 0)} ms`,
      rows,
    },
    comparedTo: 'healthy outputs of the same routes (baseline RSS and time); for the frame-count bomb, libvips rendering its last page as genprobe did before issue 18',
    goal: `every hostile or degenerate input gets its verdict in < ${GOAL_MS} ms of CPU (wall on a loaded shared box is reported beside it)`,
    met: worstCpuMs < GOAL_MS,
    setup: { childPerInput: true, routes: [...new Set(rows.map((r) => r.endpoint))] },
    notes: [
      'Peak RSS includes the Node runtime and genprobe modules (~100 MB); the healthy rows show that baseline.',
      'The 68-frame WebP is accepted by decodable (within 4× the request) and its sampling stopped by the WebP decoding budget (the requested frames + 4 canvases); frame-count reports the count.',
    ],
  };
}

export const hostileMediaBench: Benchmark = {
  name: 'hostile-media',
  title: 'time to a verdict and peak RSS over hostile and degenerate outputs',
  run: (ctx) => withTempDir('genprobe-bench-hostile-', (dir) => judgeEachInput(dir, ctx)),
};

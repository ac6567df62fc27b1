/**
 * Peak RSS of the face check (issue 13 item 1) on the worst inputs the bounds allow, next to a healthy
 * output: each input is checked in its own child process (bench/face-rss.child.ts) that has loaded the
 * face model and embedded the reference first; peak RSS is read by /usr/bin/time -v and compared with
 * the same child checking nothing (baseline: model, WASM heap, reference).
 *
 *   npm run bench -- --only face-rss        (results in bench/results.json under "face-rss")
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { runFfmpeg } from '../src/media/frames.ts';
import { blackPng } from '../src/media/testing.ts';
import { measureChildPeakRss, ROOT, round, withTempDir, type BenchContext, type Benchmark, type BenchResult } from './lib.ts';

/**
 * Goal: no hostile input needs more than this above the baseline. What the bounds keep alive is small (frames
 * ≤ 1024², one RGBA canvas ≤ 16 MP = 64 MB plus one decoded WebP frame); glibc keeps freed libvips buffers in
 * per-thread arenas, which roughly doubles the peak (MALLOC_ARENA_MAX=1 took the 8-page UHD WebP from 618 to 322 MB).
 */
const GOAL_ABOVE_BASELINE_MB = 400;
/**
 * The same child on the code before the bounds (commit bcef983's src/face, same box, 2026-12-02), for comparison:
 * the 25000×4000 PNG reached 8168 MB peak RSS and the process died (exit 7, after 52 s); the 8-page UHD WebP 1392 MB.
 */
const BEFORE_PEAK_MB = { 'black-25000x4000.png': '8168 (process died, exit 7)', 'uhd-8pages.webp': 1392 };


async function measureChild(args: string[]): Promise<{ child: Record<string, unknown>; peakMb: number }> {
  const { child, maxRssKb } = await measureChildPeakRss('bench/face-rss.child.ts', args);
  return { child, peakMb: round(maxRssKb / 1024, 1) };
}

interface Input {
  name: string;
  kind: string;
  what: string;
  file: string;
}

async function makeInputs(dir: string, log: (m: string) => void): Promise<Input[]> {
  const astronaut = await readFile(path.join(ROOT, 'fixtures/faces/astronaut.png'));
  const inputs: Input[] = [];
  const add = async (name: string, kind: string, what: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    inputs.push({ name, kind, what: `${what} (${round(bytes.length / 1024, 0)} KiB)`, file });
  };
  log('face-rss: building inputs');
  await add('healthy-1024.png', 'png', 'healthy: fixtures/faces/astronaut.png at 1024×1024', await sharp(astronaut).resize(1024, 1024).png().toBuffer());
  await add('black-25000x4000.png', 'png', 'hostile: 25000×4000 black PNG (100 MP, the decodable limit; 300 MB as RGB, 1.9 GB padded before)', blackPng(25000, 4000));
  // 8 pages of 3840×2160 flat colour: 33 MB of RGBA per page at full size.
  const pages = await Promise.all(Array.from({ length: 8 }, (_, i) => sharp({ create: { width: 3840, height: 2160, channels: 3, background: { r: i * 30, g: 255 - i * 30, b: 128 } } }).raw().toBuffer()));
  const webp = await sharp(Buffer.concat(pages), { raw: { width: 3840, height: 2160 * 8, channels: 3, pageHeight: 2160 } as never })
    .webp({ quality: 20, effort: 0, loop: 0, delay: pages.map(() => 62) })
    .toBuffer();
  await add('uhd-8pages.webp', 'webp-animated', 'hostile: animated WebP, 8 pages of 3840×2160', webp);
  const mp4 = await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=3840x2160:rate=16', '-frames:v', '24', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-movflags', 'frag_keyframe+empty_moov', '-f', 'mp4', 'pipe:1']);
  await add('uhd-24frames.mp4', 'mp4', 'hostile: H.264 MP4, 24 frames of 3840×2160', mp4);
  return inputs;
}

async function checkEachInput(dir: string, ctx: BenchContext): Promise<BenchResult> {
  const inputs = await makeInputs(dir, ctx.log);
  const baseline = await measureChild([inputs[0].file, 'png', '--baseline']);
  const rows: Record<string, unknown> = {};
  let worstAbove = 0;
  for (const input of inputs) {
    ctx.log(`face-rss: ${input.name}`);
    const m = await measureChild([input.file, input.kind]);
    const above = round(m.peakMb - baseline.peakMb, 1);
    if (input.name !== inputs[0].name) worstAbove = Math.max(worstAbove, above);
    const checks = m.child.checks as Array<{ check: string; verdict: string; message: string }>;
    rows[input.name] = { what: input.what, peakRssMb: m.peakMb, aboveBaselineMb: above, checkMs: m.child.ms, checks: checks.map((c) => `${c.check}: ${c.verdict} — ${c.message.slice(0, 140)}`) };
  }
  return {
    measures: 'peak resident memory of a process that has loaded the face model and runs the whole face check on one output',
    unit: 'MB (MiB)',
    values: { baselineRssMb: baseline.peakMb, inputs: rows, worstAboveBaselineMb: worstAbove, beforeBoundsPeakRssMb: BEFORE_PEAK_MB },
    comparedTo: 'the same child with the model loaded and the reference embedded but no output checked (baseline), a healthy 1024² portrait, and the code before the bounds (values.beforeBoundsPeakRssMb)',
    goal: `every hostile input < ${GOAL_ABOVE_BASELINE_MB} MB above the baseline`,
    met: worstAbove < GOAL_ABOVE_BASELINE_MB,
    setup: {
      bounds: 'images shrunk to ≤ 1024 px in libvips while decoding (100 MP declared at most); WebP frames rendered one canvas (≤ 16 MP) at a time and shrunk; MP4 frames shrunk inside ffmpeg',
      measuredWith: '/usr/bin/time -v (Maximum resident set size)',
    },
    notes: ['Inputs are generated in a temp dir and deleted afterwards.'],
  };
}

export const faceRssBench: Benchmark = {
  name: 'face-rss',
  title: 'peak RSS of the face check on hostile outputs vs a healthy one',
  run: (ctx) => withTempDir('genprobe-bench-face-rss-', (dir) => checkEachInput(dir, ctx)),
};

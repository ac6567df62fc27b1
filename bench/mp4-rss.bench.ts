/**
 * Peak RSS while validating a 500 MB MP4 file: generated once per run into a temp dir (never
 * committed) as a real 1080p H.264 stream — a 2 s high-bitrate clip concatenated with stream copy
 * until the file passes 500 MB, moov at the end as ffmpeg writes it by default — then validated in a
 * child process (bench/mp4-rss.child.ts) through probeMp4File and the MP4 header checks.
 * Peak RSS is read twice: the child's own process.resourceUsage().maxRSS and /usr/bin/time -v.
 */
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '../src/media/frames.ts';
import { measureChildPeakRss, round, withTempDir, type BenchContext, type Benchmark, type BenchResult } from './lib.ts';

const TARGET_BYTES = 500 * 1024 * 1024;
const GOAL_MB = 150;
const W = 1920;
const H = 1080;
const FPS = 30;
const CLIP_SEC = 2;


async function measureChild(args: string[]): Promise<{ child: Record<string, unknown>; timeMaxRssKb: number }> {
  const { child, maxRssKb } = await measureChildPeakRss('bench/mp4-rss.child.ts', args);
  return { child, timeMaxRssKb: maxRssKb };
}

async function makeBigMp4(dir: string, log: (m: string) => void): Promise<{ file: string; frames: number; bytes: number }> {
  const clip = path.join(dir, 'clip.mp4');
  log(`mp4: encoding a ${CLIP_SEC} s ${W}×${H} H.264 clip at high bitrate`);
  // Per-frame noise keeps x264 from compressing it away: a high-bitrate stream like a real upscale.
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}`, '-vf', 'noise=alls=20:allf=t', '-t', String(CLIP_SEC),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '18', '-pix_fmt', 'yuv420p', clip]);
  const clipBytes = (await stat(clip)).size;
  const copies = Math.ceil(TARGET_BYTES / clipBytes);
  const list = path.join(dir, 'list.txt');
  await writeFile(list, Array.from({ length: copies }, () => `file '${clip}'`).join('\n') + '\n');
  const file = path.join(dir, 'big.mp4');
  log(`mp4: clip is ${round(clipBytes / 2 ** 20, 1)} MiB; concatenating ${copies} copies (stream copy)`);
  await runFfmpeg(['-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', file]);
  await rm(clip);
  return { file, frames: copies * CLIP_SEC * FPS, bytes: (await stat(file)).size };
}

async function validateBigMp4(dir: string, ctx: BenchContext): Promise<BenchResult> {
  const big = await makeBigMp4(dir, ctx.log);
  const args = [big.file, String(W), String(H), String(big.frames), String(FPS)];
  ctx.log(`mp4: validating ${round(big.bytes / 2 ** 20, 1)} MiB in a child process`);
  const baseline = await measureChild([...args, '--baseline']);
  const probed = await measureChild(args);
  const checks = probed.child.checks as Array<{ check: string; verdict: string; message: string }>;
  const notPassing = checks.filter((c) => c.verdict !== 'pass');
  if (notPassing.length) throw new Error(`the benchmark's own MP4 did not pass the checks: ${notPassing.map((c) => `${c.check}: ${c.message}`).join('; ')}`);
  const peakMb = round(probed.timeMaxRssKb / 1024, 1);
  return {
    measures: 'peak resident memory of a process that validates one 500 MB MP4 file with probeMp4File and the MP4 header checks',
    unit: 'MB (MiB)',
    values: {
      fileBytes: big.bytes,
      peakRssMb: peakMb,
      peakRssMbSelfReported: round(Number(probed.child.maxRssKb) / 1024, 1),
      baselineRssMb: round(baseline.timeMaxRssKb / 1024, 1),
      probeAboveBaselineMb: round((probed.timeMaxRssKb - baseline.timeMaxRssKb) / 1024, 1),
      probeMs: probed.child.ms,
      probed: probed.child.info,
      checks: checks.map((c) => `${c.check}: ${c.verdict}`),
    },
    comparedTo: 'the file size (500 MB) and the same child process with the same modules loaded but nothing probed (baseline)',
    goal: `< ${GOAL_MB} MB peak RSS`,
    met: peakMb < GOAL_MB,
    setup: { width: W, height: H, fps: FPS, frames: big.frames, layout: 'ffmpeg default (mdat before moov); concat of a high-bitrate 2 s clip, stream copy', measuredWith: '/usr/bin/time -v and process.resourceUsage().maxRSS' },
    notes: ['The file lives in a temp dir and is deleted afterwards; it is never committed.'],
  };
}

export const mp4RssBench: Benchmark = {
  name: 'mp4-rss',
  title: 'peak RSS validating a 500 MB MP4 file',
  run: (ctx) => withTempDir('genprobe-bench-mp4-', (dir) => validateBigMp4(dir, ctx)),
};

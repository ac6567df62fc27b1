/**
 * Face check time (issue 3): detection + embedding per 1024² image, and the whole face check per
 * 33-frame video (MP4 through ffmpeg, animated WebP through sharp, 9 sampled frames).
 * One core by construction: the tfjs WASM backend runs without threads here (SIMD on, multithread off).
 * Each phase is timed in wall ms and in this process's CPU ms: on the shared 2-core box wall time
 * includes waiting for a core, CPU time shows the work itself.
 *
 *   npm run bench -- --only face        (results in bench/results.json under "face")
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { embedImage } from '../src/face/analyze.ts';
import { makeAnimatedWebp, makeZoomPanFrames, makeZoomPanMp4 } from '../src/face/augment.ts';
import { faceMatchCheck } from '../src/face/check.ts';
import { decodeRgb, detectFaces, padToSquare, selectFace } from '../src/face/detect.ts';
import { getEmbedder } from '../src/face/embedders.ts';
import { sampleAnimatedFrames, streamAnimatedRgb } from '../src/face/frames.ts';
import { getHuman } from '../src/face/human-runtime.ts';
import { ROOT, round, summarize, type Benchmark, type BenchResult, type Summary } from './lib.ts';

export const FACE_TARGET_MS = 100;

interface Timed {
  wall: Summary;
  cpu: Summary;
}

async function timeIt(fn: () => Promise<unknown>, n: number, warmup = 2): Promise<Timed> {
  for (let i = 0; i < warmup; i++) await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: summarize(wall, 1), cpu: summarize(cpu, 1) };
}

export const faceBench: Benchmark = {
  name: 'face',
  title: 'face check ms per 1024² image and per 33-frame video',
  async run(ctx): Promise<BenchResult> {
    const runs = ctx.quick ? 5 : 20;
    const videoRuns = ctx.quick ? 2 : 5;
    const tInit = performance.now();
    const human = await getHuman();
    const embedder = await getEmbedder('human-faceres');
    const initMs = performance.now() - tInit;

    const astronaut = await readFile(path.join(ROOT, 'fixtures/faces/astronaut.png'));
    const png1024 = await sharp(astronaut).resize(1024, 1024).png().toBuffer();
    const rgb1024 = await decodeRgb(png1024);
    const rgb1024x600 = await decodeRgb(await sharp(astronaut).resize(1024, 600, { fit: 'cover' }).png().toBuffer());

    ctx.log(`face: image phases, ${runs} runs each`);
    const decode = await timeIt(() => decodeRgb(png1024), runs);
    const pad = await timeIt(async () => padToSquare(rgb1024x600), runs);
    const detectMesh = await timeIt(() => detectFaces(rgb1024, false), runs);
    const detectMeshEmbed = await timeIt(async () => embedder.embed(selectFace(await detectFaces(rgb1024, true), 'bench').face), runs);
    const endToEnd = await timeIt(() => embedImage(png1024, embedder, 'bench'), runs);

    ctx.log(`face: videos, ${videoRuns} runs each`);
    const mp4 = await makeZoomPanMp4(astronaut, { frames: 33, fps: 16, size: 512 });
    const webp = await makeAnimatedWebp(await makeZoomPanFrames(astronaut, { frames: 33, fps: 16, size: 512 }), 62);
    // The reference is embedded once and cached across calls, as in a probe loop (the warm-up run fills the cache).
    const check = (output: Buffer, outputKind: 'mp4' | 'webp-animated') => async () => {
      const r = await faceMatchCheck({ output, outputKind, reference: astronaut, targetPct: 85, sampleFrames: 9 });
      if (r.some((c) => c.verdict === 'fail')) throw new Error(`face check failed on the benchmark's own ${outputKind}: ${r.map((c) => c.message).join('; ')}`);
    };
    // Before/after of the WebP sampler (commit 7595bf4): each sampled page decoded on its own and round-tripped
    // through PNG, vs one decode pass straight to RGB. Same pixels (src/face/frames.test.ts).
    const webpPageByPagePng = await timeIt(async () => {
      for (const f of (await sampleAnimatedFrames(webp, 9)).frames) await decodeRgb(f.png);
    }, videoRuns, 1);
    const webpOnePassRgb = await timeIt(async () => {
      for (const f of streamAnimatedRgb(webp, 9).frames) await f.rgb();
    }, videoRuns, 1);
    const videoMp4 = await timeIt(check(mp4, 'mp4'), videoRuns, 1);
    const videoWebp = await timeIt(check(webp, 'webp-animated'), videoRuns, 1);

    const perImage = endToEnd.cpu.median;
    return {
      measures: 'face detection + FaceRes embedding time for one 1024×1024 PNG (decode → detect → mesh → embed), and the full face check of a 33-frame 512² video (9 sampled frames, reference embedding cached)',
      unit: 'ms (wall and CPU of this process)',
      values: {
        image1024: {
          endToEndMs: endToEnd,
          phases: { decodeMs: decode, padToSquare1024x600Ms: pad, detectMeshMs: detectMesh, detectMeshEmbedMs: detectMeshEmbed },
        },
        videoMp4_33frames: { checkMs: videoMp4, perSampledFrameWallMs: round(videoMp4.wall.median / 9, 1), perSampledFrameCpuMs: round(videoMp4.cpu.median / 9, 1) },
        webpSampling9Frames: { before_pageByPagePngMs: webpPageByPagePng, after_onePassRgbMs: webpOnePassRgb },
        videoWebp_33frames: { checkMs: videoWebp, perSampledFrameWallMs: round(videoWebp.wall.median / 9, 1), perSampledFrameCpuMs: round(videoWebp.cpu.median / 9, 1) },
        initMs: Math.round(initMs),
      },
      comparedTo: `issue 3's target of ${FACE_TARGET_MS} ms per 1024² image on one core; feasibility.md §2.1 measured 98 ms for a 512² image with detection + mesh + FaceRes`,
      goal: `≤ ${FACE_TARGET_MS} ms per 1024² image on one core (judged on the CPU-time median, which is what one core spends; wall time is reported too)`,
      met: perImage <= FACE_TARGET_MS,
      setup: {
        runs,
        videoRuns,
        warmupRuns: 2,
        backend: `${human.tf.getBackend()} (tfjs-backend-wasm, single thread)`,
        embedder: `${embedder.name} ${embedder.version}`,
        image: 'fixtures/faces/astronaut.png resized to 1024×1024 PNG',
        video: '33-frame 16 fps 512² zoom/pan of the same portrait: H.264 MP4 (fragmented) and animated WebP; 9 frames sampled',
      },
      notes: ['CPU time of the MP4 check leaves out ffmpeg (a child process), so its wall time is the fairer number there.'],
    };
  },
};

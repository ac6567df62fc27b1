/**
 * Where the motion and detail floors sit (src/checks/motion.ts, src/checks/detail.ts): both
 * measures over healthy outputs — the fixtures, the emulator's renders, and the fleet's own recorded
 * generations read from its repository (jatidevelopments/ryla@57209b5, a bare mirror at
 * $GENPROBE_FLEET_MIRROR, default /work/.mirror/jatidevelopments+ryla/repo; never copied into
 * genprobe) — and over degenerate ones: frozen clips, tiny pictures scaled up, and the fleet's own
 * recorded failures. The floors must sit far below every healthy output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { checkDetail, DETAIL_MEASURE, frameDetail, MIN_DETAIL_SHARE } from '../src/checks/detail.ts';
import { checkMotion, MIN_MEAN_FRAME_CHANGE } from '../src/checks/motion.ts';
import { Renderer, type NoDetailKernel } from '../src/emulator/render.ts';
import { lumaOfImage } from '../src/media/luma.ts';
import { probeMp4 } from '../src/media/mp4.ts';
import { sampleLumaFrames, type SampledKind } from '../src/media/sample.ts';
import { probeAnimatedWebp } from '../src/media/webp.ts';
import { median, ROOT, round, type Benchmark, type BenchResult } from './lib.ts';

const COMMIT = '57209b5';
type Group = 'healthy' | 'degenerate';

interface Sample {
  name: string;
  group: Group;
  source: 'fixture' | 'emulator' | 'fleet' | 'synthetic';
  kind: SampledKind;
  bytes: Buffer;
}

/** Recorded fleet outputs and what they are (looked at frame by frame). */
const FLEET: Array<{ path: string; group: Group; what: string }> = [
  { path: 'apps/modal/test-output/ryla-api/20260206_142057/wan2.6-i2v-faceswap_143142.mp4', group: 'healthy', what: 'wan2.6 i2v + faceswap' },
  { path: 'apps/modal/test-output/ryla-api/20260206_142057/wan22-i2v-faceswap_144151.mp4', group: 'healthy', what: 'wan2.2 i2v + faceswap' },
  { path: 'apps/modal/test-output/wan22_i2v_faceswap_20260205_161831.mp4', group: 'healthy', what: 'wan2.2 i2v + faceswap, dim portrait on a flat backdrop' },
  { path: 'apps/modal/test-output/wan26_i2v_faceswap_20260205_160041.mp4', group: 'healthy', what: 'wan2.6 i2v + faceswap, nearly still' },
  { path: 'apps/funnel/public/video/dancing_1.mp4', group: 'healthy', what: 'site video' },
  { path: 'apps/funnel/public/video/lipsync_1.mp4', group: 'healthy', what: 'site video' },
  { path: 'apps/funnel/public/video/selfie_1.mp4', group: 'healthy', what: 'site video' },
  { path: 'apps/funnel/public/images/character-types/girl-next-door-type.webp', group: 'healthy', what: 'site character image' },
  { path: 'apps/funnel/public/images/turn-types/lipstick-type.webp', group: 'healthy', what: 'site character image' },
  { path: 'apps/funnel/public/images/ethnicity/black.webp', group: 'healthy', what: 'site character image' },
  { path: 'apps/funnel/public/images/backgrounds/girl.png', group: 'healthy', what: 'site background image' },
  { path: 'apps/modal/test_outputs/batch_faceswap_test/01_batch_video_faceswap.mp4', group: 'degenerate', what: 'recorded failure: 2.7 KB uniform grey 33-frame MP4' },
  { path: 'apps/modal/test-output/ryla-api/20260206_142057/batch-video-faceswap_143028.mp4', group: 'degenerate', what: 'recorded failure: 1-frame near-black MP4' },
  { path: 'apps/modal/test-output/wan22_i2v_faceswap_20260204_221329.mp4', group: 'degenerate', what: 'recorded failure: near-white frames' },
  { path: 'apps/modal/test-output/wan22_i2v_faceswap_20260204_221431.mp4', group: 'degenerate', what: 'recorded failure: near-white frames' },
  { path: 'apps/modal/test-output/wan22_i2v_faceswap_20260205_002847.mp4', group: 'degenerate', what: 'recorded failure: grainy purple blob (not a detail-less upscale)' },
];

const UPSCALE_SIDES = [8, 16, 32] as const;
const UPSCALE_KERNELS: readonly NoDetailKernel[] = ['nearest', 'linear', 'cubic', 'lanczos3'];

/**
 * Tiny pictures scaled up, the way a failed decode of a tiny latent looks: 8², 16² and 32² fixtures
 * to 1024² PNG and JPEG (q80) and an 832×480 WebP still (q80) with every kernel; the emulator's
 * no-detail fault at those sides as 17-frame animated WebP and 33-frame MP4 (832×480, nearest and
 * lanczos3; each frame scaled down and up, so the blocks stay on one lattice while the scene moves).
 */
async function upscales(r: Renderer, fixture: (p: string) => Buffer): Promise<Sample[]> {
  const out: Sample[] = [];
  const synthetic = (name: string, kind: SampledKind, bytes: Buffer): Sample => ({ name, group: 'degenerate', source: 'synthetic', kind, bytes });
  for (const side of UPSCALE_SIDES) {
    const astronaut = await sharp(fixture('faces/astronaut.png')).resize(side, side).toBuffer();
    const chelsea = await sharp(fixture('scenes/chelsea.png')).resize(side, side, { fit: 'fill' }).toBuffer();
    for (const kernel of UPSCALE_KERNELS) {
      out.push(synthetic(`${side}² astronaut → 1024² PNG (${kernel})`, 'png', await sharp(astronaut).resize(1024, 1024, { kernel }).png().toBuffer()));
      out.push(synthetic(`${side}² chelsea → 1024² JPEG q80 (${kernel})`, 'jpeg', await sharp(chelsea).resize(1024, 1024, { kernel }).jpeg({ quality: 80 }).toBuffer()));
      out.push(synthetic(`${side}² chelsea → 832×480 WebP still q80 (${kernel})`, 'png', await sharp(chelsea).resize(832, 480, { kernel, fit: 'fill' }).webp({ quality: 80 }).toBuffer()));
    }
    for (const kernel of ['nearest', 'lanczos3'] as const) {
      const noDetailScale = { side, kernel };
      out.push({ name: `emulator no-detail WebP ${side}² (${kernel})`, group: 'degenerate', source: 'emulator', kind: 'webp-animated', bytes: await r.render({ kind: 'webp-anim', width: 832, height: 480, frames: 17, fps: 16, seed: 9, base: { type: 'scene' }, face: null, noDetail: true, noDetailScale }) });
      out.push({ name: `emulator no-detail MP4 i2v ${side}² (${kernel})`, group: 'degenerate', source: 'emulator', kind: 'mp4', bytes: await r.render({ kind: 'mp4', width: 832, height: 480, frames: 33, fps: 16, seed: 7, base: { type: 'image', bytes: fixture('scenes/coffee.png'), crop: 'cover' }, face: fixture('faces/astronaut.png'), noDetail: true, noDetailScale }) });
    }
  }
  // Sources whose side does not divide the detail check's fixed 32-cell grid (their block edges fall inside its cells).
  const offGrid = [
    { src: 'faces/astronaut.png', side: [16, 9], to: [1024, 576], as: 'png' },
    { src: 'faces/astronaut.png', side: [24, 24], to: [1024, 1024], as: 'png' },
    { src: 'scenes/chelsea.png', side: [24, 24], to: [1024, 1024], as: 'jpeg' },
    { src: 'scenes/coffee.png', side: [40, 30], to: [832, 480], as: 'webp' },
  ] as const;
  const encodings = {
    png: { label: 'PNG', kind: 'png', encode: (img: Sharp) => img.png() },
    jpeg: { label: 'JPEG q80', kind: 'jpeg', encode: (img: Sharp) => img.jpeg({ quality: 80 }) },
    webp: { label: 'WebP still q80', kind: 'png', encode: (img: Sharp) => img.webp({ quality: 80 }) },
  } as const;
  for (const g of offGrid) {
    const tiny = await sharp(fixture(g.src)).resize(g.side[0], g.side[1], { fit: 'fill' }).toBuffer();
    const e = encodings[g.as];
    const bytes = await e.encode(sharp(tiny).resize(g.to[0], g.to[1], { fit: 'fill', kernel: 'nearest' })).toBuffer();
    out.push(synthetic(`${g.side[0]}×${g.side[1]} ${path.basename(g.src, '.png')} → ${g.to[0]}×${g.to[1]} ${e.label} (nearest, off the 32-cell grid)`, e.kind, bytes));
  }
  // Upscales cropped afterwards: a cover-fit resize (scaled to cover, cut to the aspect) and a crop on every side.
  const astronaut16 = await sharp(fixture('faces/astronaut.png')).resize(16, 16, { fit: 'fill' }).toBuffer();
  out.push(synthetic('16² astronaut cover-fit → 832×480 PNG (nearest, cropped top and bottom)', 'png', await sharp(astronaut16).resize(832, 480, { fit: 'cover', kernel: 'nearest' }).png().toBuffer()));
  const chelsea24 = await sharp(fixture('scenes/chelsea.png')).resize(24, 24, { fit: 'fill' }).toBuffer();
  const cropped = await sharp(await sharp(chelsea24).resize(1024, 1024, { kernel: 'nearest' }).png().toBuffer()).extract({ left: 37, top: 37, width: 950, height: 950 }).jpeg({ quality: 80 }).toBuffer();
  out.push(synthetic('24² chelsea → 1024², cropped 37 px each side, JPEG q80 (nearest)', 'jpeg', cropped));
  return out;
}

function kindOf(name: string, bytes: Buffer): SampledKind {
  if (name.endsWith('.mp4')) return 'mp4';
  if (bytes.toString('latin1', 0, 4) === 'RIFF') return bytes.indexOf('ANMF', 0, 'latin1') > 0 ? 'webp-animated' : 'png';
  return bytes[0] === 0xff ? 'jpeg' : 'png';
}

async function samples(mirror: string | null): Promise<Sample[]> {
  const out: Sample[] = [];
  const fixture = (p: string) => readFileSync(path.join(ROOT, 'fixtures', p));
  for (const p of ['faces/astronaut.png', 'faces/camera.png', 'faces/grace_hopper.jpg', 'scenes/coffee.png', 'scenes/chelsea.png', 'media/portrait.webp', 'media/portrait.mp4']) {
    const bytes = fixture(p);
    out.push({ name: `fixtures/${p}`, group: 'healthy', source: 'fixture', kind: kindOf(p, bytes), bytes });
  }
  const r = new Renderer();
  const coffee = fixture('scenes/coffee.png');
  const face = fixture('faces/astronaut.png');
  for (const seed of [1, 2, 3, 42, 1234]) {
    out.push({ name: `emulator PNG scene seed ${seed}`, group: 'healthy', source: 'emulator', kind: 'png', bytes: await r.render({ kind: 'png', width: 1024, height: 1024, frames: 1, fps: 1, seed, base: { type: 'scene' }, face: null }) });
  }
  out.push({ name: 'emulator JPEG scene', group: 'healthy', source: 'emulator', kind: 'jpeg', bytes: await r.render({ kind: 'jpeg', width: 768, height: 1024, frames: 1, fps: 1, seed: 3, base: { type: 'scene' }, face: null }) });
  for (const frames of [17, 81]) {
    out.push({ name: `emulator WebP scene ${frames} frames`, group: 'healthy', source: 'emulator', kind: 'webp-animated', bytes: await r.render({ kind: 'webp-anim', width: 832, height: 480, frames, fps: 16, seed: 9, base: { type: 'scene' }, face: null }) });
  }
  out.push({ name: 'emulator MP4 i2v pan + face', group: 'healthy', source: 'emulator', kind: 'mp4', bytes: await r.render({ kind: 'mp4', width: 832, height: 480, frames: 33, fps: 16, seed: 7, base: { type: 'image', bytes: coffee, crop: 'cover' }, face }) });
  out.push({ name: 'emulator frozen WebP (fault)', group: 'degenerate', source: 'emulator', kind: 'webp-animated', bytes: await r.render({ kind: 'webp-anim', width: 832, height: 480, frames: 33, fps: 16, seed: 9, base: { type: 'scene' }, face: null, frozen: true }) });
  out.push({ name: 'emulator frozen MP4 (fault)', group: 'degenerate', source: 'emulator', kind: 'mp4', bytes: await r.render({ kind: 'mp4', width: 832, height: 480, frames: 33, fps: 16, seed: 7, base: { type: 'image', bytes: coffee, crop: 'cover' }, face, frozen: true }) });
  out.push({ name: 'emulator no-detail PNG (fault)', group: 'degenerate', source: 'emulator', kind: 'png', bytes: await r.render({ kind: 'png', width: 1024, height: 1024, frames: 1, fps: 1, seed: 42, base: { type: 'scene' }, face: null, noDetail: true }) });
  out.push(...(await upscales(r, fixture)));
  if (mirror) {
    for (const f of FLEET) {
      const bytes = execFileSync('git', ['-C', mirror, 'show', `${COMMIT}:${f.path}`], { maxBuffer: 64 << 20 });
      out.push({ name: `ryla@${COMMIT}:${f.path} — ${f.what}`, group: f.group, source: 'fleet', kind: kindOf(f.path, bytes), bytes });
    }
  }
  return out;
}

interface Row {
  name: string;
  group: Group;
  source: string;
  motion: number | null;
  detailPct: number;
  blockResidualPct: number;
  curvaturePct: number;
  /** The upscale grid the detail check found in the most detailed frame's steps, if any. */
  upscaleGridCells?: string;
}

async function measure(s: Sample): Promise<Row> {
  const frames = s.kind === 'mp4' ? (await probeMp4(s.bytes)).frames : s.kind === 'webp-animated' ? (await probeAnimatedWebp(s.bytes)).frames : 1;
  const luma = await sampleLumaFrames(s.bytes, s.kind, frames);
  const motion = checkMotion(luma);
  const detail = checkDetail(luma).measured as { maxDetailPct: number; blockResidualPct: number; curvaturePct: number; upscaleGridCells?: string };
  return {
    name: s.name,
    group: s.group,
    source: s.source,
    motion: motion.verdict === 'skip' ? null : (motion.measured as { meanChange: number }).meanChange,
    detailPct: detail.maxDetailPct,
    blockResidualPct: detail.blockResidualPct,
    curvaturePct: detail.curvaturePct,
    ...(detail.upscaleGridCells ? { upscaleGridCells: detail.upscaleGridCells } : {}),
  };
}

/** Median ms of the detail measure on one 512² analysis frame (the check runs it on every sampled frame). */
async function detailMsPerFrame(): Promise<number> {
  const frame = await lumaOfImage(readFileSync(path.join(ROOT, 'fixtures', 'faces/astronaut.png')));
  const times: number[] = [];
  for (let i = 0; i < 41; i++) {
    const t0 = performance.now();
    frameDetail(frame);
    times.push(performance.now() - t0);
  }
  return round(median(times), 2);
}

export const pixelCalibrationBench: Benchmark = {
  name: 'pixel-calibration',
  title: 'motion and detail measured on healthy and degenerate outputs, against their floors',
  async run(ctx): Promise<BenchResult> {
    const mirrorPath = process.env.GENPROBE_FLEET_MIRROR ?? '/work/.mirror/jatidevelopments+ryla/repo';
    const mirror = existsSync(mirrorPath) ? mirrorPath : null;
    if (!mirror) ctx.log(`pixel-calibration: no fleet mirror at ${mirrorPath}; fixtures and emulator only`);
    const rows: Row[] = [];
    for (const s of await samples(mirror)) {
      const m = await measure(s);
      rows.push(m);
      ctx.log(`pixel-calibration: ${s.name}: motion ${m.motion ?? '–'}, detail ${m.detailPct} % (blocks ${m.blockResidualPct}${m.upscaleGridCells ? ` on a ${m.upscaleGridCells} grid` : ''}, curvature ${m.curvaturePct})`);
    }
    const healthy = rows.filter((r) => r.group === 'healthy');
    const healthyMotion = healthy.flatMap((r) => (r.motion === null ? [] : [r.motion]));
    const minHealthyDetail = Math.min(...healthy.map((r) => r.detailPct));
    const minHealthyMotion = Math.min(...healthyMotion);
    const upscaleRows = rows.filter((r) => r.group === 'degenerate' && (r.source === 'synthetic' || r.name.includes('no-detail')));
    const maxUpscaleDetail = Math.max(...upscaleRows.map((r) => r.detailPct));
    const detailFloorPct = MIN_DETAIL_SHARE * 100;
    const detailMs = await detailMsPerFrame();
    return {
      measures: 'mean frame-to-frame luma change (motion) and % of pixels a tiny picture scaled up does not explain (detail: the smaller of the residual off 32² block means and the share with a second difference above 8 levels) on the ≤512-px analysis copies the checks use',
      unit: 'luma levels, % of pixels',
      values: {
        motionFloor: MIN_MEAN_FRAME_CHANGE,
        detailFloorPct,
        minHealthyMotion,
        minHealthyDetailPct: minHealthyDetail,
        maxUpscaleDetailPct: maxUpscaleDetail,
        upscalesFailingDetail: `${upscaleRows.filter((r) => r.detailPct < detailFloorPct).length} of ${upscaleRows.length}`,
        healthyMarginMotion: round(minHealthyMotion / MIN_MEAN_FRAME_CHANGE, 1),
        healthyMarginDetail: round(minHealthyDetail / detailFloorPct, 1),
        detailMsPer512Frame: detailMs,
        fleetMirror: mirror ? `${mirror} @ ${COMMIT}` : 'not found',
        rows,
      },
      comparedTo: 'the floors in src/checks/motion.ts and src/checks/detail.ts',
      goal: 'every healthy output at least 3× above each floor, every tiny-picture upscale below the detail floor, the detail measure a few ms per 512² frame',
      met: minHealthyMotion >= 3 * MIN_MEAN_FRAME_CHANGE && minHealthyDetail >= 3 * detailFloorPct && maxUpscaleDetail < detailFloorPct && detailMs <= 5,
      setup: { framesSampled: 8, analysisSide: 512, detail: DETAIL_MEASURE },
      notes: [
        'Degenerate rows show what each floor catches and what it does not (a frozen clip keeps its detail; a near-white clip keeps some motion).',
        'detailMsPer512Frame is a single-thread median over 41 runs on a shared 2-core box.',
      ],
    };
  },
};

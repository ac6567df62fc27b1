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
import sharp from 'sharp';
import { checkDetail, MIN_DETAIL_SHARE } from '../src/checks/detail.ts';
import { checkMotion, MIN_MEAN_FRAME_CHANGE } from '../src/checks/motion.ts';
import { Renderer } from '../src/emulator/render.ts';
import { probeMp4 } from '../src/media/mp4.ts';
import { sampleLumaFrames, type SampledKind } from '../src/media/sample.ts';
import { probeAnimatedWebp } from '../src/media/webp.ts';
import { ROOT, round, type Benchmark, type BenchResult } from './lib.ts';

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
  for (const [side, kernel] of [[8, 'lanczos3'], [8, 'cubic'], [8, 'nearest'], [16, 'lanczos3']] as const) {
    const tiny = await sharp(fixture('faces/astronaut.png')).resize(side, side).toBuffer();
    const bytes = await sharp(tiny).resize(1024, 1024, { kernel }).png().toBuffer();
    out.push({ name: `${side}×${side} astronaut scaled to 1024² (${kernel})`, group: 'degenerate', source: 'synthetic', kind: 'png', bytes });
  }
  if (mirror) {
    for (const f of FLEET) {
      const bytes = execFileSync('git', ['-C', mirror, 'show', `${COMMIT}:${f.path}`], { maxBuffer: 64 << 20 });
      out.push({ name: `ryla@${COMMIT}:${f.path} — ${f.what}`, group: f.group, source: 'fleet', kind: kindOf(f.path, bytes), bytes });
    }
  }
  return out;
}

async function measure(s: Sample): Promise<{ motion: number | null; detailPct: number }> {
  const frames = s.kind === 'mp4' ? (await probeMp4(s.bytes)).frames : s.kind === 'webp-animated' ? (await probeAnimatedWebp(s.bytes)).frames : 1;
  const luma = await sampleLumaFrames(s.bytes, s.kind, frames);
  const motion = checkMotion(luma);
  const detail = checkDetail(luma);
  return { motion: motion.verdict === 'skip' ? null : (motion.measured as { meanChange: number }).meanChange, detailPct: (detail.measured as { maxDetailPct: number }).maxDetailPct };
}

export const pixelCalibrationBench: Benchmark = {
  name: 'pixel-calibration',
  title: 'motion and detail measured on healthy and degenerate outputs, against their floors',
  async run(ctx): Promise<BenchResult> {
    const mirrorPath = process.env.GENPROBE_FLEET_MIRROR ?? '/work/.mirror/jatidevelopments+ryla/repo';
    const mirror = existsSync(mirrorPath) ? mirrorPath : null;
    if (!mirror) ctx.log(`pixel-calibration: no fleet mirror at ${mirrorPath}; fixtures and emulator only`);
    const rows: Array<{ name: string; group: Group; source: string; motion: number | null; detailPct: number }> = [];
    for (const s of await samples(mirror)) {
      const m = await measure(s);
      rows.push({ name: s.name, group: s.group, source: s.source, motion: m.motion, detailPct: m.detailPct });
      ctx.log(`pixel-calibration: ${s.name}: motion ${m.motion ?? '–'}, detail ${m.detailPct} %`);
    }
    const healthy = rows.filter((r) => r.group === 'healthy');
    const healthyMotion = healthy.flatMap((r) => (r.motion === null ? [] : [r.motion]));
    const minHealthyDetail = Math.min(...healthy.map((r) => r.detailPct));
    const minHealthyMotion = Math.min(...healthyMotion);
    const detailFloorPct = MIN_DETAIL_SHARE * 100;
    return {
      measures: 'mean frame-to-frame luma change (motion) and % of pixels with a neighbour step above 4 levels (detail) on the ≤512-px analysis copies the checks use',
      unit: 'luma levels, % of pixels',
      values: {
        motionFloor: MIN_MEAN_FRAME_CHANGE,
        detailFloorPct,
        minHealthyMotion,
        minHealthyDetailPct: minHealthyDetail,
        healthyMarginMotion: round(minHealthyMotion / MIN_MEAN_FRAME_CHANGE, 1),
        healthyMarginDetail: round(minHealthyDetail / detailFloorPct, 1),
        fleetMirror: mirror ? `${mirror} @ ${COMMIT}` : 'not found',
        rows,
      },
      comparedTo: 'the floors in src/checks/motion.ts and src/checks/detail.ts',
      goal: 'every healthy output at least 3× above each floor',
      met: minHealthyMotion >= 3 * MIN_MEAN_FRAME_CHANGE && minHealthyDetail >= 3 * detailFloorPct,
      setup: { framesSampled: 8, analysisSide: 512, detailStepLevels: 4 },
      notes: ['Degenerate rows show what each floor catches and what it does not (a grainy blob has real steps; a nearest-neighbour block upscale has block edges).'],
    };
  },
};

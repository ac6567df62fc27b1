/**
 * The detail check on real bytes made here: tiny pictures scaled up with every kernel a user might
 * try (sharp's nearest, linear, cubic, lanczos3; ffmpeg's neighbor and lanczos), as PNG, JPEG,
 * animated WebP and MP4 frame sets, fail; photos and grainy synthetic scenes pass well above the floor.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { blockResidualShare, curvatureShare, lumaOfImage, upscaleGrid, type LumaFrame } from '../media/luma.ts';
import { probeMp4 } from '../media/mp4.ts';
import { sampleLumaFrames } from '../media/sample.ts';
import { animatedWebpFromFrames, makeMp4, scratchDir, texturedFrame } from '../media/testing.ts';
import { probeAnimatedWebp } from '../media/webp.ts';
import { checkDetail, frameDetail, MIN_DETAIL_SHARE } from './detail.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const fixture = (p: string) => readFileSync(path.join(FIXTURES, p));
const FLOOR_PCT = MIN_DETAIL_SHARE * 100;
const scratch = scratchDir('genprobe-detail-');
afterAll(() => scratch.cleanup());

type Kernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';
interface DetailMeasured {
  maxDetailPct: number;
  blockResidualPct: number;
  curvaturePct: number;
  upscaleGridCells?: string;
}
const measuredOf = (frames: LumaFrame[]) => checkDetail(frames).measured as DetailMeasured;

/** `src` reduced to side² (or sideX × sideY) and scaled back up to width × height with `kernel`, as PNG. */
async function upscaled(src: Buffer, side: number, kernel: Kernel, width = 1024, height = 1024, sideY = side): Promise<Buffer> {
  const tiny = await sharp(src).resize(side, sideY, { fit: 'fill' }).png().toBuffer();
  return sharp(tiny).resize(width, height, { fit: 'fill', kernel }).png().toBuffer();
}

describe('detail: tiny pictures scaled up fail whatever the kernel', () => {
  const cases = [8, 16, 32].flatMap((side) => (['nearest', 'linear', 'cubic', 'lanczos3'] as const).map((kernel) => ({ side, kernel })));
  it.each(cases)('$side² astronaut → 1024² PNG ($kernel)', async ({ side, kernel }) => {
    const luma = await lumaOfImage(await upscaled(fixture('faces/astronaut.png'), side, kernel));
    const result = checkDetail([luma]);
    expect(result.verdict).toBe('fail');
    const m = result.measured as DetailMeasured;
    expect(m.maxDetailPct).toBeLessThan(FLOOR_PCT / 3);
    // The explanation that matches the kernel leaves (almost) nothing: blocks for nearest, a smooth wave otherwise.
    expect(kernel === 'nearest' ? m.blockResidualPct : m.curvaturePct).toBeLessThan(0.2);
    expect(result.message).toMatch(/^detail-less output \(an upscaled tiny image\?\): \d+(\.\d+)? % of pixels are detail a tiny picture scaled up does not explain \(.* off (32² blocks|the \d+×\d+ blocks its steps sit on), .* off a smooth upscale\), floor 1 %$/);
    expect(result.expected).toEqual({ minDetailPct: FLOOR_PCT, gridCells: 32, blockLevels: 6, curvatureLevels: 8 });
  });

  it('a nearest-neighbour upscale has real steps at its block edges: the smooth test alone would pass it, the block test does not', async () => {
    const m = measuredOf([await lumaOfImage(await upscaled(fixture('scenes/coffee.png'), 16, 'nearest'))]);
    expect(m.curvaturePct).toBeGreaterThan(3 * FLOOR_PCT);
    expect(m.blockResidualPct).toBeLessThan(0.1);
    expect(m.maxDetailPct).toBe(m.blockResidualPct);
  });

  // Sources whose side does not divide the fixed 32-cell grid: their block edges fall inside its cells.
  it.each([
    { what: '16×9 → 1024×576', side: 16, sideY: 9, width: 1024, height: 576, grid: '16×9' },
    { what: '24² → 1024²', side: 24, sideY: 24, width: 1024, height: 1024, grid: '24×24' },
    { what: '40×30 → 832×480', side: 40, sideY: 30, width: 832, height: 480, grid: '40×30' },
  ])('a nearest upscale off the 32-cell grid ($what) fails on the grid its steps sit on', async ({ side, sideY, width, height, grid }) => {
    const luma = await lumaOfImage(await upscaled(fixture('faces/astronaut.png'), side, 'nearest', width, height, sideY));
    expect(blockResidualShare(luma, 32, 6, 1.5)).toBeGreaterThan(3 * MIN_DETAIL_SHARE); // what the fixed grid alone saw
    const result = checkDetail([luma]);
    expect(result.verdict).toBe('fail');
    expect((result.measured as DetailMeasured).upscaleGridCells).toBe(grid);
    expect((result.measured as DetailMeasured).blockResidualPct).toBeLessThan(FLOOR_PCT / 3);
    expect(result.message).toContain(`off the ${grid} blocks its steps sit on`);
  });

  it.each([
    { what: '16² cover-fit to 832×480 (scaled 52×, cropped top and bottom)', side: 16, width: 832, height: 480, crop: 0 },
    { what: '24² → 1024² cropped by 37 px on every side', side: 24, width: 1024, height: 1024, crop: 37 },
  ])('a nearest upscale cropped afterwards fails: $what', async ({ side, width, height, crop }) => {
    const tiny = await sharp(fixture('faces/astronaut.png')).resize(side, side, { fit: 'fill' }).toBuffer();
    let big = await sharp(tiny).resize(width, height, { fit: 'cover', kernel: 'nearest' }).png().toBuffer();
    if (crop) big = await sharp(big).extract({ left: crop, top: crop, width: width - 2 * crop, height: height - 2 * crop }).png().toBuffer();
    const luma = await lumaOfImage(big);
    expect(blockResidualShare(luma, 32, 6, 1.5)).toBeGreaterThan(3 * MIN_DETAIL_SHARE);
    const result = checkDetail([luma]);
    expect(result.verdict).toBe('fail');
    expect((result.measured as DetailMeasured).upscaleGridCells).toMatch(/^\d+×\d+$/);
  });

  it('a lossy JPEG of a 24² nearest upscale fails too', async () => {
    const jpeg = await sharp(await upscaled(fixture('scenes/chelsea.png'), 24, 'nearest')).jpeg({ quality: 75 }).toBuffer();
    expect(checkDetail([await lumaOfImage(jpeg)]).verdict).toBe('fail');
  });

  it('real pictures have no upscale grid: every fixture photo passes on the fixed grid', async () => {
    for (const f of ['faces/astronaut.png', 'faces/grace_hopper.jpg', 'faces/camera.png', 'scenes/coffee.png', 'scenes/chelsea.png']) {
      const result = checkDetail([await lumaOfImage(fixture(f))]);
      expect(result.verdict, f).toBe('pass');
      expect((result.measured as DetailMeasured).upscaleGridCells, f).toBeUndefined();
    }
  });

  it('a lossy JPEG of a 32² nearest upscale still fails (codec ringing sits at the block edges the block test leaves out)', async () => {
    const jpeg = await sharp(await upscaled(fixture('scenes/chelsea.png'), 32, 'nearest')).jpeg({ quality: 75 }).toBuffer();
    expect(checkDetail([await lumaOfImage(jpeg)]).verdict).toBe('fail');
  });

  it('an animated WebP whose frames are 16² pictures scaled to 832×480 (nearest) fails on every sampled frame', async () => {
    const [w, h] = [832, 480];
    const frames = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const tiny = await sharp(texturedFrame(16, 16, i + 1), { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer();
        return sharp(tiny).resize(w, h, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer();
      }),
    );
    const webp = await animatedWebpFromFrames(frames, w, h);
    const luma = await sampleLumaFrames(webp, 'webp-animated', (await probeAnimatedWebp(webp)).frames);
    expect(luma.length).toBeGreaterThan(1);
    const result = checkDetail(luma);
    expect(result).toMatchObject({ verdict: 'fail', measured: { framesSampled: luma.length } });
    expect((result.measured as DetailMeasured).maxDetailPct).toBeLessThan(FLOOR_PCT / 2);
    expect(result.message).toContain(`most detailed of ${luma.length} sampled frames`);
  });

  it.each([
    ['neighbor', 16],
    ['neighbor', 32],
    ['lanczos', 8],
    ['bicubic', 32],
  ] as const)("an MP4 of a moving %s-scaled %d² test pattern (ffmpeg's own scaler, libx264) fails", async (flags, side) => {
    const mp4 = makeMp4(scratch.dir, `up-${flags}-${side}`, { source: `testsrc2=size=${side}x${side}:rate=16,scale=832:480:flags=${flags}`, frames: 17 });
    const luma = await sampleLumaFrames(mp4, 'mp4', (await probeMp4(mp4)).frames);
    const result = checkDetail(luma);
    expect(result.verdict).toBe('fail');
    // Not a flat picture: the explanation that does not match the kernel still sees plenty.
    const m = result.measured as DetailMeasured;
    expect(Math.max(m.blockResidualPct, m.curvaturePct)).toBeGreaterThan(5 * FLOOR_PCT);
  });
});

describe('detail: healthy pictures pass far above the floor', () => {
  it.each(['faces/astronaut.png', 'faces/grace_hopper.jpg', 'scenes/coffee.png', 'scenes/chelsea.png'])('fixture %s', async (p) => {
    const result = checkDetail([await lumaOfImage(fixture(p))]);
    expect(result.verdict).toBe('pass');
    expect((result.measured as DetailMeasured).maxDetailPct).toBeGreaterThan(10 * FLOOR_PCT);
  });

  it('a grainy gradient (the texture of a real picture, no edges) passes both explanations', async () => {
    const png = await sharp(texturedFrame(1024, 1024), { raw: { width: 1024, height: 1024, channels: 3 } }).png().toBuffer();
    const m = measuredOf([await lumaOfImage(png)]);
    expect(m.blockResidualPct).toBeGreaterThan(3 * FLOOR_PCT);
    expect(m.curvaturePct).toBeGreaterThan(3 * FLOOR_PCT);
  });

  it('a real picture at 4× its size (256² → 1024², lanczos3) is soft, not detail-less: it passes', async () => {
    const luma = await lumaOfImage(await upscaled(fixture('scenes/coffee.png'), 256, 'lanczos3'));
    expect(measuredOf([luma]).maxDetailPct).toBeGreaterThan(3 * FLOOR_PCT);
  });

  it("ffmpeg's moving test pattern at 832×480 (H.264) passes", async () => {
    const mp4 = makeMp4(scratch.dir, 'healthy', { frames: 17 });
    const luma = await sampleLumaFrames(mp4, 'mp4', (await probeMp4(mp4)).frames);
    expect(checkDetail(luma).verdict).toBe('pass');
  });

  it('the verdict follows the most detailed sampled frame', async () => {
    const flat = await lumaOfImage(await upscaled(fixture('scenes/coffee.png'), 8, 'cubic'));
    const real = await lumaOfImage(fixture('scenes/coffee.png'));
    const result = checkDetail([flat, { ...real, index: 1 }]);
    expect(result.verdict).toBe('pass');
    expect((result.measured as { minDetailPct: number }).minDetailPct).toBeLessThan(FLOOR_PCT);
  });
});

describe('detail measures', () => {
  const frame = (width: number, height: number, at: (x: number, y: number) => number): LumaFrame => {
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = at(x, y);
    return { index: 0, width, height, data };
  };

  it('blockResidualShare: 0 for blocks on the grid, high for blocks off it, 1 when a cell has no interior', () => {
    const onGrid = frame(256, 256, (x, y) => (((x >> 5) + (y >> 5)) % 2 ? 200 : 40)); // 8×8 blocks of 32 px
    expect(blockResidualShare(onGrid, 32, 6, 1.5)).toBe(0);
    const offGrid = frame(256, 256, (x, y) => ((((x + 5) / 24) | 0) + (((y + 5) / 24) | 0)) % 2 ? 200 : 40);
    expect(blockResidualShare(offGrid, 32, 6, 1.5)).toBeGreaterThan(0.05);
    expect(blockResidualShare(frame(100, 100, () => 9), 32, 6, 1.5)).toBe(1);
  });

  it('upscaleGrid: the n-cell grid of blocks that do not divide 32, none on grain or a flat frame', () => {
    const cells = (n: number) => frame(256, 256, (x, y) => (((x * n / 256) | 0) * 37 + ((y * n / 256) | 0) * 91) % 200 + 20);
    expect(upscaleGrid(cells(24), 'x', 8, 0.8)).toMatchObject({ cellPx: 256 / 24 });
    expect(upscaleGrid(cells(24), 'y', 8, 0.8)).toMatchObject({ cellPx: 256 / 24 });
    const grain = frame(256, 256, (x, y) => (x * 7919 + y * 104729) % 23 + 100);
    expect(upscaleGrid(grain, 'x', 8, 0.8)).toBeUndefined();
    expect(upscaleGrid(frame(256, 256, () => 50), 'x', 8, 0.8)).toBeUndefined();
  });

  it('curvatureShare: 0 on a steep linear ramp, every inner pixel on a checkerboard, 0 for frames under 3 px', () => {
    expect(curvatureShare(frame(64, 64, (x) => x * 4), 8)).toBe(0);
    expect(curvatureShare(frame(64, 64, (x, y) => ((x + y) % 2 ? 200 : 40)), 8)).toBe(1);
    expect(curvatureShare(frame(2, 2, () => 0), 8)).toBe(0);
  });

  it('frameDetail is the smaller residual (blocks on the grid: 0, though their edges curve); an empty frame list is skipped', () => {
    const blocks = frame(256, 256, (x, y) => (((x >> 5) + (y >> 5)) % 2 ? 200 : 40));
    const d = frameDetail(blocks);
    expect(d.curvature).toBeGreaterThan(0.02);
    expect(d).toEqual({ share: 0, block: 0, curvature: d.curvature });
    expect(checkDetail([]).verdict).toBe('skip');
  });
});

import { blockResidualShare, curvatureShare, gridResidualShare, upscaleGrid, type LumaFrame } from '../media/luma.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, provided, type CheckDefinition } from './definition.ts';

/**
 * How the detail check tells a real picture from a tiny one scaled up. A tiny picture carries no
 * more information than its few pixels whatever kernel enlarged it, so a frame's detail is what
 * neither way of enlarging a tiny picture explains:
 * - hard-edged (nearest-neighbour): the frame as `gridCells`² blocks, each its own mean — pixels
 *   further than `blockLevels` from their block's mean (luma.ts blockResidualShare); and, where the
 *   frame's steps sit on another grid of ≥ 8 px cells (a source side that does not divide 32, 16×9 or
 *   24², or an upscale cropped afterwards: luma.ts upscaleGrid), the same residual over that grid's blocks;
 * - smooth (bilinear, cubic, lanczos): pixels whose second difference along a row or column
 *   exceeds `curvatureLevels` (luma.ts curvatureShare).
 * The frame's detail share is the smaller of the two: an upscale scores ≈ 0 on the one that matches
 * its kernel; a real picture scores high on both.
 */
export const DETAIL_MEASURE = {
  /** 32 cells: a nearest upscale of 8², 16² or 32² lands on the grid exactly. */
  gridCells: 32,
  blockLevels: 6,
  /** The analysis resize and lossy codecs smear a block edge over about a pixel either side. */
  blockEdgePx: 1.5,
  curvatureLevels: 8,
  /** Smallest cell of a detected grid: a source of up to 64 px across a 512 px analysis copy. */
  minGridCellPx: 8,
  /** Share of an axis's step energy a detected grid's boundaries must carry (a real picture: about 3 / cell px). */
  minGridEnergyShare: 0.8,
} as const;

/**
 * Floor for a frame's detail share (DETAIL_MEASURE) on the ≤512-px analysis copy; the most detailed
 * sampled frame must reach it (`npm run bench -- --only pixel-calibration`, figures in
 * bench/README.md). Healthy: the fixtures 27–44 %, the fleet's recorded generations 3.4–26 % (the
 * lowest a dim portrait video on a flat backdrop), the emulator's synthetic scenes 3.3–6.0 % (flat
 * shapes on a grainy gradient, the least detailed healthy pictures genprobe sees). Degenerate: 49
 * tiny pictures scaled up — 8², 16² and 32² to 1024² PNG and JPEG and to 832×480 WebP stills with
 * nearest, linear, cubic and lanczos3 kernels, the emulator's no-detail fault at those sides as
 * animated WebP and MP4 (nearest, lanczos3), nearest upscales off the 32-cell grid (16×9 → 1024×576,
 * 24² → 1024² PNG and JPEG, 40×30 → 832×480 WebP) and upscales cropped afterwards (16² cover-fit to
 * 832×480, 24² → 1024² cropped by 37 px) — at most 0.24 %; the fleet's recorded near-white clips
 * 0.21–0.24 % and its grainy-blob clip 0.39 %. 1 % is 3.3× below the least detailed healthy output
 * and 4× above the most detailed upscale. Not caught: a nearest upscale of a source more than 64 px
 * across the analysis copy (100×56 → 1024×576: 29 %; its cells are under `minGridCellPx`).
 */
export const MIN_DETAIL_SHARE = 0.01;

/** One frame's detail: the share neither kind of upscale explains, and each kind's residual. */
export interface FrameDetail {
  share: number;
  /** The smaller block residual: off the fixed grid's blocks, or off a detected upscale grid's. */
  block: number;
  curvature: number;
  /** Cells across × down of the upscale grid found in the frame's steps, when one was. */
  grid?: { x: number; y: number };
}

export function frameDetail(f: LumaFrame, m: typeof DETAIL_MEASURE = DETAIL_MEASURE): FrameDetail {
  const fixed = blockResidualShare(f, m.gridCells, m.blockLevels, m.blockEdgePx);
  const curvature = curvatureShare(f, m.curvatureLevels);
  const x = upscaleGrid(f, 'x', m.minGridCellPx, m.minGridEnergyShare);
  const y = x && upscaleGrid(f, 'y', m.minGridCellPx, m.minGridEnergyShare);
  const detected = x && y ? gridResidualShare(f, { x, y }, m.blockLevels, m.blockEdgePx) : 1;
  const block = Math.min(fixed, detected);
  const grid = x && y && detected < fixed ? { x: Math.round(f.width / x.cellPx), y: Math.round(f.height / y.cellPx) } : undefined;
  return { share: Math.min(block, curvature), block, curvature, ...(grid ? { grid } : {}) };
}

/** Fails an output whose most detailed sampled frame is explained by a tiny picture scaled up. */
export function checkDetail(frames: readonly LumaFrame[], floor = MIN_DETAIL_SHARE): CheckResult {
  if (frames.length === 0) return skip('detail', 'no frames to inspect');
  const details = frames.map((f) => frameDetail(f));
  const best = details.reduce((a, b) => (b.share > a.share ? b : a));
  const pct = (x: number) => Math.round(x * 10000) / 100;
  const measured = {
    framesSampled: frames.length,
    maxDetailPct: pct(best.share),
    minDetailPct: pct(Math.min(...details.map((d) => d.share))),
    blockResidualPct: pct(best.block),
    curvaturePct: pct(best.curvature),
    ...(best.grid ? { upscaleGridCells: `${best.grid.x}×${best.grid.y}` } : {}),
  };
  const { gridCells, blockLevels, curvatureLevels } = DETAIL_MEASURE;
  const expected = { minDetailPct: pct(floor), gridCells, blockLevels, curvatureLevels };
  const where = frames.length > 1 ? ` (most detailed of ${frames.length} sampled frames)` : '';
  const text =
    `${pct(best.share)} % of pixels are detail a tiny picture scaled up does not explain${where} ` +
    `(${pct(best.block)} % off ${best.grid ? `the ${best.grid.x}×${best.grid.y} blocks its steps sit on` : `${gridCells}² blocks`}, ` +
    `${pct(best.curvature)} % off a smooth upscale), floor ${pct(floor)} %`;
  return best.share >= floor ? pass('detail', text, measured, expected) : fail('detail', `detail-less output (an upscaled tiny image?): ${text}`, measured, expected);
}

export const detailCheck: CheckDefinition = {
  name: 'detail',
  needs: 'frames',
  appliesTo: forKinds('png', 'jpeg', 'webp-animated', 'mp4'),
  run: ({ frames }) => checkDetail(provided(frames, 'sampled frames', 'detail')),
};

/**
 * Greyscale analysis frames: every sampled frame of an output is reduced once to luma at most
 * ANALYSIS_SIDE px on its long side, and the blank, motion and detail measures all read that copy.
 */
import sharp, { type Sharp } from 'sharp';
import { describeError } from '../errors/index.ts';
import { MediaDecodeError } from './errors.ts';
import { MAX_INPUT_PIXELS } from './image.ts';
import { withoutPngText } from './png.ts';
import type { RgbaFrame } from './webp.ts';

/** Long side of the analysis copy: fine enough to see texture, small enough to be cheap (≤ 256 KB). */
export const ANALYSIS_SIDE = 512;

export interface LumaFrame {
  /** 0-based frame index in the source (0 for stills). */
  index: number;
  width: number;
  height: number;
  /** width × height 8-bit luma; transparent pixels count as black. */
  data: Uint8Array;
}

/** Luma of encoded image bytes (PNG, JPEG, WebP still). */
export async function lumaOfImage(buf: Uint8Array, index = 0, maxPixels = MAX_INPUT_PIXELS): Promise<LumaFrame> {
  return toLuma(sharp(withoutPngText(buf).bytes, { limitInputPixels: maxPixels, failOn: 'truncated' }), index);
}

/** Luma of a composited RGBA canvas (animated WebP frames). */
export function lumaOfRgba(frame: RgbaFrame): Promise<LumaFrame> {
  return toLuma(sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } }), frame.index);
}

async function toLuma(img: Sharp, index: number): Promise<LumaFrame> {
  try {
    const { data, info } = await img
      .flatten({ background: '#000000' })
      .resize(ANALYSIS_SIDE, ANALYSIS_SIDE, { fit: 'inside', withoutEnlargement: true })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // greyscale() on a 3-band image still yields one band; guard anyway against surprises.
    if (info.channels !== 1) throw new Error(`expected 1 band, got ${info.channels}`);
    return { index, width: info.width, height: info.height, data };
  } catch (err) {
    throw new MediaDecodeError('undecodable', `frame ${index} does not decode: ${describeError(err)}`);
  }
}

/**
 * Share (0–1) of a frame's pixels that a picture of `cells` × `cells` blocks does not explain: laid
 * over the frame as a grid of `cells` × `cells` cells (stretched to the frame's aspect), each cell
 * reduced to its mean, the share of pixels further than `levels` from their cell's mean. A tiny
 * picture scaled up with hard edges (nearest-neighbour) is such a grid when its side divides `cells`
 * (8, 16, 32 into 32), so it measures ≈ 0 while its block edges still look like detail to a
 * neighbour-step count. Pixels within `edgePx` of a cell boundary are left out: the analysis resize
 * and lossy codecs smear each block edge over a pixel or so. Returns 1 (nothing explained) when a
 * cell is too small to have an interior (frames under 4 px per cell).
 */
export function blockResidualShare(f: LumaFrame, cells: number, levels: number, edgePx: number): number {
  if (f.width < 4 * cells || f.height < 4 * cells) return 1;
  return cellResidualShare(f, cellInteriors(f.width, cells, edgePx), cellInteriors(f.height, cells, edgePx), levels);
}

/** blockResidualShare over the cells whose interiors along x and y are given: each cell reduced to its mean. */
function cellResidualShare(f: LumaFrame, cols: Array<[number, number]>, rows: Array<[number, number]>, levels: number): number {
  const { width: w, data } = f;
  let hits = 0;
  let n = 0;
  for (const [y0, y1] of rows) {
    for (const [x0, x1] of cols) {
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let i = y * w + x0, end = y * w + x1; i < end; i++) sum += data[i];
      const count = (y1 - y0) * (x1 - x0);
      if (count === 0) continue;
      const mean = sum / count;
      const lo = mean - levels;
      const hi = mean + levels;
      for (let y = y0; y < y1; y++) {
        for (let i = y * w + x0, end = y * w + x1; i < end; i++) {
          const v = data[i];
          if (v > hi || v < lo) hits++;
        }
      }
      n += count;
    }
  }
  return n ? hits / n : 1;
}

/** Interior [start, end) of each of `cells` cells along an axis of `size` px: pixel centres at least `edgePx` from the cell's boundaries. */
function cellInteriors(size: number, cells: number, edgePx: number): Array<[number, number]> {
  return gridInteriors(size, { cellPx: size / cells, offset: 0 }, edgePx);
}

/** A regular grid along one axis: boundaries at offset + k·cellPx (continuous coordinates, pixel c spans [c, c + 1)). */
export interface AxisGrid {
  cellPx: number;
  offset: number;
}

/** Interior [start, end) of every cell of `grid` that overlaps [0, size), partial cells at the ends included. */
function gridInteriors(size: number, grid: AxisGrid, edgePx: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  // The first k puts the cell's start at or before 0, so every cell listed overlaps the axis.
  for (let k = Math.floor(-grid.offset / grid.cellPx); grid.offset + k * grid.cellPx < size; k++) {
    const from = grid.offset + k * grid.cellPx;
    const to = grid.offset + (k + 1) * grid.cellPx;
    const start = Math.max(0, Math.ceil(from + edgePx - 0.5));
    const end = Math.min(size, Math.floor(to - edgePx - 0.5) + 1);
    out.push([start, Math.max(start, end)]);
  }
  return out;
}

/**
 * Step energy along one axis: `energy[c]` is the summed |luma step| between pixel c and c + 1 (columns for
 * 'x', rows for 'y'), over the whole other axis. A nearest-neighbour upscale puts all of it on its block
 * boundaries.
 */
function stepEnergy(f: LumaFrame, axis: 'x' | 'y'): Float64Array {
  const { width: w, height: h, data } = f;
  const energy = new Float64Array(Math.max(0, (axis === 'x' ? w : h) - 1));
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (axis === 'x') {
      for (let x = 0; x + 1 < w; x++) energy[x] += Math.abs(data[row + x + 1] - data[row + x]);
    } else if (y + 1 < h) {
      let sum = 0;
      for (let x = 0; x < w; x++) sum += Math.abs(data[row + w + x] - data[row + x]);
      energy[y] = sum;
    }
  }
  return energy;
}

/** Step energy within ±1 px of the boundaries of `grid` inside the axis (each step counted once). */
function energyOnGrid(energy: Float64Array, grid: AxisGrid): number {
  let on = 0;
  let last = -1;
  for (let k = 0; grid.offset + k * grid.cellPx < energy.length; k++) {
    // The boundary at continuous x = b is the step between pixels round(b) − 1 and round(b).
    const c = Math.round(grid.offset + k * grid.cellPx) - 1;
    if (c < 0) continue;
    for (let j = Math.max(c - 1, last + 1); j <= Math.min(c + 1, energy.length - 1); j++) on += energy[j];
    last = Math.max(last, c + 1);
  }
  return on;
}

/**
 * The grid a nearest-neighbour upscale left along one axis of the frame, if one carries at least `minShare`
 * of the axis's step energy, with cells of at least `minCellPx` (a source of up to size / minCellPx pixels
 * across). Two families are tried:
 * - the source scaled to the whole frame: n cells of size / n px, boundaries up to a pixel off (the analysis
 *   resize rounds them), so a source whose side does not divide the fixed 32-cell grid (16×9, 24², 40×30)
 *   is found;
 * - any cell size and phase (an upscale cropped afterwards, as a cover-fit resize does): whole cell sizes
 *   first, then the best one refined to 1/32 px, at every half-pixel phase.
 * Among the grids that qualify, the one whose share rises most above chance (3 / cellPx: the share of steps
 * within ±1 px of its boundaries) is returned. A real picture spreads its steps, so the search is skipped when
 * even the 3 · size / minCellPx strongest steps hold less than `minShare` of the energy (no grid could).
 */
export function upscaleGrid(f: LumaFrame, axis: 'x' | 'y', minCellPx: number, minShare: number): AxisGrid | undefined {
  const energy = stepEnergy(f, axis);
  let total = 0;
  for (const e of energy) total += e;
  const size = energy.length + 1;
  if (total === 0 || size < 2 * minCellPx) return undefined;
  const strongest = Float64Array.from(energy).sort().reverse().subarray(0, Math.ceil((3 * size) / minCellPx));
  if (strongest.reduce((a, b) => a + b, 0) < minShare * total) return undefined;
  let best: { grid: AxisGrid; lift: number } | undefined;
  const consider = (cellPx: number, offset: number): void => {
    const share = energyOnGrid(energy, { cellPx, offset }) / total;
    const lift = share - 3 / cellPx;
    if (share >= minShare && (!best || lift > best.lift)) best = { grid: { cellPx, offset }, lift };
  };
  for (let n = 2; size / n >= minCellPx; n++) for (const offset of [-1, -0.5, 0, 0.5, 1]) consider(size / n, offset);
  const phases = (cellPx: number, at: (offset: number) => void): void => {
    for (let offset = 0; offset < cellPx; offset += 0.5) at(offset);
  };
  let coarse: { cellPx: number; on: number } | undefined;
  for (let cellPx = minCellPx; cellPx <= size / 2; cellPx++) {
    phases(cellPx, (offset) => {
      const on = energyOnGrid(energy, { cellPx, offset }) - (3 / cellPx) * total;
      if (!coarse || on > coarse.on) coarse = { cellPx, on };
    });
  }
  if (coarse) {
    for (let cellPx = Math.max(minCellPx, coarse.cellPx - 1); cellPx <= coarse.cellPx + 1; cellPx += 1 / 32) phases(cellPx, (offset) => consider(cellPx, offset));
  }
  return best?.grid;
}

/** blockResidualShare over a detected grid (upscaleGrid) along each axis, edges `edgePx` wide left out. */
export function gridResidualShare(f: LumaFrame, grid: { x: AxisGrid; y: AxisGrid }, levels: number, edgePx: number): number {
  return cellResidualShare(f, gridInteriors(f.width, grid.x, edgePx), gridInteriors(f.height, grid.y, edgePx), levels);
}

/**
 * Share (0–1) of a frame's inner pixels whose second difference along a row or a column exceeds
 * `levels` (|2p − left − right| or |2p − up − down|, i.e. the pixel departs by more than levels/2
 * from the midpoint of its neighbours). A picture scaled up smoothly (bilinear, cubic, lanczos) is a
 * sum of slow waves whose second difference shrinks with the square of the scale factor, so it
 * measures ≈ 0 even where its ramps are steep enough to count as neighbour steps; texture, grain and
 * edges in a real picture keep several per cent above it (src/checks/detail.ts).
 */
export function curvatureShare(f: LumaFrame, levels: number): number {
  const { width: w, height: h, data } = f;
  if (w < 3 || h < 3) return 0;
  let hits = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1, i = y * w + 1; x < w - 1; x++, i++) {
      const p2 = 2 * data[i];
      const across = p2 - data[i - 1] - data[i + 1];
      const down = p2 - data[i - w] - data[i + w];
      if (across > levels || across < -levels || down > levels || down < -levels) hits++;
    }
  }
  return hits / ((w - 2) * (h - 2));
}

/** Mean absolute luma difference (levels, 0–255) between two frames of the same size. */
export function meanAbsDiff(a: LumaFrame, b: LumaFrame): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`frames differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let sum = 0;
  const n = a.data.length;
  for (let i = 0; i < n; i++) {
    const d = a.data[i] - b.data[i];
    sum += d < 0 ? -d : d;
  }
  return n ? sum / n : 0;
}

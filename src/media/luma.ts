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
  const { width: w, height: h, data } = f;
  if (w < 4 * cells || h < 4 * cells) return 1;
  const cols = cellInteriors(w, cells, edgePx);
  const rows = cellInteriors(h, cells, edgePx);
  let hits = 0;
  let n = 0;
  for (let cy = 0; cy < cells; cy++) {
    const [y0, y1] = rows[cy];
    for (let cx = 0; cx < cells; cx++) {
      const [x0, x1] = cols[cx];
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let i = y * w + x0, end = y * w + x1; i < end; i++) sum += data[i];
      const count = (y1 - y0) * (x1 - x0);
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
  const cellPx = size / cells;
  return Array.from({ length: cells }, (_, c) => {
    const start = Math.max(0, Math.ceil(c * cellPx + edgePx - 0.5));
    const end = Math.min(size, Math.floor((c + 1) * cellPx - edgePx - 0.5) + 1);
    return [start, Math.max(start, end)];
  });
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

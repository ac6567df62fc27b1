/**
 * ArcFace-style 5-point alignment for embedders that need a canonical 112×112 crop (MobileFaceNet).
 * Points come from Human's FaceMesh; the transform is a least-squares similarity (Umeyama) onto the
 * standard ArcFace template, and the crop is sampled with inverse bilinear warping.
 */
import type { RgbImage } from './detect.ts';

export type Point = [number, number];

/** The standard ArcFace 112×112 reference: left eye, right eye, nose tip, left mouth corner, right mouth corner. */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

const EYE_A = [33, 133, 159, 145, 160, 144, 158, 153];
const EYE_B = [263, 362, 386, 374, 387, 373, 385, 380];
const NOSE_TIP = 4;
const MOUTH_A = 61;
const MOUTH_B = 291;

function mean(mesh: Point[], idx: number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += mesh[i][0];
    y += mesh[i][1];
  }
  return [x / idx.length, y / idx.length];
}

/** Five landmarks in image order (the eye/mouth that is further left in the image comes first). */
export function fivePointsFromMesh(mesh: Point[]): Point[] {
  if (mesh.length < 468) throw new Error(`face mesh has ${mesh.length} points, expected 468`);
  const eyes = [mean(mesh, EYE_A), mean(mesh, EYE_B)].sort((p, q) => p[0] - q[0]);
  const mouth = [mesh[MOUTH_A], mesh[MOUTH_B]].sort((p, q) => p[0] - q[0]);
  return [eyes[0], eyes[1], mesh[NOSE_TIP], mouth[0], mouth[1]];
}

/** 2×3 similarity transform [a, -b, tx; b, a, ty] mapping src → dst in the least-squares sense (Umeyama, no reflection). */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): number[] {
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i][0]; sy += src[i][1]; dx += dst[i][0]; dy += dst[i][1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  // For 2-D similarity the optimum has closed form: a = Σ(s·d)/Σ|s|², b = Σ(s×d)/Σ|s|² on centred points.
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i][0] - sx, py = src[i][1] - sy;
    const qx = dst[i][0] - dx, qy = dst[i][1] - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('alignment points are degenerate (all equal)');
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

/** Sample a size×size RGB crop: each output pixel is mapped back through the inverse transform (bilinear). */
export function warpAffine(img: RgbImage, m: number[], size: number): Uint8Array {
  const [a, nb, tx, b, , ty] = m;
  const det = a * a + b * b; // the matrix is [a -b; b a]
  const out = new Uint8Array(size * size * 3);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const ux = u - tx, vy = v - ty;
      const x = (a * ux + b * vy) / det;
      const y = (nb * ux + a * vy) / det;
      const o = (v * size + u) * 3;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const fx = x - x0, fy = y - y0;
      for (let c = 0; c < 3; c++) {
        const p00 = px(img, x0, y0, c), p10 = px(img, x0 + 1, y0, c);
        const p01 = px(img, x0, y0 + 1, c), p11 = px(img, x0 + 1, y0 + 1, c);
        out[o + c] = Math.round(p00 * (1 - fx) * (1 - fy) + p10 * fx * (1 - fy) + p01 * (1 - fx) * fy + p11 * fx * fy);
      }
    }
  }
  return out;
}

function px(img: RgbImage, x: number, y: number, c: number): number {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return 0;
  return img.data[(y * img.width + x) * 3 + c];
}

/** The aligned 112×112 ArcFace crop of a face, as interleaved RGB. */
export function alignArcFace112(img: RgbImage, mesh: Point[]): Uint8Array {
  const m = similarityTransform(fivePointsFromMesh(mesh), ARCFACE_TEMPLATE_112);
  return warpAffine(img, m, 112);
}

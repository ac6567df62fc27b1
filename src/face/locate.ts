/**
 * Finding the face in frames the detector gets wrong on its own: a face cut by the frame edge, and a small
 * face in a wide frame (832×480 video of a portrait). One BlazeFace pass sees the whole frame squashed to
 * 256²; two extra passes run only when that pass needs them, so every face it already handled is judged
 * exactly as before (the calibration set, the tests):
 *
 *  - **no face found** → once more on the frame inside a black margin of a quarter of its short side.
 *    BlazeFace's anchors need the face's box inside the input; a head cut by the top or a side edge puts
 *    the box past it. Black is what the embedders sample outside the frame anyway (align.ts, Human's crop).
 *    Only a face whose box reaches the frame's edge counts: the pass is for cut faces, and a face well inside
 *    the frame that the first pass missed is the detector's own call (camera.png's strong profile comes
 *    back on the second pass under some augmentations; the calibration set keeps them out).
 *  - **the face is small** (its box under 1/8 of the frame's long side, i.e. under 32 px of BlazeFace's
 *    input) → once more on a square crop 6× the box around it. The first pass finds such faces with a poor
 *    box and rotation; on astronaut.png at 55 px in 832×480 the match went from cos 0.48 to 0.94
 *    (measured). If the crop finds nothing, the first pass's face stands.
 *
 * Boxes and mesh points come back in the frame's coordinates, with the frame as `image`. Only the two extra
 * passes read the frame's full-size pixels; the first sees the detector's copy alone.
 */
import { asFrame, detectFaces, type DetectedFace, type FaceFrame, type RgbImage } from './detect.ts';

/** Margin around a frame with no face found, as a share of its short side. */
export const EDGE_MARGIN_SHARE = 0.25;
/** How close to the frame's edge (share of its short side) a face found on the margin pass must reach. */
export const EDGE_TOUCH_SHARE = 0.05;
/** A face whose box side is under this share of the frame's long side is re-detected on a crop. */
export const SMALL_FACE_SHARE = 1 / 8;
/** Side of that crop, in box sides. */
export const SMALL_FACE_CROP_FACTOR = 6;

export type LocatedBy = 'frame' | 'edge-margin' | 'small-face-crop';

export interface LocatedFaces {
  faces: DetectedFace[];
  /** Which pass found the largest face (the one a check compares). */
  by: LocatedBy;
}

export async function locateFaces(source: RgbImage | FaceFrame, withDescription: boolean): Promise<LocatedFaces> {
  const image = asFrame(source);
  let faces = await detectFaces(image, withDescription);
  let by: LocatedBy = 'frame';
  if (faces.length === 0) {
    const m = Math.max(1, Math.round(EDGE_MARGIN_SHARE * Math.min(image.width, image.height)));
    const window = place(await image.pixels(), -m, -m, image.width + 2 * m, image.height + 2 * m);
    faces = (await detectFaces(window, withDescription)).map((f) => inFrame(f, -m, -m, image)).filter((f) => reachesEdge(f, image));
    if (faces.length === 0) return { faces, by };
    by = 'edge-margin';
  }
  const largest = faces[0];
  const side = Math.max(largest.box.width, largest.box.height);
  if (side >= SMALL_FACE_SHARE * Math.max(image.width, image.height)) return { faces, by };
  const refined = await refineSmallFace(image, largest, side, withDescription);
  return refined ? { faces: [refined, ...faces.slice(1)], by: 'small-face-crop' } : { faces, by };
}

async function refineSmallFace(image: FaceFrame, face: DetectedFace, side: number, withDescription: boolean): Promise<DetectedFace | undefined> {
  const s = Math.round(SMALL_FACE_CROP_FACTOR * side);
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2;
  const x0 = Math.round(cx - s / 2);
  const y0 = Math.round(cy - s / 2);
  const found = (await detectFaces(place(await image.pixels(), x0, y0, s, s), withDescription)).map((f) => inFrame(f, x0, y0, image));
  // The crop can hold a neighbour too: keep the face nearest the one being refined.
  const dist = (f: DetectedFace) => Math.hypot(f.box.x + f.box.width / 2 - cx, f.box.y + f.box.height / 2 - cy);
  const nearest = found.sort((a, b) => dist(a) - dist(b))[0];
  return nearest && dist(nearest) < side ? nearest : undefined;
}

/** The w×h window of `img` whose top-left is (x0, y0) (may reach outside: black there). */
export function place(img: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  const xa = Math.max(0, x0);
  const xb = Math.min(img.width, x0 + w);
  if (xb > xa) {
    for (let y = Math.max(0, y0); y < Math.min(img.height, y0 + h); y++) {
      data.set(img.data.subarray((y * img.width + xa) * 3, (y * img.width + xb) * 3), ((y - y0) * w + (xa - x0)) * 3);
    }
  }
  return { data, width: w, height: h };
}

/** The face's box comes within EDGE_TOUCH_SHARE of the short side to an edge of the frame, or past it. */
function reachesEdge(f: DetectedFace, frame: FaceFrame): boolean {
  const tol = EDGE_TOUCH_SHARE * Math.min(frame.width, frame.height);
  const b = f.box;
  return b.x < tol || b.y < tol || b.x + b.width > frame.width - tol || b.y + b.height > frame.height - tol;
}

/** A face found in a window at (x0, y0), moved into the frame's coordinates. */
function inFrame(f: DetectedFace, x0: number, y0: number, frame: FaceFrame): DetectedFace {
  return {
    ...f,
    box: { ...f.box, x: f.box.x + x0, y: f.box.y + y0 },
    mesh: f.mesh.map(([x, y]) => [x + x0, y + y0] as [number, number]),
    image: frame,
  };
}

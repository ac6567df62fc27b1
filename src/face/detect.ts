/**
 * Face detection with Human (BlazeFace + FaceMesh) on decoded RGB pixels, and the choice of the one face
 * a check compares. Errors name their cause with a stable code so reports can tell "no face" from
 * "undecodable" from "too small".
 */
import sharp, { type Metadata } from 'sharp';
import { GenprobeError } from '../errors/index.ts';
import { MAX_INPUT_PIXELS } from '../media/image.ts';
import { faceresDescriptor } from './faceres.ts';
import { getHuman } from './human-runtime.ts';

/** Smallest face (shorter side of the detector box, px) whose identity we are willing to judge. */
export const MIN_FACE_PX = 48;

export type FaceErrorCode = 'undecodable' | 'no-face' | 'face-too-small' | 'embedder-unavailable';

/** `code` is the reason (`no-face`, …), which face checks and calibration report verbatim. */
export class FaceError extends GenprobeError {
  declare readonly code: FaceErrorCode;
  constructor(code: FaceErrorCode, message: string) {
    super(message, code);
  }
}

/** Interleaved 8-bit RGB pixels. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** Set when the source was larger and was shrunk to fit DETECT_MAX_SIDE (coordinates are in the shrunk image). */
  shrunkFrom?: { width: number; height: number };
}

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  box: FaceBox;
  /** Human's combined detector + mesh confidence, 0..1. */
  score: number;
  /** 468 FaceMesh points in image pixels ([x, y]). */
  mesh: Array<[number, number]>;
  /** The image the face was found in (embedders that align their own crop read its pixels). */
  image: FaceFrame;
  /** Human FaceRes descriptor, present when detection ran with the description model. */
  faceresEmbedding?: number[];
}

/**
 * Longest side of the image the detector sees. BlazeFace squashes its input to 256² and FaceRes crops at
 * 192², so nothing a face check judges needs more; it also bounds memory: the padded square is ≤ 1024²
 * (3 MiB of RGB, 12 MiB as the detector's tensor) whatever size the endpoint sent.
 */
export const DETECT_MAX_SIDE = 1024;
/** Pixels a face input may declare at most (the `decodable` check's limit); above, it is not decoded at all. */
export const FACE_MAX_INPUT_PIXELS = MAX_INPUT_PIXELS;

/** What a face input's header declares (sharp's metadata, read without decoding pixels). */
type Header = Metadata;

/**
 * Decode any format sharp reads (first frame of animations, EXIF orientation applied) to RGB, shrunk on
 * the way to fit DETECT_MAX_SIDE: libvips streams the decode through the shrink, so a 25000×4000 PNG never
 * exists at full size in memory. Smaller images pass through untouched (no resampling).
 */
export async function decodeRgb(bytes: Buffer | Uint8Array, maxSide = DETECT_MAX_SIDE): Promise<RgbImage> {
  return decodePixels(bytes, await readHeader(bytes), maxSide);
}

/** The header, refused (FaceError 'undecodable') when it is unreadable or declares more than FACE_MAX_INPUT_PIXELS. */
async function readHeader(bytes: Buffer | Uint8Array): Promise<Header> {
  if (bytes.length === 0) throw new FaceError('undecodable', 'image is empty (0 bytes)');
  let declared: Header;
  try {
    // Header only (no pixels): the limit is ours, below, with a message that says what was refused.
    declared = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new FaceError('undecodable', `image could not be decoded: ${(err as Error).message}`);
  }
  const pixels = (declared.width ?? 0) * (declared.height ?? 0);
  if (pixels > FACE_MAX_INPUT_PIXELS) {
    throw new FaceError('undecodable', `image is ${declared.width}×${declared.height}, above the face check's ${FACE_MAX_INPUT_PIXELS / 1e6} MP limit; not decoded`);
  }
  return declared;
}

/** `exactShrink`: no JPEG/WebP shrink-on-load, which gives other pixels than decoding and then resizing. */
async function decodePixels(bytes: Buffer | Uint8Array, declared: Header, maxSide: number, exactShrink = false): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: FACE_MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: !exactShrink })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const img: RgbImage = { data: toRgb(new Uint8Array(data.buffer, data.byteOffset, data.length), info.channels), width: info.width, height: info.height };
    return shrunk(img, declared);
  } catch (err) {
    if (err instanceof FaceError) throw err;
    throw new FaceError('undecodable', `image could not be decoded: ${(err as Error).message}`);
  }
}

/**
 * An image a face check analyses: its size, the copy the detector sees, and its full-size pixels (≤
 * DETECT_MAX_SIDE), which only locate.ts's fallback passes and the ONNX embedder's alignment read. Both
 * are made on first use and kept.
 */
export interface FaceFrame {
  width: number;
  height: number;
  shrunkFrom?: { width: number; height: number };
  detectorInput(): Promise<RgbImage>;
  pixels(): Promise<RgbImage>;
}

/** A frame over pixels already decoded. */
export function frameOf(image: RgbImage): FaceFrame {
  return { width: image.width, height: image.height, shrunkFrom: image.shrunkFrom, detectorInput: once(() => detectorCopy(image)), pixels: async () => image };
}

export function asFrame(image: RgbImage | FaceFrame): FaceFrame {
  return 'data' in image ? frameOf(image) : image;
}

/**
 * Decode for a face check. When the image fits DETECT_MAX_SIDE (decoded at full size, no resampling) and is
 * 8-bit sRGB RGB without a profile, libvips decodes it straight to the detector's copy: the same pixels as
 * decoding and then shrinking (measured byte-identical), without the full-size RGB buffer (3 MB for 1024²)
 * whose external memory drove V8's full GCs (9–10 mark-compacts per 20 images, 0–3 without). The full-size
 * pixels are decoded again only if asked for. Other images are decoded as decodeRgb does.
 */
export async function decodeFrame(bytes: Buffer | Uint8Array): Promise<FaceFrame> {
  const declared = await readHeader(bytes);
  const { width = 0, height = 0 } = orientedSize(declared);
  const fits = width > 0 && height > 0 && width <= DETECT_MAX_SIDE && height <= DETECT_MAX_SIDE;
  const plain = declared.channels === 3 && !declared.hasAlpha && declared.depth === 'uchar' && declared.space === 'srgb' && !declared.hasProfile;
  if (!fits || !plain || (width <= DETECTOR_INPUT_SIDE && height <= DETECTOR_INPUT_SIDE)) return frameOf(await decodePixels(bytes, declared, DETECT_MAX_SIDE));
  const input = await decodePixels(bytes, declared, DETECTOR_INPUT_SIDE, true);
  return { width, height, detectorInput: async () => input, pixels: once(() => decodePixels(bytes, declared, DETECT_MAX_SIDE)) };
}

/** `make` run on the first call only; later calls get the same promise. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

/** Record the size before shrinking (orientation 5–8 swaps the sides) so reports can say what was analysed. */
function shrunk(img: RgbImage, declared: { width?: number; height?: number; orientation?: number }): RgbImage {
  const { width = img.width, height = img.height } = orientedSize(declared);
  return width > img.width || height > img.height ? { ...img, shrunkFrom: { width, height } } : img;
}

/** The declared size as displayed: EXIF orientations 5–8 swap the sides. */
function orientedSize(declared: { width?: number; height?: number; orientation?: number }): { width?: number; height?: number } {
  const swap = (declared.orientation ?? 1) >= 5;
  return swap ? { width: declared.height, height: declared.width } : { width: declared.width, height: declared.height };
}

/** RGB (or RGBA) pixels in memory → RgbImage fitting DETECT_MAX_SIDE (video frames decoded elsewhere). */
export async function rgbFromRaw(data: Uint8Array, width: number, height: number, channels: 3 | 4, maxSide = DETECT_MAX_SIDE): Promise<RgbImage> {
  if (channels === 3 && width <= maxSide && height <= maxSide) return { data, width, height };
  const out = await sharp(data, { raw: { width, height, channels }, limitInputPixels: FACE_MAX_INPUT_PIXELS })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const img: RgbImage = { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width: out.info.width, height: out.info.height };
  return out.info.width < width ? { ...img, shrunkFrom: { width, height } } : img;
}

/** Grey (1 channel) → RGB by replication; 3 channels pass through. */
function toRgb(data: Uint8Array, channels: number): Uint8Array {
  if (channels === 3) return data;
  if (channels !== 1) throw new FaceError('undecodable', `unexpected channel count ${channels} after decoding`);
  const out = new Uint8Array(data.length * 3);
  for (let i = 0; i < data.length; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[i];
  return out;
}

/**
 * Longest side of the copy Human detects on (decoded straight to this size by decodeFrame, or shrunk by sharp
 * from pixels already decoded).
 * BlazeFace squashes its input to 256² and Human cuts the 192² crop FaceMesh and FaceRes see from that same
 * tensor, so a 1024² tensor mostly bought copies of itself (Float32Array, upload, Human's clone). 640 and not
 * 512: every image of the calibration set is ≤ 640 px, so it is judged exactly as before (calibration.json
 * comes out identical); at 512 the set's separation shrank by 0.002. A face is cut from the copy at a lower
 * resolution than before only when its 1.4× box is under 192 px in the copy (in a 1024 px image: a face
 * box of 128–220 px; smaller ones get locate.ts's small-face pass, which crops the full-size image first).
 */
export const DETECTOR_INPUT_SIDE = 640;

/** All faces Human finds, largest first. `withDescription` also runs FaceRes (the default embedder) on each. */
export async function detectFaces(source: RgbImage | FaceFrame, withDescription: boolean): Promise<DetectedFace[]> {
  const human = await getHuman();
  const image = asFrame(source);
  const input = await image.detectorInput();
  const square = padToSquare(input);
  const sx = image.width / input.width;
  const sy = image.height / input.height;
  // float32 straight away (the same values): an int32 tensor is converted in JS and then cast again by Human.
  // Rank 3: Human adds the batch dimension with a reshape, where a rank-4 input is cloned (a 4.9 MB copy).
  const tensor = human.tf.tensor(asFloat32(square.data), [square.height, square.width, 3], 'float32');
  let found: Awaited<ReturnType<typeof human.detect>>['face'] = [];
  try {
    // `return` hands back each face's crop (what FaceMesh saw), which FaceRes embeds.
    found = (await human.detect(tensor as never, { face: { detector: { return: withDescription } } } as never)).face;
    const faces: DetectedFace[] = [];
    for (const f of found) {
      faces.push({
        box: { x: f.box[0] * sx, y: f.box[1] * sy, width: f.box[2] * sx, height: f.box[3] * sy },
        score: f.score,
        mesh: f.mesh.map((p) => [p[0] * sx, p[1] * sy] as [number, number]),
        image,
        faceresEmbedding: withDescription && f.tensor ? Array.from(await faceresDescriptor(human, f.tensor)) : undefined,
      });
    }
    return faces.sort((a, b) => boxArea(b.box) - boxArea(a.box));
  } finally {
    human.tf.dispose([tensor, ...found.flatMap((f) => (f.tensor ? [f.tensor] : []))]);
  }
}

/**
 * One float32 buffer for the detector's input, reused: tf.tensor copies it into WASM memory before returning,
 * and a fresh 4.9 MB array per image (640² RGB) was external-memory pressure that made V8 run a full
 * mark-compact after almost every image (16–21 in 20 images; 10–13 with the buffer reused).
 */
let scratch = new Float32Array(0);
function asFloat32(data: Uint8Array): Float32Array {
  if (scratch.length < data.length) scratch = new Float32Array(data.length);
  const out = scratch.subarray(0, data.length);
  out.set(data); // converts each byte natively; a JS loop over 1.2 M values took 1.6–2.5 ms
  return out;
}

/** The image shrunk to fit DETECTOR_INPUT_SIDE (sharp, from the decoded pixels); smaller ones as they are. */
export async function detectorCopy(image: RgbImage): Promise<RgbImage> {
  if (image.width <= DETECTOR_INPUT_SIDE && image.height <= DETECTOR_INPUT_SIDE) return image;
  const out = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width: DETECTOR_INPUT_SIDE, height: DETECTOR_INPUT_SIDE, fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width: out.info.width, height: out.info.height };
}

/**
 * Pad right/bottom with black to a square (coordinates stay the same). BlazeFace squashes its input to
 * 256×256; on a 1024×600 image the box came out 40 % too large and FaceRes of the very same face dropped
 * to cos 0.78 (measured), so the detector must see undistorted proportions.
 */
export function padToSquare(img: RgbImage): RgbImage {
  if (img.width === img.height) return img;
  const side = Math.max(img.width, img.height);
  const data = new Uint8Array(side * side * 3);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * row, (y + 1) * row), y * side * 3);
  return { data, width: side, height: side };
}

export function boxArea(b: FaceBox): number {
  return b.width * b.height;
}

export interface FaceSelection {
  face: DetectedFace;
  /** How many faces the detector found (≥ 1). */
  faceCount: number;
  /** Set when several faces were found: which one was used and why. */
  note?: string;
}

/**
 * The face to compare: the largest one. A generated portrait's subject is the biggest face; smaller ones are
 * background people or reflections, so the largest is the one the route's identity promise is about.
 */
export function selectFace(faces: DetectedFace[], label: string): FaceSelection {
  if (faces.length === 0) throw new FaceError('no-face', `no face detected in ${label}`);
  const face = faces[0];
  const side = Math.min(face.box.width, face.box.height);
  if (side < MIN_FACE_PX) {
    throw new FaceError(
      'face-too-small',
      `face in ${label} is too small to judge identity: ${Math.round(face.box.width)}×${Math.round(face.box.height)} px, need ≥ ${MIN_FACE_PX} px`,
    );
  }
  if (faces.length === 1) return { face, faceCount: 1 };
  const b = face.box;
  const note =
    `several faces (${faces.length}) in ${label}; using the largest at (${Math.round(b.x)},${Math.round(b.y)}) ` +
    `${Math.round(b.width)}×${Math.round(b.height)} px because the subject of a portrait is its biggest face`;
  return { face, faceCount: faces.length, note };
}

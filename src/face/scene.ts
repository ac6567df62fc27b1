/**
 * Video-like frames made from the fixture portraits, for the tests and the benchmark: a portrait scaled
 * so its face has a given size and placed so its face box sits at a given spot of an 832×480 frame
 * (wan's landscape size) — partly outside it when the spot is off the edge, which is how a head whose
 * top or side is cut by the frame is made.
 */
import sharp from 'sharp';

/** Face boxes (x, y, side) of the fixture portraits as the detector finds them (detect.test.ts checks one face each). */
export const FIXTURE_FACES = {
  'faces/astronaut.png': { x: 152, y: 49, side: 145 },
  'faces/grace_hopper.jpg': { x: 125, y: 96, side: 271 },
} as const;

export interface Placement {
  /** Side of the face box in the frame, px. */
  faceSide: number;
  /** Where the face box's top-left corner lands in the frame (may be negative or past the frame). */
  left: number;
  top: number;
  width?: number;
  height?: number;
}

/** PNG of a grey frame with the portrait placed as asked (parts outside the frame are cut off). */
export async function portraitInFrame(portrait: Buffer, face: { x: number; y: number; side: number }, p: Placement): Promise<Buffer> {
  const width = p.width ?? 832;
  const height = p.height ?? 480;
  const scale = p.faceSide / face.side;
  const meta = await sharp(portrait).metadata();
  const w = Math.round(meta.width! * scale);
  const h = Math.round(meta.height! * scale);
  const left = Math.round(p.left - face.x * scale);
  const top = Math.round(p.top - face.y * scale);
  const cropL = Math.max(0, -left);
  const cropT = Math.max(0, -top);
  const visibleW = Math.min(w - cropL, width - Math.max(0, left));
  const visibleH = Math.min(h - cropT, height - Math.max(0, top));
  const canvas = sharp({ create: { width, height, channels: 3, background: { r: 100, g: 110, b: 120 } } });
  if (visibleW <= 0 || visibleH <= 0) return canvas.png().toBuffer();
  const piece = await sharp(await sharp(portrait).resize(w, h).png().toBuffer()).extract({ left: cropL, top: cropT, width: visibleW, height: visibleH }).toBuffer();
  return canvas.composite([{ input: piece, left: Math.max(0, left), top: Math.max(0, top) }]).png().toBuffer();
}

/** A lossless animated WebP of equally sized PNG frames (lossless: the pixels the test measured are the pixels checked). */
export async function losslessAnimation(frames: Buffer[], delayMs = 62): Promise<Buffer> {
  const { width, height } = await sharp(frames[0]).metadata();
  const raws = await Promise.all(frames.map((f) => sharp(f).removeAlpha().raw().toBuffer()));
  return sharp(Buffer.concat(raws), { raw: { width: width!, height: height! * frames.length, channels: 3, pageHeight: height! } as never })
    .webp({ lossless: true, loop: 0, delay: frames.map(() => delayMs) })
    .toBuffer();
}

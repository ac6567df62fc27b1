/**
 * Deterministic same-identity variants of a portrait, for the calibration set and the tests: sharp
 * augmentations (the set measured in feasibility.md §2) and short videos made with ffmpeg (a slow zoom/pan,
 * like an image-to-video output that keeps the face).
 */
import sharp from 'sharp';
import { runFfmpeg, splitPngStream } from '../media/frames.ts';

export const AUGMENTATIONS = ['crop10', 'rescale50', 'jpeg-q30', 'rotate8', 'colour', 'flip', 'combined'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

async function cropFraction(img: Buffer, f: number): Promise<Buffer> {
  const m = await sharp(img).metadata();
  const w = m.width!, h = m.height!;
  const dx = Math.round(w * f), dy = Math.round(h * f);
  return sharp(img).extract({ left: dx, top: dy, width: w - 2 * dx, height: h - 2 * dy }).png().toBuffer();
}

async function rescale(img: Buffer, f: number): Promise<Buffer> {
  const m = await sharp(img).metadata();
  const small = await sharp(img).resize(Math.round(m.width! * f), Math.round(m.height! * f)).png().toBuffer();
  return sharp(small).resize(m.width!, m.height!).png().toBuffer();
}

/** Rotate about the centre and crop back to the original size (no black corners growing the canvas). */
async function rotateKeepSize(img: Buffer, deg: number): Promise<Buffer> {
  const m = await sharp(img).metadata();
  const r = await sharp(img).rotate(deg, { background: { r: 128, g: 128, b: 128 } }).png().toBuffer();
  const rm = await sharp(r).metadata();
  const left = Math.floor((rm.width! - m.width!) / 2), top = Math.floor((rm.height! - m.height!) / 2);
  return sharp(r).extract({ left, top, width: m.width!, height: m.height! }).png().toBuffer();
}

/** One named variant of `img` (PNG or JPEG bytes out). */
export async function augment(img: Buffer, kind: Augmentation): Promise<Buffer> {
  switch (kind) {
    case 'crop10':
      return cropFraction(img, 0.1);
    case 'rescale50':
      return rescale(img, 0.5);
    case 'jpeg-q30':
      return sharp(img).jpeg({ quality: 30 }).toBuffer();
    case 'rotate8':
      return rotateKeepSize(img, 8);
    case 'colour':
      return sharp(img).modulate({ brightness: 1.15, saturation: 1.4, hue: 20 }).png().toBuffer();
    case 'flip':
      return sharp(img).flop().png().toBuffer();
    case 'combined': {
      const cropped = await cropFraction(img, 0.05);
      const rotated = await rotateKeepSize(cropped, -5);
      const shifted = await sharp(rotated).modulate({ hue: -15 }).png().toBuffer();
      const m = await sharp(shifted).metadata();
      return sharp(shifted).resize(Math.round(m.width! * 0.6)).jpeg({ quality: 50 }).toBuffer();
    }
  }
}

export interface VideoOptions {
  frames?: number;
  fps?: number;
  size?: number;
}

/**
 * An H.264 MP4 of a slow zoom-in with a sideways pan over a still portrait. Written fragmented
 * (`empty_moov`) because ffmpeg cannot write a regular MP4 to a pipe.
 */
export async function makeZoomPanMp4(still: Buffer, opts: VideoOptions = {}): Promise<Buffer> {
  const { frames = 33, fps = 16, size = 512 } = opts;
  const png = await sharp(still).png().toBuffer();
  const vf = `zoompan=z='1+0.006*on':x='iw/2-(iw/zoom/2)+on*1.5':y='ih/2-(ih/zoom/2)':d=${frames}:s=${size}x${size}:fps=${fps}`;
  return runFfmpeg(
    ['-f', 'png_pipe', '-i', 'pipe:0', '-vf', vf, '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
      '-movflags', 'frag_keyframe+empty_moov', '-f', 'mp4', 'pipe:1'],
    { input: png },
  );
}

/** Frames of the same zoom/pan as PNGs (for the calibration set: same identity, different frames). */
export async function makeZoomPanFrames(still: Buffer, opts: VideoOptions = {}): Promise<Buffer[]> {
  const { frames = 33, fps = 16, size = 512 } = opts;
  const png = await sharp(still).png().toBuffer();
  const vf = `zoompan=z='1+0.006*on':x='iw/2-(iw/zoom/2)+on*1.5':y='ih/2-(ih/zoom/2)':d=${frames}:s=${size}x${size}:fps=${fps}`;
  const out = await runFfmpeg(['-f', 'png_pipe', '-i', 'pipe:0', '-vf', vf, '-frames:v', String(frames), '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1'], { input: png });
  return splitPngStream(out);
}

/** An animated WebP whose frames are the given stills (all resized to the first one's size). */
export async function makeAnimatedWebp(stills: Buffer[], delayMs = 62): Promise<Buffer> {
  if (stills.length === 0) throw new Error('makeAnimatedWebp needs at least one frame');
  const m = await sharp(stills[0]).metadata();
  const w = m.width!, h = m.height!;
  const raws = await Promise.all(stills.map((s) => sharp(s).resize(w, h, { fit: 'cover' }).removeAlpha().raw().toBuffer()));
  // A vertical strip of frames read as pages of height h is how sharp builds an animation from raw pixels.
  const strip = Buffer.concat(raws);
  return sharp(strip, { raw: { width: w, height: h * stills.length, channels: 3, pageHeight: h } as never })
    .webp({ quality: 80, loop: 0, delay: stills.map(() => delayMs) })
    .toBuffer();
}

/**
 * Resolves the catalog's FixtureRefs into request values and records what was sent (bytes and
 * dimensions), so checks can compare outputs with inputs (faceswap keeps source dims, seedvr2
 * keeps aspect) and face checks know the reference identity.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FIXTURES, isFixtureRef } from '../catalog/index.ts';
import type { FixtureName, FixtureRef, SampleRequest, SampleValue } from '../catalog/types.ts';
import { probeMp4 } from '../media/mp4.ts';
import { probeAnimatedWebp } from '../media/webp.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface MediaInfo {
  width: number;
  height: number;
  frames?: number;
  durationSec?: number;
  fps?: number;
  /** Audio tracks of a video input (video-faceswap passes source audio through). */
  audioTracks?: number;
}

export interface SentMedia {
  fixture: FixtureName;
  bytes: Buffer;
  mime: string;
  info: MediaInfo;
}

const cache = new Map<FixtureName, Promise<SentMedia>>();

export function loadFixture(name: FixtureName): Promise<SentMedia> {
  let p = cache.get(name);
  if (!p) {
    p = readFixture(name);
    cache.set(name, p);
  }
  return p;
}

async function readFixture(name: FixtureName): Promise<SentMedia> {
  const spec = FIXTURES[name];
  if (!spec) throw new Error(`unknown fixture "${name}" (known: ${Object.keys(FIXTURES).join(', ')})`);
  const bytes = readFileSync(path.join(PROJECT_ROOT, spec.path));
  let info: MediaInfo;
  if (spec.mediaType === 'video/mp4') {
    const m = await probeMp4(bytes);
    info = { width: m.width, height: m.height, frames: m.frames, durationSec: m.durationSec, fps: m.fps, audioTracks: m.audioTracks };
  } else if (name === 'video:portrait-webp') {
    const w = await probeAnimatedWebp(bytes);
    info = { width: w.width, height: w.height, frames: w.frames, durationSec: w.durationMs / 1000 };
  } else {
    const meta = await sharp(bytes).metadata();
    info = { width: meta.width ?? 0, height: meta.height ?? 0 };
  }
  return { fixture: name, bytes, mime: spec.mediaType, info };
}

export interface ResolvedRequest {
  /** JSON body to send. */
  body: Record<string, unknown>;
  /** Media sent, by request field (array items as `field[i]`). */
  media: Record<string, SentMedia>;
}

function encode(media: SentMedia, ref: FixtureRef): string {
  const b64 = media.bytes.toString('base64');
  return ref.encoding === 'raw-base64' ? b64 : `data:${media.mime};base64,${b64}`;
}

/** Turn a sample request (with FixtureRefs) into a JSON body. */
export async function resolveRequest(sample: SampleRequest): Promise<ResolvedRequest> {
  const media: Record<string, SentMedia> = {};
  const resolveValue = async (v: SampleValue | unknown, key: string): Promise<unknown> => {
    if (isFixtureRef(v)) {
      const m = await loadFixture(v.$fixture);
      media[key] = m;
      return encode(m, v);
    }
    if (Array.isArray(v)) return Promise.all(v.map((item, i) => resolveValue(item, `${key}[${i}]`)));
    return v;
  };
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sample)) body[k] = await resolveValue(v, k);
  return { body, media };
}

/** Input dimensions by field, the shape expectedOutput() reads. */
export function inputInfo(media: Record<string, SentMedia>): Record<string, MediaInfo> {
  return Object.fromEntries(Object.entries(media).map(([k, m]) => [k, m.info]));
}

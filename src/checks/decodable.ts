import type { OutputKind } from '../catalog/types.ts';
import { describeError } from '../errors/index.ts';
import { MediaDecodeError } from '../media/errors.ts';
import { probeImage } from '../media/image.ts';
import { probeMp4 } from '../media/mp4.ts';
import { MAX_ANIMATION_FRAMES, probeAnimatedWebp } from '../media/webp.ts';
import { fail, pass, type CheckResult } from './types.ts';
import { always, factsOf, provided, type CheckDefinition, type DecodedMedia, type DecodeOutcome } from './definition.ts';


/**
 * Most frames a video output may have before it is refused undecoded: four times what the request
 * asks for (at least 64), never above MAX_ANIMATION_FRAMES. Moderately wrong counts still decode
 * and are reported by frame-count; a 100,000-frame animation is refused from its headers.
 */
export function frameLimit(expectedFrames?: number): number {
  if (expectedFrames === undefined || !Number.isFinite(expectedFrames) || expectedFrames <= 0) return MAX_ANIMATION_FRAMES;
  return Math.min(MAX_ANIMATION_FRAMES, Math.max(64, Math.ceil(4 * expectedFrames)));
}

export interface DecodeLimits {
  /** Refuse animations with more frames than this (see frameLimit). */
  maxFrames?: number;
}

/**
 * Parse the body as the kind the catalog expects. Never throws: every parser or library error
 * becomes `{ ok: false, reason }` so a hostile or broken body is a finding, not a crash.
 */
export async function decodeOutput(kind: OutputKind, body: Uint8Array, limits: DecodeLimits = {}): Promise<DecodeOutcome> {
  const maxFrames = limits.maxFrames ?? MAX_ANIMATION_FRAMES;
  try {
    switch (kind) {
      case 'png':
      case 'jpeg': {
        const image = await probeImage(body);
        if (image.format !== kind) return { ok: false, code: 'undecodable', reason: `decoder sees ${image.format}, expected ${kind}` };
        return { ok: true, media: { kind, image } };
      }
      case 'webp-animated':
        return { ok: true, media: { kind, webp: await probeAnimatedWebp(body, { maxFrames }) } };
      case 'mp4': {
        const mp4 = await probeMp4(body);
        if (mp4.frames > maxFrames) {
          return { ok: false, code: 'too-many-frames', reason: `video has ${mp4.frames} frames (sample table), above the limit of ${maxFrames}; not decoded` };
        }
        return { ok: true, media: { kind, mp4 } };
      }
      case 'json':
        return { ok: true, media: { kind, json: JSON.parse(Buffer.from(body).toString('utf8')) } };
    }
  } catch (err) {
    const code = err instanceof MediaDecodeError ? err.code : err instanceof SyntaxError ? 'invalid-json' : 'undecodable';
    return { ok: false, code, reason: describeError(err) };
  }
}

export function checkDecodable(kind: OutputKind, outcome: DecodeOutcome): CheckResult {
  if (!outcome.ok) return fail('decodable', `${kind} does not decode: ${outcome.reason}`, { code: outcome.code, reason: outcome.reason }, kind);
  return pass('decodable', `decodes as ${kind}${describe(outcome.media)}`, factsOf(outcome.media), kind);
}

function describe(m: DecodedMedia): string {
  switch (m.kind) {
    case 'png':
    case 'jpeg':
      return ` ${m.image.width}×${m.image.height}`;
    case 'webp-animated':
      return ` ${m.webp.width}×${m.webp.height}, ${m.webp.frames} frames`;
    case 'mp4':
      return ` ${m.mp4.codec}${m.mp4.avc ? ` (${m.mp4.avc.profile}, ${m.mp4.avc.pixelFormat})` : ''} ${m.mp4.width}×${m.mp4.height}, ${m.mp4.frames} frames${m.mp4.fragmented ? ' (fragmented)' : ''}`;
    case 'json':
      return '';
  }
}

export const decodableCheck: CheckDefinition = {
  name: 'decodable',
  needs: 'typed-bytes',
  appliesTo: always,
  run: ({ input, decode }) => checkDecodable(input.output.kind, provided(decode, 'the decode outcome', 'decodable')),
  blocks: (_result, { decode }) => (decode && !decode.ok ? `not decodable: ${decode.reason}` : null),
};

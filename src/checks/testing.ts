/**
 * Output specs and responses for the checks' own tests (output.test.ts, pixels.test.ts,
 * checks.test.ts), built with the catalog's own builders so the tests judge specs shaped like
 * the catalog's entries. Not used at run time.
 */
import { animatedWebp, sizeFromRequest } from '../catalog/endpoints/shared.ts';
import type { OutputSpec, SizeRule } from '../catalog/types.ts';
import type { CheckedResponse } from './definition.ts';

/** A still whose size follows the request's width/height. */
export function stillSpec(declaredType: 'image/png' | 'image/jpeg', minBytes = 1_000): OutputSpec {
  return { kind: 'png', declaredType, size: sizeFromRequest(1024, 1024), minBytes };
}

/** A Wan-style animated WebP: `length` frames (33), 16 fps, size from the request. */
export function webpSpec(defaultWidth: number, defaultHeight: number, minBytes: number): OutputSpec {
  return { ...animatedWebp(defaultWidth, defaultHeight, 'length', 33), minBytes };
}

/** An H.264 MP4 without audio: `num_frames` frames (33), 16 fps. */
export function mp4Spec(size: SizeRule, minBytes: number): OutputSpec {
  return { kind: 'mp4', declaredType: 'video/mp4', size, frames: { kind: 'request', field: 'num_frames', defaultValue: 33 }, fps: { field: 'fps', defaultValue: 16 }, codec: 'avc1', audio: 'none', minBytes };
}

/** A 200 with the body under `declaredType`. */
export function okResponse(body: Buffer, declaredType: string | null, extra: Partial<CheckedResponse> = {}): CheckedResponse {
  return { status: 200, headers: declaredType ? { 'content-type': declaredType } : {}, body, declaredType, ...extra };
}

import type { ExpectedOutput } from './expected.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { animationCheck } from './definition.ts';

/** Allowed frame-delay error: PIL writes int(1000/fps) ms; other muxers round up by 1. */
export const DELAY_TOLERANCE_MS = 1;
/** Allowed frame-rate error for MP4s (timescales rarely divide exactly). */
export const FPS_TOLERANCE = 0.5;

export function checkFrameCount(frames: number, expected: ExpectedOutput): CheckResult {
  if (expected.frames === undefined) {
    return skip('frame-count', `no expected frame count${expected.notes.length ? `: ${expected.notes.join('; ')}` : ''}`);
  }
  const tol = expected.framesTolerance ?? 0;
  const text = `${frames} frames, expected ${expected.frames}${tol ? ` ±${tol}` : ''}`;
  return Math.abs(frames - expected.frames) <= tol
    ? pass('frame-count', text, frames, expected.frames)
    : fail('frame-count', text, frames, expected.frames);
}

/** Every WebP frame delay within ±1 ms of int(1000/fps). */
export function checkWebpTiming(delaysMs: readonly number[], expected: ExpectedOutput): CheckResult {
  if (expected.frameDelayMs === undefined) return skip('frame-timing', 'no expected frame delay (no fps in the output spec)');
  const want = expected.frameDelayMs;
  if (delaysMs.length === 0) return fail('frame-timing', `no frame delays in the WebP, expected ${want} ms`, [], want);
  const off = delaysMs.map((d, i) => [i, d] as const).filter(([, d]) => Math.abs(d - want) > DELAY_TOLERANCE_MS);
  const min = Math.min(...delaysMs);
  const max = Math.max(...delaysMs);
  const measured = { minMs: min, maxMs: max, offFrames: off.length };
  if (off.length === 0) return pass('frame-timing', `frame delays ${min === max ? min : `${min}–${max}`} ms, expected ${want} ±${DELAY_TOLERANCE_MS} ms`, measured, want);
  const [i, d] = off[0];
  return fail('frame-timing', `${off.length}/${delaysMs.length} frame delays off (frame ${i}: ${d} ms), expected ${want} ±${DELAY_TOLERANCE_MS} ms`, measured, want);
}

/** MP4 nominal frame rate within ±0.5 fps of the request. */
export function checkMp4Timing(fps: number, expected: ExpectedOutput): CheckResult {
  if (expected.fps === undefined) return skip('frame-timing', 'no expected fps (no fps in the output spec)');
  const text = `${fps} fps, expected ${expected.fps} ±${FPS_TOLERANCE}`;
  return Math.abs(fps - expected.fps) <= FPS_TOLERANCE
    ? pass('frame-timing', text, fps, expected.fps)
    : fail('frame-timing', text, fps, expected.fps);
}

export const frameCountCheck = animationCheck('frame-count', (m, expected) => checkFrameCount(m.kind === 'webp-animated' ? m.webp.frames : m.mp4.frames, expected));

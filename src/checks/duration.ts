import type { ExpectedOutput } from './expected.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, mp4Of, provided, type CheckDefinition } from './definition.ts';

/**
 * MP4 duration: against the request (expected frames / fps, allowing the frame tolerance plus one
 * frame) when both are known, else against its own frames / fps ± one frame (a broken edit list or
 * variable timing shows up there).
 */
export function checkDuration(measured: { durationSec: number; frames: number; fps: number }, expected: ExpectedOutput): CheckResult {
  const { durationSec, frames, fps } = measured;
  if (expected.durationSec !== undefined && expected.fps) {
    const tol = ((expected.framesTolerance ?? 0) + 1) / expected.fps;
    const text = `${fmt(durationSec)} s, expected ${fmt(expected.durationSec)} ±${fmt(tol)} s (${expected.frames} frames at ${expected.fps} fps)`;
    return Math.abs(durationSec - expected.durationSec) <= tol + 1e-6
      ? pass('duration', text, durationSec, expected.durationSec)
      : fail('duration', text, durationSec, expected.durationSec);
  }
  if (!fps || !frames) return skip('duration', 'no frames or fps measured to compare the duration with');
  const want = frames / fps;
  const tol = 1 / fps;
  const text = `${fmt(durationSec)} s, expected ${fmt(want)} ±${fmt(tol)} s (${frames} frames at ${fps} fps)`;
  return Math.abs(durationSec - want) <= tol + 1e-6 ? pass('duration', text, durationSec, want) : fail('duration', text, durationSec, want);
}

const fmt = (n: number) => String(Math.round(n * 10000) / 10000);

export const durationCheck: CheckDefinition = {
  name: 'duration',
  needs: 'decoded',
  appliesTo: forKinds('mp4'),
  run: ({ media, expected }) => checkDuration(mp4Of(media, 'duration'), provided(expected, 'the expected output', 'duration')),
};

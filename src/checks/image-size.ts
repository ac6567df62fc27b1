import type { ExpectedOutput } from './expected.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, pictureOf, provided, type CheckDefinition } from './definition.ts';

/** Output width/height (per frame for animations) against what the request asked for. */
export function checkImageSize(measured: { width: number; height: number }, expected: ExpectedOutput): CheckResult {
  if (expected.width === undefined || expected.height === undefined) {
    return skip('image-size', `no expected size${expected.notes.length ? `: ${expected.notes.join('; ')}` : ''}`);
  }
  const tol = expected.sizeTolerancePx ?? 0;
  const want = { width: expected.width, height: expected.height };
  const got = { width: measured.width, height: measured.height };
  const text = `${got.width}×${got.height}, expected ${want.width}×${want.height}${tol ? ` ±${tol}px` : ''}`;
  const ok = Math.abs(got.width - want.width) <= tol && Math.abs(got.height - want.height) <= tol;
  if (ok) return pass('image-size', text, got, want);
  if (got.width === want.height && got.height === want.width) return fail('image-size', `${text} (width and height swapped)`, got, want);
  return fail('image-size', text, got, want);
}

export const imageSizeCheck: CheckDefinition = {
  name: 'image-size',
  needs: 'decoded',
  appliesTo: forKinds('png', 'jpeg', 'webp-animated', 'mp4'),
  run: ({ media, expected }) => checkImageSize(pictureOf(provided(media, 'decoded media', 'image-size')), provided(expected, 'the expected output', 'image-size')),
};

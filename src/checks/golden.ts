import pixelmatch from 'pixelmatch';
import sharp from 'sharp';
import { describeError } from '../errors/index.ts';
import { MAX_INPUT_PIXELS, readImageHeader } from '../media/image.ts';
import { forKinds, provided, type CheckDefinition } from './definition.ts';
import { fail, pass, warn, type CheckResult } from './types.ts';

export interface GoldenOptions {
  /** pixelmatch per-pixel colour threshold 0–1 (default 0.1). */
  threshold?: number;
  /** Largest share of differing pixels still counted as "same" (default 0.02 = 2 %). */
  maxDiffRatio?: number;
  /** Verdict on drift or size mismatch (default 'warn': GPU kernels are not bit-stable). */
  onDrift?: 'warn' | 'fail';
  /** Also return the diff image as PNG. */
  diffImage?: boolean;
}

export interface GoldenResult extends CheckResult {
  diffPng?: Buffer;
}

async function rgba(buf: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  await readImageHeader(buf, MAX_INPUT_PIXELS);
  const { data, info } = await sharp(buf, { limitInputPixels: MAX_INPUT_PIXELS }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** A fixed-seed output against its stored golden image. */
export async function checkGolden(output: Uint8Array, golden: Uint8Array, options: GoldenOptions = {}): Promise<GoldenResult> {
  const threshold = options.threshold ?? 0.1;
  const maxDiffRatio = options.maxDiffRatio ?? 0.02;
  const drift = options.onDrift === 'fail' ? fail : warn;
  let a: Awaited<ReturnType<typeof rgba>>;
  let b: Awaited<ReturnType<typeof rgba>>;
  try {
    a = await rgba(output);
  } catch (err) {
    return fail('golden-drift', `output does not decode: ${describeError(err)}`);
  }
  try {
    b = await rgba(golden);
  } catch (err) {
    return fail('golden-drift', `golden image does not decode: ${describeError(err)}`);
  }
  if (a.width !== b.width || a.height !== b.height) {
    return drift('golden-drift', `size ${a.width}×${a.height} differs from golden ${b.width}×${b.height}`, { width: a.width, height: a.height }, { width: b.width, height: b.height });
  }
  const diff = options.diffImage ? Buffer.alloc(a.width * a.height * 4) : undefined;
  const diffPixels = pixelmatch(a.data, b.data, diff, a.width, a.height, { threshold });
  const diffRatio = diffPixels / (a.width * a.height);
  const measured = { diffRatio: Math.round(diffRatio * 1e6) / 1e6, diffPixels };
  const text = `${(diffRatio * 100).toFixed(2)} % of pixels differ (limit ${(maxDiffRatio * 100).toFixed(2)} %, threshold ${threshold})`;
  const result: GoldenResult = diffRatio <= maxDiffRatio ? pass('golden-drift', text, measured, maxDiffRatio) : drift('golden-drift', `drift: ${text}`, measured, maxDiffRatio);
  if (diff) result.diffPng = await sharp(diff, { raw: { width: a.width, height: a.height, channels: 4 } }).png().toBuffer();
  return result;
}

const stills = forKinds('png', 'jpeg');

/**
 * A fixed-seed still against its stored golden image (GPU kernels are not bit-stable, so drift is
 * a warning unless configured). Nothing is reported while the image is being stored or none is yet.
 */
export const goldenDriftCheck: CheckDefinition = {
  name: 'golden-drift',
  needs: 'golden-image',
  appliesTo: (subject) => stills(subject) && typeof subject.sent?.seed === 'number',
  run: async ({ input }) => {
    const store = provided(input.golden, 'the golden images', 'golden-drift');
    if (store.update) {
      store.write(input.response.body);
      return [];
    }
    const golden = store.read();
    return golden ? checkGolden(input.response.body, golden, { onDrift: store.onDrift }) : [];
  },
};

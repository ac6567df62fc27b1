import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, similarityTransform, type Point } from './align.ts';
import { cosineHistogram, fitCalibration, fitLogisticRidge, summarize } from './calibration.ts';
import { matchPercent } from './percent.ts';
import { FaceError } from './detect.ts';
import { cosine, getEmbedder } from './embedders.ts';
import { frameIndices } from './frames.ts';

describe('calibration maths', () => {
  it('maps cosine to percent with the logistic definition', () => {
    expect(matchPercent(0.5, { a: 10, b: -5 })).toBeCloseTo(50, 10);
    expect(matchPercent(1, { a: 10, b: -5 })).toBeCloseTo(100 / (1 + Math.exp(-5)), 10);
  });

  it('ridge logistic fit separates two clusters with its midpoint between them', () => {
    const g = [0.9, 0.92, 0.95, 0.97, 0.99];
    const i = [0.2, 0.3, 0.35, 0.4, 0.45];
    const { a, b } = fitLogisticRidge(g, i);
    expect(a).toBeGreaterThan(0);
    const mid = -b / a;
    expect(mid).toBeGreaterThan(0.45);
    expect(mid).toBeLessThan(0.9);
  });

  it('falls back to the max-margin line when the ridge fit misses the targets, and it meets them', () => {
    const g = [0.86, 0.9, 0.95];
    const i = [0.7, 0.8, 0.84]; // thin margin: ridge is too flat
    const fit = fitCalibration(g, i);
    expect(fit.method).toBe('max-margin');
    expect(-fit.b / fit.a).toBeCloseTo(0.85, 9); // 50 % in the middle of the gap
    expect(matchPercent(0.86, fit)).toBeCloseTo(86, 6);
    expect(matchPercent(0.84, fit)).toBeCloseTo(14, 6);
  });

  it('keeps the ridge-logistic fit when it already meets the targets', () => {
    const g = Array.from({ length: 50 }, (_, k) => 0.9 + k * 0.002);
    const i = Array.from({ length: 50 }, (_, k) => 0.1 + k * 0.004);
    const fit = fitCalibration(g, i);
    expect(fit.method).toBe('logistic-ridge');
    expect(matchPercent(0.9, fit)).toBeGreaterThanOrEqual(86);
    expect(matchPercent(0.3, fit)).toBeLessThan(79);
  });

  it('refuses overlapping genuine and impostor scores', () => {
    expect(() => fitCalibration([0.5, 0.9], [0.6, 0.2])).toThrow(/calibration impossible/);
  });

  it('summaries and histograms count every value', () => {
    const s = summarize([0.1, 0.2, 0.3, 0.4]);
    expect(s).toMatchObject({ n: 4, min: 0.1, max: 0.4, median: 0.25 });
    const h = cosineHistogram([0.99, 1], [-0.2, 0.01]);
    expect(h.genuine.reduce((x, y) => x + y)).toBe(2);
    expect(h.impostor[0]).toBe(2);
  });

  it('cosine is scale-free and rejects mismatched lengths', () => {
    expect(cosine([1, 0], [5, 0])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 2])).toBeCloseTo(0, 12);
    expect(() => cosine([1], [1, 2])).toThrow(/lengths differ/);
  });
});

describe('alignment', () => {
  it('similarityTransform recovers a known rotation + scale + shift', () => {
    const th = 0.3, s = 1.7, tx = 12, ty = -4;
    const src: Point[] = [[10, 20], [60, 22], [35, 45], [15, 70], [55, 72]];
    const dst = src.map(([x, y]): Point => [s * (Math.cos(th) * x - Math.sin(th) * y) + tx, s * (Math.sin(th) * x + Math.cos(th) * y) + ty]);
    const [a, nb, mtx, b, a2, mty] = similarityTransform(src, dst);
    expect(a).toBeCloseTo(s * Math.cos(th), 9);
    expect(b).toBeCloseTo(s * Math.sin(th), 9);
    expect(nb).toBeCloseTo(-b, 12);
    expect(a2).toBeCloseTo(a, 12);
    expect(mtx).toBeCloseTo(tx, 9);
    expect(mty).toBeCloseTo(ty, 9);
    expect(ARCFACE_TEMPLATE_112).toHaveLength(5);
  });
});

describe('frame helpers', () => {
  it('frameIndices spreads samples evenly and never exceeds the total', () => {
    expect(frameIndices(5, 9)).toEqual([0, 1, 2, 3, 4]);
    expect(frameIndices(33, 9)).toHaveLength(9);
    expect(Math.max(...frameIndices(33, 9))).toBeLessThan(33);
    expect(frameIndices(0, 3)).toEqual([]);
    expect(() => frameIndices(3, 0)).toThrow(/sampleFrames/);
  });
});

describe('opt-in mobilefacenet-onnx embedder', () => {
  it('fails with a clear embedder-unavailable error when its model is not installed', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'genprobe-nomodel-'));
    const err = await getEmbedder('mobilefacenet-onnx', { modelDir: empty }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FaceError);
    expect((err as FaceError).code).toBe('embedder-unavailable');
    expect((err as FaceError).message).toContain('scripts/fetch-face-model.sh');
  });

  it('rejects an unknown embedder name', async () => {
    await expect(getEmbedder('facenet' as never)).rejects.toThrow(/unknown face embedder/);
  });
});

describe('runtime vs offline calibration', () => {
  it('the face check never loads the calibration builder (sharp augmentations, ffmpeg videos)', async () => {
    const { importEdges } = await import('../../scripts/import-graph.ts');
    const edges = importEdges(path.resolve(import.meta.dirname, '..'));
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from.replace(/\.ts$/, ''), [...(next.get(e.from.replace(/\.ts$/, '')) ?? []), e.to]);
    const reached = new Set<string>();
    const visit = (m: string) => {
      if (reached.has(m)) return;
      reached.add(m);
      for (const to of next.get(m) ?? []) visit(to);
    };
    visit('face/check');
    expect(reached.has('face/percent')).toBe(true);
    expect([...reached].filter((m) => m === 'face/calibration' || m === 'face/augment')).toEqual([]);
  });
});

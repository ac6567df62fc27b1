/**
 * The shipped calibration meets the requirement: recompute every pair score of the default labelled
 * set with the default embedder and map it through the CHECKED-IN (a, b).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDefaultSet, embedSet, GENUINE_MIN_PCT, IMPOSTOR_MAX_PCT, pairScores, type EmbeddedSample, type PairScore } from './calibration.ts';
import { calibrationPath, loadCalibration, matchPercent, type Calibration } from './percent.ts';
import { DEFAULT_EMBEDDER, getEmbedder } from './embedders.ts';

describe('shipped face calibration (default embedder)', () => {
  let cal: Calibration;
  let samples: EmbeddedSample[];
  let genuine: PairScore[];
  let impostor: PairScore[];

  beforeAll(async () => {
    const embedder = await getEmbedder(DEFAULT_EMBEDDER);
    cal = await loadCalibration(embedder); // also asserts the file was made with this embedder + version
    samples = await embedSet(await buildDefaultSet(), embedder);
    ({ genuine, impostor } = pairScores(samples));
  }, 240_000);

  it('is for the default embedder and documents the fit', () => {
    expect(calibrationPath(DEFAULT_EMBEDDER)).toMatch(/src\/face\/calibration\.json$/);
    expect(cal.embedder.name).toBe('human-faceres');
    expect(cal.a).toBeGreaterThan(0);
    expect(['logistic-ridge', 'max-margin']).toContain(cal.fit.method);
    expect(Number.isNaN(Date.parse(cal.date))).toBe(false);
  });

  it('covers three identities, with the same samples used as when it was written', () => {
    const used = samples.filter((s) => s.used);
    expect(new Set(used.map((s) => s.identity))).toEqual(new Set(['astronaut', 'grace_hopper', 'camera']));
    expect(samples.map((s) => `${s.identity}/${s.variant}:${s.used}`)).toEqual(cal.set.samples.map((s) => `${s.identity}/${s.variant}:${s.used}`));
    expect(genuine.length).toBe(cal.pairs.genuine);
    expect(impostor.length).toBe(cal.pairs.impostor);
    expect(used.some((s) => s.variant.startsWith('mp4-frame-'))).toBe(true);
  });

  it(`every genuine pair scores ≥ ${GENUINE_MIN_PCT} %`, () => {
    const low = genuine.map((p) => ({ ...p, pct: matchPercent(p.cos, cal) })).filter((p) => p.pct < GENUINE_MIN_PCT);
    expect(low, JSON.stringify(low.slice(0, 5))).toEqual([]);
    expect(Math.min(...genuine.map((p) => matchPercent(p.cos, cal)))).toBeGreaterThanOrEqual(GENUINE_MIN_PCT);
  });

  it(`every impostor pair scores < ${IMPOSTOR_MAX_PCT} %`, () => {
    const high = impostor.map((p) => ({ ...p, pct: matchPercent(p.cos, cal) })).filter((p) => p.pct >= IMPOSTOR_MAX_PCT);
    expect(high, JSON.stringify(high.slice(0, 5))).toEqual([]);
    expect(Math.max(...impostor.map((p) => matchPercent(p.cos, cal)))).toBeLessThan(IMPOSTOR_MAX_PCT);
  });

  it('recorded cosine ranges match the recomputed ones', () => {
    const g = genuine.map((p) => p.cos);
    const i = impostor.map((p) => p.cos);
    expect(Math.min(...g)).toBeCloseTo(cal.cosine.genuine.min, 2);
    expect(Math.max(...i)).toBeCloseTo(cal.cosine.impostor.max, 2);
  });
});

/**
 * The face-match percentage a check reports, and the checked-in calibration it is computed with.
 * This is the runtime half of the calibration: the offline builder that makes the labelled set (sharp
 * augmentations, ffmpeg videos) and fits (a, b) lives in ./calibration.ts and is never loaded by a check.
 *
 * Definition: percent = 100 / (1 + exp(-(a·cos + b))), where cos is the cosine similarity of the two faces'
 * embeddings (one named embedder) and (a, b) are fitted on labelled genuine and impostor pairs (see README.md).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EMBEDDER, type Embedder, type EmbedderName } from './embedders.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface Summary {
  n: number;
  min: number;
  p05: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export interface CosineHistogram {
  /** Bin i covers [from + i·width, from + (i+1)·width); values below `from` fall into bin 0, 1.0 into the last. */
  from: number;
  width: number;
  genuine: number[];
  impostor: number[];
}

export interface CalibrationSample {
  identity: string;
  variant: string;
  /** false when no usable face was found; such samples take part in no pair. */
  used: boolean;
  reason?: string;
}

export interface Calibration {
  definition: string;
  embedder: { name: EmbedderName; version: string };
  detector: { name: string; version: string; minConfidence: number };
  a: number;
  b: number;
  fit: {
    method: 'logistic-ridge' | 'max-margin';
    /** The ridge-logistic solution, kept for the record when the max-margin line replaced it. */
    ridge: { a: number; b: number };
    lambda: number;
    epsilon: number;
    targets: { genuineMinPct: number; impostorMaxPct: number };
  };
  pairs: { genuine: number; impostor: number };
  cosine: { genuine: Summary; impostor: Summary };
  percent: { genuineMin: number; genuineMedian: number; impostorMedian: number; impostorMax: number };
  histogram: CosineHistogram;
  set: { source: string; samples: CalibrationSample[] };
  date: string;
}

export const DEFINITION =
  'percent = 100 / (1 + exp(-(a*cos + b))), cos = cosine similarity of the two faces\' embeddings; (a, b) fitted on genuine/impostor pairs (see src/face/README.md)';

/** The calibrated face-match percentage for a cosine similarity. */
export function matchPercent(cos: number, cal: Pick<Calibration, 'a' | 'b'>): number {
  return 100 / (1 + Math.exp(-(cal.a * cos + cal.b)));
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function calibrationPath(name: EmbedderName): string {
  return path.join(HERE, name === DEFAULT_EMBEDDER ? 'calibration.json' : `calibration.${name}.json`);
}

/**
 * The checked-in calibration for an embedder. Refuses a file made with another embedder version: a
 * percentage is only defined for the ruler it was calibrated on.
 */
export async function loadCalibration(embedder: Pick<Embedder, 'name' | 'version'>, file = calibrationPath(embedder.name)): Promise<Calibration> {
  let cal: Calibration;
  try {
    cal = JSON.parse(await readFile(file, 'utf8')) as Calibration;
  } catch (err) {
    throw new Error(`no face calibration for embedder ${embedder.name} at ${file} (${(err as Error).message}); run: npx tsx scripts/face-calibrate.ts --embedder ${embedder.name}`);
  }
  if (cal.embedder?.name !== embedder.name || cal.embedder?.version !== embedder.version) {
    throw new Error(
      `face calibration ${file} was made for ${cal.embedder?.name} ${cal.embedder?.version}, but the embedder is ${embedder.name} ${embedder.version}; recalibrate (npx tsx scripts/face-calibrate.ts)`,
    );
  }
  if (!Number.isFinite(cal.a) || !Number.isFinite(cal.b)) throw new Error(`face calibration ${file} has no finite a/b`);
  return cal;
}

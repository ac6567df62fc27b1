/**
 * The offline calibration builder: the labelled set (sharp augmentations, ffmpeg zoom/pan videos), the fit
 * of (a, b), and the calibration file. Checks never load this module; they read the file through ./percent.ts.
 *
 * Definition: percent = 100 / (1 + exp(-(a·cos + b))), where cos is the cosine similarity of the two faces'
 * embeddings (one named embedder) and (a, b) are fitted on labelled genuine (same person) and impostor
 * (different people) pairs. The fit is a class-balanced logistic regression with a small ridge penalty on
 * `a` (the pairs are separable, so plain maximum likelihood would push `a` to infinity). If that fit does not
 * put every genuine pair at ≥ 85 % + ε and every impostor pair below 80 % − ε, (a, b) is replaced by the
 * max-margin line: 50 % at the middle of the gap between the highest impostor and the lowest genuine cosine,
 * slope just steep enough that the lowest genuine pair maps to 85 % + ε.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embedImage } from './analyze.ts';
import { AUGMENTATIONS, augment, makeZoomPanMp4 } from './augment.ts';
import { FaceError } from './detect.ts';
import { cosine, DEFAULT_EMBEDDER, getEmbedder, type Embedder, type EmbedderName } from './embedders.ts';
import { sampleMp4Frames } from './frames.ts';
import { DETECTOR_MIN_CONFIDENCE, humanVersion } from './human-runtime.ts';
import { calibrationPath, DEFINITION, matchPercent, median, type Calibration, type CalibrationSample, type CosineHistogram, type Summary } from './percent.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');

/** The targets the shipped calibration must meet (issue 3, "done when"). */
export const GENUINE_MIN_PCT = 85;
export const IMPOSTOR_MAX_PCT = 80;
/** Safety margin (in probability) around the targets when the margin-aware fallback is used. */
export const MARGIN_EPSILON = 0.01;
/** Ridge penalty on the slope, per unit of mean logistic loss. */
export const RIDGE_LAMBDA = 0.001;

const logit = (p: number): number => Math.log(p / (1 - p));

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error('cannot summarise an empty set of scores');
  const s = [...values].sort((x, y) => x - y);
  const q = (f: number): number => {
    const i = (s.length - 1) * f;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return s[lo] + (s[hi] - s[lo]) * (i - lo);
  };
  const r = (x: number): number => Math.round(x * 10000) / 10000;
  return { n: s.length, min: r(s[0]), p05: r(q(0.05)), median: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1]), mean: r(s.reduce((t, x) => t + x, 0) / s.length) };
}


/**
 * Class-balanced logistic regression of label on cosine, ridge on the slope, solved by Newton's method
 * (two parameters, convex objective: converges in a handful of steps).
 */
export function fitLogisticRidge(genuine: number[], impostor: number[], lambda = RIDGE_LAMBDA): { a: number; b: number } {
  if (genuine.length === 0 || impostor.length === 0) throw new Error('calibration needs at least one genuine and one impostor pair');
  const pts: Array<[number, number, number]> = [
    ...genuine.map((x): [number, number, number] => [x, 1, 0.5 / genuine.length]),
    ...impostor.map((x): [number, number, number] => [x, 0, 0.5 / impostor.length]),
  ];
  let a = 0;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 2 * lambda * a, gb = 0, haa = 2 * lambda, hab = 0, hbb = 0;
    for (const [x, y, w] of pts) {
      const p = 1 / (1 + Math.exp(-(a * x + b)));
      const r = w * (p - y);
      const h = w * p * (1 - p);
      ga += r * x; gb += r;
      haa += h * x * x; hab += h * x; hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) throw new Error('logistic fit is degenerate (all cosines equal?)');
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

/**
 * (a, b) per the definition above: the ridge-logistic fit if it meets the targets with margin ε; otherwise the
 * max-margin line: 50 % at the middle of the gap between the highest impostor and the lowest genuine cosine,
 * with the least steep slope that puts the lowest genuine at 85 % + ε (the highest impostor then lands at
 * 15 % − ε, far below 80 %). Throws when the classes overlap: no monotone percentage can then meet the targets.
 */
export function fitCalibration(
  genuine: number[],
  impostor: number[],
  eps = MARGIN_EPSILON,
): { a: number; b: number; method: Calibration['fit']['method']; ridge: { a: number; b: number } } {
  const ridge = fitLogisticRidge(genuine, impostor);
  const gMin = Math.min(...genuine);
  const iMax = Math.max(...impostor);
  const meets = (ab: { a: number; b: number }): boolean =>
    matchPercent(gMin, ab) >= GENUINE_MIN_PCT + 100 * eps && matchPercent(iMax, ab) < IMPOSTOR_MAX_PCT - 100 * eps;
  if (meets(ridge)) return { ...ridge, method: 'logistic-ridge', ridge };
  if (!(gMin > iMax)) {
    throw new Error(
      `calibration impossible: the lowest genuine cosine (${gMin.toFixed(4)}) is not above the highest impostor cosine (${iMax.toFixed(4)}); ` +
        'no monotone percentage can put every genuine pair ≥ 85 % and every impostor < 80 %',
    );
  }
  const mid = (gMin + iMax) / 2;
  const a = logit(GENUINE_MIN_PCT / 100 + eps) / (gMin - mid);
  return { a, b: -a * mid, method: 'max-margin', ridge };
}

export function cosineHistogram(genuine: number[], impostor: number[], from = 0, width = 0.025): CosineHistogram {
  const bins = Math.round((1 - from) / width);
  const fill = (xs: number[]): number[] => {
    const h = new Array<number>(bins).fill(0);
    for (const x of xs) h[Math.min(bins - 1, Math.max(0, Math.floor((x - from) / width)))]++;
    return h;
  };
  return { from, width, genuine: fill(genuine), impostor: fill(impostor) };
}

// ---------------------------------------------------------------------------------------------- labelled set

export interface LabelledImage {
  identity: string;
  variant: string;
  bytes: Buffer;
}

/** The portraits of the default set (public domain / CC0, see fixtures/LICENSES.md), one identity each. */
export const DEFAULT_IDENTITIES: ReadonlyArray<{ identity: string; file: string }> = [
  { identity: 'astronaut', file: 'fixtures/faces/astronaut.png' },
  { identity: 'grace_hopper', file: 'fixtures/faces/grace_hopper.jpg' },
  { identity: 'camera', file: 'fixtures/faces/camera.png' },
];
/** Frames sampled from each identity's zoom/pan MP4. */
export const VIDEO_FRAMES_PER_IDENTITY = 5;

/**
 * The default labelled set: each portrait, its sharp augmentations, and frames of an ffmpeg zoom/pan MP4
 * of it (decoded through the same frame sampler the video check uses).
 */
export async function buildDefaultSet(root = REPO_ROOT): Promise<LabelledImage[]> {
  const out: LabelledImage[] = [];
  for (const { identity, file } of DEFAULT_IDENTITIES) {
    const original = await readFile(path.join(root, file));
    out.push({ identity, variant: 'original', bytes: original });
    for (const kind of AUGMENTATIONS) out.push({ identity, variant: kind, bytes: await augment(original, kind) });
    const { frames } = await sampleMp4Frames(await makeZoomPanMp4(original), VIDEO_FRAMES_PER_IDENTITY);
    for (const f of frames) out.push({ identity, variant: `mp4-frame-${f.index}`, bytes: f.png });
  }
  return out;
}

export interface EmbeddedSample extends CalibrationSample {
  embedding?: Float32Array;
}

/** Embed every image of a set; images without a usable face are kept as unused samples with the reason. */
export async function embedSet(set: LabelledImage[], embedder: Embedder): Promise<EmbeddedSample[]> {
  const out: EmbeddedSample[] = [];
  for (const img of set) {
    try {
      const { embedding } = await embedImage(img.bytes, embedder, `${img.identity}/${img.variant}`);
      out.push({ identity: img.identity, variant: img.variant, used: true, embedding });
    } catch (err) {
      if (!(err instanceof FaceError) || err.code === 'embedder-unavailable') throw err;
      out.push({ identity: img.identity, variant: img.variant, used: false, reason: `${err.code}: ${err.message}` });
    }
  }
  return out;
}

export interface PairScore {
  a: string;
  b: string;
  cos: number;
}

/** Genuine pairs: every two used samples of one identity. Impostor pairs: every two of different identities. */
export function pairScores(samples: EmbeddedSample[]): { genuine: PairScore[]; impostor: PairScore[] } {
  const used = samples.filter((s) => s.used && s.embedding);
  const genuine: PairScore[] = [];
  const impostor: PairScore[] = [];
  for (let i = 0; i < used.length; i++) {
    for (let j = i + 1; j < used.length; j++) {
      const x = used[i], y = used[j];
      const score = { a: `${x.identity}/${x.variant}`, b: `${y.identity}/${y.variant}`, cos: cosine(x.embedding!, y.embedding!) };
      (x.identity === y.identity ? genuine : impostor).push(score);
    }
  }
  return { genuine, impostor };
}

// ---------------------------------------------------------------------------------------------- run + files


export interface RunCalibrationOptions {
  embedder?: EmbedderName;
  /** A directory with one sub-directory per identity (images inside are that person); default: the fixture set. */
  labelledDir?: string;
  /** Where to write the calibration; default src/face/calibration[.<embedder>].json. `null` = don't write. */
  out?: string | null;
  modelDir?: string;
  now?: Date;
  log?: (line: string) => void;
}

/** Build or read the labelled set, embed it, fit (a, b), and write the calibration file. */
export async function runCalibration(opts: RunCalibrationOptions = {}): Promise<Calibration> {
  const log = opts.log ?? (() => {});
  const embedder = await getEmbedder(opts.embedder ?? DEFAULT_EMBEDDER, { modelDir: opts.modelDir });
  const set = opts.labelledDir ? await readLabelledDir(opts.labelledDir) : await buildDefaultSet();
  log(`embedding ${set.length} images with ${embedder.name} ${embedder.version}`);
  const samples = await embedSet(set, embedder);
  const { genuine, impostor } = pairScores(samples);
  const g = genuine.map((p) => p.cos);
  const im = impostor.map((p) => p.cos);
  const fit = fitCalibration(g, im);
  const pct = (x: number): number => Math.round(matchPercent(x, fit) * 100) / 100;
  const cal: Calibration = {
    definition: DEFINITION,
    embedder: { name: embedder.name, version: embedder.version },
    detector: { name: 'human blazeface+facemesh (tfjs wasm)', version: humanVersion(), minConfidence: DETECTOR_MIN_CONFIDENCE },
    a: round6(fit.a),
    b: round6(fit.b),
    fit: { method: fit.method, ridge: { a: round6(fit.ridge.a), b: round6(fit.ridge.b) }, lambda: RIDGE_LAMBDA, epsilon: MARGIN_EPSILON, targets: { genuineMinPct: GENUINE_MIN_PCT, impostorMaxPct: IMPOSTOR_MAX_PCT } },
    pairs: { genuine: g.length, impostor: im.length },
    cosine: { genuine: summarize(g), impostor: summarize(im) },
    percent: { genuineMin: pct(Math.min(...g)), genuineMedian: pct(median(g)), impostorMedian: pct(median(im)), impostorMax: pct(Math.max(...im)) },
    histogram: cosineHistogram(g, im),
    set: {
      source: opts.labelledDir ? path.relative(REPO_ROOT, path.resolve(opts.labelledDir)) : 'default: fixtures/faces/* + sharp augmentations + zoom/pan MP4 frames',
      samples: samples.map(({ identity, variant, used, reason }) => (reason ? { identity, variant, used, reason } : { identity, variant, used })),
    },
    date: (opts.now ?? new Date()).toISOString(),
  };
  const out = opts.out === undefined ? calibrationPath(embedder.name) : opts.out;
  if (out) {
    await writeFile(out, JSON.stringify(cal, null, 2) + '\n');
    log(`wrote ${out}`);
  }
  return cal;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

async function readLabelledDir(dir: string): Promise<LabelledImage[]> {
  const { readdir } = await import('node:fs/promises');
  const out: LabelledImage[] = [];
  const ids = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  if (ids.length < 2) throw new Error(`labelled set ${dir} needs ≥ 2 identity sub-directories, found ${ids.length}`);
  for (const identity of ids) {
    const files = (await readdir(path.join(dir, identity))).filter((f) => /\.(png|jpe?g|webp|tiff?|gif|avif)$/i.test(f)).sort();
    for (const f of files) out.push({ identity, variant: f, bytes: await readFile(path.join(dir, identity, f)) });
  }
  return out;
}


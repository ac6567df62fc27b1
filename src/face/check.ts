/**
 * The face checks: 'face-present' (the output has a usable face) and 'face-match' (its calibrated match %
 * against the reference meets the route's target). Bytes in, verdicts out: no client, no network.
 */
import { createHash } from 'node:crypto';
import { fail, pass, skip, type CheckResult } from '../checks/types.ts';
import { DEFAULT_FACE_SAMPLE_FRAMES, DEFAULT_MIN_FACE_SHARE } from '../config/face.ts';
import { embedImage, embedRgb, type FaceEmbedding } from './analyze.ts';
import { loadCalibration, matchPercent, median, type Calibration } from './percent.ts';
import { decodeRgb, FaceError, type RgbImage } from './detect.ts';
import { cosine, DEFAULT_EMBEDDER, getEmbedder, type Embedder, type EmbedderName } from './embedders.ts';
import { sampleMp4Frames, streamAnimatedRgb } from './frames.ts';
import type { LocatedBy } from './locate.ts';

export type FaceOutputKind = 'png' | 'jpeg' | 'webp' | 'webp-animated' | 'mp4';

export interface FaceMatchOptions {
  output: Buffer;
  outputKind: FaceOutputKind;
  reference: Buffer;
  /** The route's promised match, in calibrated percent (e.g. 85 for InstantID). */
  targetPct: number;
  /** Video only: frames to sample, spread evenly (default: the config's, src/config/face.ts). */
  sampleFrames?: number;
  /**
   * Video only: share of sampled frames that must have a face (default: the config's, 0.6). A head that turns
   * away or leaves the frame for a moment is a healthy video; the match is judged over the frames with a face.
   */
  minFaceShare?: number;
  /** Video only: which statistic of the per-frame match % is judged against the target (default 'min'). */
  judge?: 'min' | 'median';
  embedder?: EmbedderName;
  /** Override the checked-in calibration (tests, custom calibrations). */
  calibration?: Calibration;
}

export interface FrameScore {
  index: number;
  face: boolean;
  /** Set when a fallback pass found the face (a face cut by the frame edge, a small face): which one. */
  locatedBy?: Exclude<LocatedBy, 'frame'>;
  percent?: number;
  cosine?: number;
  reason?: string;
}

/** Everything measured for one output; the 'face-match' result carries it as `measured`, metrics read it. */
export interface FaceScores {
  embedder: EmbedderName;
  embedderVersion: string;
  kind: 'image' | 'video';
  /** Image: the one score. Video: the judged statistic (min or median over frames with a face). */
  percent: number | null;
  cosine: number | null;
  minPct: number | null;
  medianPct: number | null;
  framesTotal: number;
  framesSampled: number;
  framesWithFace: number;
  /** Frames with a face whose match % meets the target. */
  framesMatched: number;
  faceShare: number;
  /** Per-frame (video) or single (image) scores with a face, for the histogram metric. */
  percents: number[];
  frames: FrameScore[];
  notes: string[];
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r4 = (x: number): number => Math.round(x * 10000) / 10000;

function isVideo(kind: FaceOutputKind): boolean {
  return kind === 'mp4' || kind === 'webp-animated';
}

interface VideoFrame {
  index: number;
  /** Decoded lazily, in order, one at a time: an undecodable frame is that frame's finding. */
  rgb(): Promise<RgbImage>;
}

async function sampleFrames(opts: FaceMatchOptions): Promise<{ total: number; frames: VideoFrame[] }> {
  const n = opts.sampleFrames ?? DEFAULT_FACE_SAMPLE_FRAMES;
  if (opts.outputKind === 'mp4') {
    const s = await sampleMp4Frames(opts.output, n);
    return { total: s.total, frames: s.frames.map((f) => ({ index: f.index, rgb: () => decodeRgb(f.png) })) };
  }
  return streamAnimatedRgb(opts.output, n);
}

function scoreOf(ref: FaceEmbedding, out: FaceEmbedding, cal: Calibration): { percent: number; cosine: number } {
  const cos = cosine(ref.embedding, out.embedding);
  return { percent: r2(matchPercent(cos, cal)), cosine: r4(cos) };
}

/**
 * Run the face checks. Throws only for harness problems (unknown embedder, model or calibration missing);
 * everything about the bytes becomes a verdict.
 */
export async function faceMatchCheck(opts: FaceMatchOptions): Promise<CheckResult[]> {
  if (!(opts.targetPct > 0 && opts.targetPct <= 100)) throw new Error(`targetPct must be in (0, 100], got ${opts.targetPct}`);
  const embedder = await getEmbedder(opts.embedder ?? DEFAULT_EMBEDDER);
  const cal = opts.calibration ?? (await loadCalibration(embedder));
  const ruler = `${embedder.name} ${embedder.version}`;

  let ref: FaceEmbedding;
  try {
    ref = await referenceEmbedding(opts.reference, embedder);
  } catch (err) {
    if (!(err instanceof FaceError)) throw err;
    return [
      fail('face-present', `reference image unusable (${err.code}): ${err.message}; cannot judge the output's identity`, { subject: 'reference', code: err.code }),
      skip('face-match', 'no usable face in the reference image'),
    ];
  }
  return isVideo(opts.outputKind) ? checkVideo(opts, embedder, cal, ref, ruler) : checkImage(opts, embedder, cal, ref, ruler);
}

async function checkImage(opts: FaceMatchOptions, embedder: Embedder, cal: Calibration, ref: FaceEmbedding, ruler: string): Promise<CheckResult[]> {
  let out: FaceEmbedding;
  try {
    out = await embedImage(opts.output, embedder, 'the output image');
  } catch (err) {
    if (!(err instanceof FaceError)) throw err;
    return [fail('face-present', `${err.code}: ${err.message}`, { subject: 'output', code: err.code }, { face: true }), skip('face-match', `no usable face in the output (${err.code})`)];
  }
  const { percent, cosine: cos } = scoreOf(ref, out, cal);
  const notes = [ref.selection.note, out.selection.note].filter((n): n is string => Boolean(n));
  const scores: FaceScores = {
    embedder: embedder.name,
    embedderVersion: embedder.version,
    kind: 'image',
    percent,
    cosine: cos,
    minPct: percent,
    medianPct: percent,
    framesTotal: 1,
    framesSampled: 1,
    framesWithFace: 1,
    framesMatched: percent >= opts.targetPct ? 1 : 0,
    faceShare: 1,
    percents: [percent],
    frames: [{ index: 0, face: true, percent, cosine: cos }],
    notes,
  };
  const present = pass('face-present', `face found in the output${out.selection.note ? ` (${out.selection.note})` : ''}`, { faces: out.selection.faceCount });
  const verdict = percent >= opts.targetPct ? pass : fail;
  return [
    present,
    verdict('face-match', `face match ${percent} % (cos ${cos}) vs target ≥ ${opts.targetPct} % [${ruler}]`, scores, { minPct: opts.targetPct }),
  ];
}

async function checkVideo(opts: FaceMatchOptions, embedder: Embedder, cal: Calibration, ref: FaceEmbedding, ruler: string): Promise<CheckResult[]> {
  let sampled: { total: number; frames: VideoFrame[] };
  try {
    sampled = await sampleFrames(opts);
  } catch (err) {
    return [fail('face-present', `could not sample frames of the ${opts.outputKind} output: ${(err as Error).message}`, { subject: 'output', code: 'undecodable' }), skip('face-match', 'no frames')];
  }
  if (sampled.frames.length === 0) {
    return [fail('face-present', `the ${opts.outputKind} output has no frames`, { subject: 'output', framesTotal: sampled.total }), skip('face-match', 'no frames')];
  }
  const notes = new Set<string>(ref.selection.note ? [ref.selection.note] : []);
  const frames = await scoreFrames(sampled.frames, embedder, cal, ref, notes);
  const scores = videoScores(frames, sampled.total, opts, embedder, [...notes]);
  return [presentVerdict(scores, opts.minFaceShare ?? DEFAULT_MIN_FACE_SHARE), matchVerdict(scores, opts, ruler)];
}

/**
 * Score each sampled frame, one decoded frame held at a time plus the next one being decoded: sharp decodes
 * on libuv's pool while the detector runs on this thread, so the two overlap instead of adding up.
 */
async function scoreFrames(sampled: VideoFrame[], embedder: Embedder, cal: Calibration, ref: FaceEmbedding, notes: Set<string>): Promise<FrameScore[]> {
  const frames: FrameScore[] = [];
  const settle = (f: VideoFrame) => f.rgb().then((rgb) => ({ rgb }), (err: unknown) => ({ err }));
  let next = settle(sampled[0]);
  for (let k = 0; k < sampled.length; k++) {
    const decoded = await next;
    if (k + 1 < sampled.length) next = settle(sampled[k + 1]);
    const index = sampled[k].index;
    try {
      if ('err' in decoded) throw decoded.err;
      const out = await embedRgb(decoded.rgb, embedder, `frame ${index}`);
      if (out.selection.note) notes.add(out.selection.note);
      frames.push({ index, face: true, ...(out.locatedBy !== 'frame' ? { locatedBy: out.locatedBy } : {}), ...scoreOf(ref, out, cal) });
    } catch (err) {
      if (!(err instanceof FaceError)) throw err;
      frames.push({ index, face: false, reason: `${err.code}: ${err.message}` });
    }
  }
  return frames;
}

function videoScores(frames: FrameScore[], total: number, opts: FaceMatchOptions, embedder: Embedder, notes: string[]): FaceScores {
  const withFace = frames.filter((f) => f.face);
  const percents = withFace.map((f) => f.percent!);
  const cosines = withFace.map((f) => f.cosine!);
  const minPct = percents.length ? Math.min(...percents) : null;
  const medianPct = percents.length ? r2(median(percents)) : null;
  const judge = opts.judge ?? 'min';
  return {
    embedder: embedder.name,
    embedderVersion: embedder.version,
    kind: 'video',
    percent: judge === 'min' ? minPct : medianPct,
    cosine: cosines.length ? r4(judge === 'min' ? Math.min(...cosines) : median(cosines)) : null,
    minPct,
    medianPct,
    framesTotal: total,
    framesSampled: frames.length,
    framesWithFace: withFace.length,
    framesMatched: percents.filter((p) => p >= opts.targetPct).length,
    faceShare: r4(withFace.length / frames.length),
    percents,
    frames,
    notes,
  };
}

function presentVerdict(s: FaceScores, minShare: number): CheckResult {
  const counts = { faceShare: s.faceShare, framesSampled: s.framesSampled, framesWithFace: s.framesWithFace, framesMatched: s.framesMatched };
  const msg = `${s.framesWithFace}/${s.framesSampled} sampled frames have a face (${r2(s.faceShare * 100)} %, need ≥ ${r2(minShare * 100)} %)`;
  const missing = s.frames.filter((f) => !f.face).map((f) => f.index);
  const without = missing.length ? `; no face in frame${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '';
  return s.faceShare >= minShare && s.framesWithFace > 0
    ? pass('face-present', msg + without, counts, { minFaceShare: minShare })
    : fail('face-present', msg + without, { ...counts, missing }, { minFaceShare: minShare });
}

function matchVerdict(s: FaceScores, opts: FaceMatchOptions, ruler: string): CheckResult {
  if (s.percent === null) return skip('face-match', `no sampled frame has a usable face (0/${s.framesSampled})`);
  const judge = opts.judge ?? 'min';
  const verdict = s.percent >= opts.targetPct ? pass : fail;
  return verdict(
    'face-match',
    `face match ${judge} ${s.percent} % (min ${s.minPct} %, median ${s.medianPct} %, cos ${s.cosine}) over the ${s.framesWithFace} of ${s.framesSampled} sampled frames ` +
      `with a face, ${s.framesMatched} matched; target ≥ ${opts.targetPct} % [${ruler}]`,
    s,
    { [`${judge}Pct`]: opts.targetPct },
  );
}

// Probes and suites compare many outputs against the same few references: embed each reference once.
const REFERENCE_CACHE_MAX = 32;
const referenceCache = new Map<string, Promise<FaceEmbedding>>();

export function referenceEmbedding(bytes: Buffer, embedder: Embedder): Promise<FaceEmbedding> {
  const key = `${embedder.name}|${embedder.version}|${createHash('sha256').update(bytes).digest('hex')}`;
  let p = referenceCache.get(key);
  if (!p) {
    p = embedImage(bytes, embedder, 'the reference image');
    p.catch(() => referenceCache.delete(key)); // failures are cheap to recompute and must not pin memory
    referenceCache.set(key, p);
    if (referenceCache.size > REFERENCE_CACHE_MAX) referenceCache.delete(referenceCache.keys().next().value!);
  }
  return p;
}

/** The FaceScores a face-match result carries, if any (for metrics and reports). */
export function faceScoresOf(results: CheckResult[]): FaceScores | undefined {
  const r = results.find((x) => x.check === 'face-match' && x.verdict !== 'skip');
  const m = r?.measured as FaceScores | undefined;
  return m && typeof m === 'object' && 'embedder' in m && 'percents' in m ? m : undefined;
}

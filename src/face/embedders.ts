/**
 * Face embedders behind one interface, so every score can say which ruler measured it.
 *
 * - `human-faceres` (default): Human's FaceRes descriptor (1024-d), computed during detection (./faceres.ts, on
 *   onnxruntime-node). MIT packages, no extra install, models inside node_modules.
 * - `mobilefacenet-onnx` (opt-in): a 512-d MobileFaceNet run with onnxruntime-node on an ArcFace-aligned
 *   112×112 crop. It separates identities much better (feasibility.md §2.5), but the model's provenance and
 *   licence are unverified (§2.4), so it is never the default and its model is fetched at setup time, not shipped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alignArcFace112 } from './align.ts';
import { FaceError, type DetectedFace } from './detect.ts';
import { humanVersion } from './human-runtime.ts';
import { createSession, ortVersion, runFloat32, type OrtSession } from './onnx-runtime.ts';

export const EMBEDDER_NAMES = ['human-faceres', 'mobilefacenet-onnx'] as const;
export type EmbedderName = (typeof EMBEDDER_NAMES)[number];
export const DEFAULT_EMBEDDER: EmbedderName = 'human-faceres';

export interface Embedder {
  readonly name: EmbedderName;
  /** Pins the ruler: package and model versions (and model hash where the model is a file). */
  readonly version: string;
  /** True when the embedding is Human's FaceRes descriptor, so detection must run the description model. */
  readonly usesFaceresDescription: boolean;
  embed(face: DetectedFace): Promise<Float32Array>;
}

/** sha256 of package/model/fr_feature.onnx in npm faceplugin-face-recognition-js@0.0.1 (feasibility.md §2.4). */
export const MOBILEFACENET_SHA256 = '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, '.genprobe', 'models');

export function mobileFaceNetModelPath(modelDir = process.env.GENPROBE_MODEL_DIR ?? DEFAULT_MODEL_DIR): string {
  return path.join(modelDir, 'mobilefacenet', 'fr_feature.onnx');
}

export function l2normalize(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (!(n > 0)) throw new Error('embedding has zero norm');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

/** Cosine similarity of two embeddings (normalises both, so raw vectors are fine). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`embedding lengths differ: ${a.length} vs ${b.length}`);
  const x = l2normalize(a);
  const y = l2normalize(b);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return Math.max(-1, Math.min(1, s));
}

class HumanFaceResEmbedder implements Embedder {
  readonly name = 'human-faceres' as const;
  readonly version = `@vladmandic/human@${humanVersion()} faceres onnxruntime-node@${ortVersion()}`;
  readonly usesFaceresDescription = true;
  async embed(face: DetectedFace): Promise<Float32Array> {
    if (!face.faceresEmbedding) {
      throw new Error('human-faceres: the face was detected without the FaceRes description (detect with withDescription=true)');
    }
    return l2normalize(face.faceresEmbedding);
  }
}

class MobileFaceNetOnnxEmbedder implements Embedder {
  readonly name = 'mobilefacenet-onnx' as const;
  readonly version: string;
  readonly usesFaceresDescription = false;
  private readonly session: OrtSession;
  constructor(session: OrtSession) {
    this.session = session;
    this.version = `fr_feature.onnx sha256:${MOBILEFACENET_SHA256.slice(0, 12)} onnxruntime-node@${ortVersion()}`;
  }
  async embed(face: DetectedFace): Promise<Float32Array> {
    const crop = alignArcFace112(await face.image.pixels(), face.mesh);
    const chw = new Float32Array(3 * 112 * 112);
    const plane = 112 * 112;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) chw[c * plane + i] = (crop[i * 3 + c] - 127.5) / 128;
    }
    return l2normalize(await runFloat32(this.session, chw, [1, 3, 112, 112]));
  }
}

async function loadMobileFaceNet(modelDir?: string): Promise<Embedder> {
  const modelPath = mobileFaceNetModelPath(modelDir);
  if (!existsSync(modelPath)) {
    throw new FaceError(
      'embedder-unavailable',
      `embedder mobilefacenet-onnx is selected but its model is not installed at ${modelPath}; run scripts/fetch-face-model.sh, ` +
        `or use the default human-faceres`,
    );
  }
  const hash = createHash('sha256').update(readFileSync(modelPath)).digest('hex');
  if (hash !== MOBILEFACENET_SHA256) {
    throw new FaceError('embedder-unavailable', `mobilefacenet-onnx model at ${modelPath} has sha256 ${hash}, expected ${MOBILEFACENET_SHA256}; re-run scripts/fetch-face-model.sh`);
  }
  return new MobileFaceNetOnnxEmbedder(await createSession(modelPath));
}

const embedders = new Map<string, Promise<Embedder>>();

/** The embedder by name, created once per process (concurrent first calls share one load). */
export function getEmbedder(name: EmbedderName = DEFAULT_EMBEDDER, opts: { modelDir?: string } = {}): Promise<Embedder> {
  if (!EMBEDDER_NAMES.includes(name)) {
    return Promise.reject(new Error(`unknown face embedder "${name}"; known: ${EMBEDDER_NAMES.join(', ')}`));
  }
  const key = `${name}|${opts.modelDir ?? ''}`;
  let p = embedders.get(key);
  if (!p) {
    p = name === 'human-faceres' ? Promise.resolve(new HumanFaceResEmbedder()) : loadMobileFaceNet(opts.modelDir);
    p.catch(() => embedders.delete(key));
    embedders.set(key, p);
  }
  return p;
}

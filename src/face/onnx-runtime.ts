/**
 * onnxruntime-node, the one place face models run natively: FaceRes (./faceres.ts, the default embedder's
 * model) and the opt-in MobileFaceNet (./embedders.ts). Imported on first use, not at module load: its native
 * library is 46 MB, and processes that never check a face (most CLI commands) should not map it.
 *
 * Installed without its postinstall download (`.npmrc`: onnxruntime-node-install=skip): the CPU library is in
 * the npm tarball, and the download only adds CUDA, which genprobe does not use.
 */
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

const require = createRequire(import.meta.url);

export type OrtSession = Ort.InferenceSession;
export type OrtModule = typeof Ort;

let loading: Promise<OrtModule> | undefined;

/**
 * The onnxruntime-node module (loaded once per process). A failed load (no native library for this platform,
 * a broken install) says so and what to do, and is forgotten so the next call tries again.
 */
export function loadOrt(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then(
    (mod) => (mod as unknown as { default?: OrtModule }).default ?? mod,
    (err: unknown) => {
      loading = undefined;
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      throw new Error(`face: onnxruntime-node could not be loaded on ${process.platform}/${process.arch} (${why}); it runs the face embedders, reinstall it with npm ci`, { cause: err });
    },
  );
  return loading;
}

/** The installed onnxruntime-node version, part of every embedder version that runs on it. */
export function ortVersion(): string {
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}

/**
 * A session on one intra-op thread, sequential: probes share a 2-core machine, the figures genprobe reports are
 * CPU time, and one thread keeps every sum in the same order, so a face scores the same on every run.
 */
export async function createSession(model: string | Uint8Array): Promise<OrtSession> {
  const ort = await loadOrt();
  const opts: Ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
}

/** One float32 forward pass: `input` fed to the session's first input, the named (or first) output returned. */
export async function runFloat32(session: OrtSession, input: Float32Array, dims: number[], output = session.outputNames[0]): Promise<Float32Array> {
  const ort = await loadOrt();
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, dims) };
  const out = await session.run(feeds);
  const tensor = out[output];
  if (!tensor) throw new Error(`onnx: the session has no output ${output}`);
  return tensor.data as Float32Array;
}

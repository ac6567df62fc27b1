/**
 * The default embedder's model: Human's FaceRes descriptor, run by onnxruntime-node on the face crop Human's
 * FaceMesh saw. Human would run it on tfjs-wasm: 51–60 ms per face at that backend's one-thread SIMD ceiling,
 * half of a 1024² face check; the same graph on onnxruntime's native kernels takes ~14 ms (bench/README.md §2).
 *
 * The input is made exactly as Human's `faceres.enhance` makes it (bilinear resize of the crop to 224², no corner
 * alignment, × 255), on Human's own tfjs, so only the model's arithmetic moves to another runtime: the
 * descriptor differs from tfjs-wasm's by 1 − cos ≤ 2e-9 on the fixtures (faceres.test.ts), below the calibration
 * file's four decimals. The graph is translated from Human's shipped files at load (./faceres-onnx.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Tensor } from '@vladmandic/human';
import { FACERES_DESCRIPTOR, FACERES_SIDE, faceresToOnnx, type TfjsGraphModel } from './faceres-onnx.ts';
import { humanModelsDir, type HumanInstance } from './human-runtime.ts';
import { createSession, runFloat32, type OrtSession } from './onnx-runtime.ts';

/** Human's face crop as its result returns it (`detector.return`): [h, w, 3], values 0..1. */
export type FaceCropTensor = Tensor;

let loading: Promise<OrtSession> | undefined;

/** The FaceRes session, translated and created once per process; a failed load is retried on the next call. */
export function getFaceres(): Promise<OrtSession> {
  loading ??= loadFaceres().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/** Human's FaceRes files as shipped: the graph JSON and its weights. */
export async function readShippedFaceres(): Promise<{ model: TfjsGraphModel; bin: Buffer }> {
  const dir = humanModelsDir();
  const model = JSON.parse(await readFile(path.join(dir, 'faceres.json'), 'utf8')) as TfjsGraphModel;
  return { model, bin: await readFile(path.join(dir, 'faceres.bin')) };
}

async function loadFaceres(): Promise<OrtSession> {
  const { model, bin } = await readShippedFaceres();
  return createSession(faceresToOnnx(model, bin));
}

/** FaceRes's input for one crop, as Human's enhance builds it: NHWC [1, 224, 224, 3], values 0..255. */
export function faceresInput(human: HumanInstance, crop: FaceCropTensor): Float32Array {
  const tf = human.tf;
  const input = tf.tidy(() => tf.mul(tf.image.resizeBilinear(tf.expandDims(crop, 0) as never, [FACERES_SIDE, FACERES_SIDE], false), 255));
  try {
    return input.dataSync() as Float32Array;
  } finally {
    tf.dispose(input);
  }
}

/** The 1024-d FaceRes descriptor of one face crop (not normalised, as Human returns it). */
export async function faceresDescriptor(human: HumanInstance, crop: FaceCropTensor): Promise<Float32Array> {
  const session = await getFaceres();
  return runFloat32(session, faceresInput(human, crop), [1, FACERES_SIDE, FACERES_SIDE, 3], FACERES_DESCRIPTOR);
}

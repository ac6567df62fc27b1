/**
 * Test and bench support for the face module: FaceRes as Human itself would run it, on tfjs-wasm, as the
 * reference the onnxruntime translation is compared with (faceres-onnx.test.ts) and timed beside
 * (bench/face.bench.ts). Not used by any check.
 */
import type { TfjsGraphModel } from './faceres-onnx.ts';
import { readShippedFaceres } from './faceres.ts';

/** A loaded tfjs graph model: what the callers use of it. */
export interface TfjsFaceres {
  execute(x: unknown): unknown;
  weights: Record<string, Array<{ shape: number[]; dataSync(): ArrayLike<number> }>>;
  dispose(): void;
}

/** The shipped FaceRes graph loaded unchanged into `tf` (Human's tfjs; `shipped` defaults to the files in node_modules). */
export async function faceresOnTfjs(tf: any, shipped?: { model: TfjsGraphModel; bin: Buffer }): Promise<TfjsFaceres> {
  const { model, bin } = shipped ?? (await readShippedFaceres());
  const json = model as TfjsGraphModel & { format?: string; signature?: unknown };
  return tf.loadGraphModel({
    load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), format: json.format, signature: json.signature }),
  });
}

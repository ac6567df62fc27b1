/** Bytes → the one face a check compares → its embedding. */
import { decodeRgb, detectFaces, selectFace, type FaceSelection, type RgbImage } from './detect.ts';
import type { Embedder } from './embedders.ts';

export interface FaceEmbedding {
  selection: FaceSelection;
  embedding: Float32Array;
}

/** Detect, pick the largest face, embed it. Throws FaceError (undecodable / no-face / face-too-small). */
export async function embedImage(bytes: Buffer | Uint8Array, embedder: Embedder, label: string): Promise<FaceEmbedding> {
  return embedRgb(await decodeRgb(bytes), embedder, label);
}

export async function embedRgb(image: RgbImage, embedder: Embedder, label: string): Promise<FaceEmbedding> {
  const faces = await detectFaces(image, embedder.usesFaceresDescription);
  const selection = selectFace(faces, label);
  return { selection, embedding: await embedder.embed(selection.face) };
}

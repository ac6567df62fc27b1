/** Bytes → the one face a check compares → its embedding. */
import { decodeFrame, selectFace, type FaceFrame, type FaceSelection, type RgbImage } from './detect.ts';
import type { Embedder } from './embedders.ts';
import { locateFaces, type LocatedBy } from './locate.ts';

export interface FaceEmbedding {
  selection: FaceSelection;
  embedding: Float32Array;
  /** Which detection pass found the face (the whole frame, or an edge/small-face fallback). */
  locatedBy: LocatedBy;
}

/** Detect, pick the largest face, embed it. Throws FaceError (undecodable / no-face / face-too-small). */
export async function embedImage(bytes: Buffer | Uint8Array, embedder: Embedder, label: string): Promise<FaceEmbedding> {
  return embedRgb(await decodeFrame(bytes), embedder, label);
}

export async function embedRgb(image: RgbImage | FaceFrame, embedder: Embedder, label: string): Promise<FaceEmbedding> {
  const { faces, by } = await locateFaces(image, embedder.usesFaceresDescription);
  const selection = selectFace(faces, label);
  return { selection, embedding: await embedder.embed(selection.face), locatedBy: by };
}

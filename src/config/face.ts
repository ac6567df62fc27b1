import { z } from 'zod';

/** Video frames sampled for identity checks: the one default (src/face/check.ts reads it from here). */
export const DEFAULT_FACE_SAMPLE_FRAMES = 6;
/**
 * Share of sampled video frames that must show a face for `face-present` to pass. Below 1 because a healthy
 * swap still has frames where the head turns away or leaves the frame for a moment; 0.6 = a clear majority.
 */
export const DEFAULT_MIN_FACE_SHARE = 0.6;

export const faceSchema = z
  .object({
    /** mobilefacenet-onnx is opt-in: its model's licence is unverified (see src/face/README.md). */
    embedder: z.enum(['human-faceres', 'mobilefacenet-onnx']).default('human-faceres'),
    /** Video frames sampled for identity checks. */
    sampleFrames: z.number().int().min(1).max(64).default(DEFAULT_FACE_SAMPLE_FRAMES),
    /** Video: share of sampled frames that must have a face (0 < share ≤ 1); the match is judged over those frames. */
    minFaceShare: z.number().gt(0).max(1).default(DEFAULT_MIN_FACE_SHARE),
  })
  .strict();

export type FaceConfig = z.infer<typeof faceSchema>;

import { z } from 'zod';

export const faceSchema = z
  .object({
    /** mobilefacenet-onnx is opt-in: its model's licence is unverified (see src/face/README.md). */
    embedder: z.enum(['human-faceres', 'mobilefacenet-onnx']).default('human-faceres'),
    /** Video frames sampled for identity checks. */
    sampleFrames: z.number().int().min(1).max(64).default(6),
  })
  .strict();

export type FaceConfig = z.infer<typeof faceSchema>;

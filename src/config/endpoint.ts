import { z } from 'zod';

/** Per-endpoint overrides: extra request fields (e.g. a trained LoRA id), skip, deadlines. */
export const endpointOverrideSchema = z
  .object({
    /** Merged over the catalog's sample request (e.g. `{ lora_id: "my-character" }`). */
    request: z.record(z.string(), z.unknown()).optional(),
    /** Leave the endpoint out of gates and probes, with the reason shown in reports. */
    skip: z.string().min(1).optional(),
    /** Overall deadline for one call, seconds (before timeScale). */
    deadlineSec: z.number().positive().optional(),
    /** Face-match pass mark in percent, overriding the catalog's documented target. */
    faceTargetPct: z.number().min(0).max(100).optional(),
    /** This endpoint's state hysteresis, overriding probes.state (e.g. a flaky preview route). */
    state: z.object({ failuresToDown: z.number().int().min(1).optional(), passesToUp: z.number().int().min(1).optional() }).strict().optional(),
  })
  .strict();

export const endpointsSchema = z.record(z.string(), endpointOverrideSchema).default({});
export type EndpointOverride = z.infer<typeof endpointOverrideSchema>;

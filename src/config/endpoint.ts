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

/**
 * The endpoint ids an `endpoints:` key may name. The config layer imports nothing of genprobe, so
 * the CLI registers the catalog's ids here once (`useEndpointIds`); every config parsed after that
 * rejects a key that is not an id, since a typo would otherwise silently disable its override.
 */
export interface EndpointIds {
  has(id: string): boolean;
  /** The closest real id, for the error message. */
  nearest(id: string): string | undefined;
}

let knownIds: EndpointIds | null = null;

export function useEndpointIds(ids: EndpointIds | null): void {
  knownIds = ids;
}

/** One problem line per `endpoints:` key that names no endpoint (empty when all are known or no ids are registered). */
export function unknownEndpointKeys(endpoints: Record<string, unknown>, ids: EndpointIds | null = knownIds): string[] {
  if (!ids) return [];
  return Object.keys(endpoints)
    .filter((key) => !ids.has(key))
    .map((key) => {
      const near = ids.nearest(key);
      return `endpoints.${key}: unknown endpoint id "${key}"${near ? ` — did you mean "${near}"?` : ''} (\`genprobe catalog\` lists the ids)`;
    });
}

import { z } from 'zod';

/**
 * Several runners on one PostgreSQL (issue 17, src/coordination/): one GPU-spend ledger and one
 * probe per (endpoint, schedule slot). Absent: today's single-runner mode (probes.budget, a JSON
 * state file). Like `usage`, the config names the environment variable holding the URL, so the
 * password never lives in the config file; a configured but unset variable is an error.
 */
export const coordinationSchema = z
  .object({
    /** Name of the environment variable holding the coordination database URL. */
    databaseUrlEnv: z.string().min(1).default('GENPROBE_COORDINATION_URL'),
    /** Probe each (endpoint, slot) once per region (runner.region) instead of once in all. */
    perRegion: z.boolean().default(false),
    /** How often a runner that lost a slot's lock looks again whether the holder finished or died. */
    pollMs: z.number().int().min(10).max(60_000).default(250),
  })
  .strict();

export type CoordinationConfig = z.infer<typeof coordinationSchema>;

import { z } from 'zod';

/**
 * Several runners on one PostgreSQL (issue 17, src/coordination/): one GPU-spend ledger and one
 * probe per (endpoint, schedule slot). Absent: today's single-runner mode (probes.budget, a JSON
 * state file). The URL is `databaseUrl` (genprobe.config.ts is code: `process.env.X` keeps the
 * password out of the file) or, as for `usage`, the name of the environment variable holding it
 * (`databaseUrlEnv`, the default when neither is given); a configured but unset variable is an error.
 */
export const DEFAULT_COORDINATION_URL_ENV = 'GENPROBE_COORDINATION_URL';

export const coordinationSchema = z
  .object({
    /** The coordination database URL itself. Never printed: errors name the key, not the value. */
    databaseUrl: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL').optional(),
    /** Name of the environment variable holding the coordination database URL. */
    databaseUrlEnv: z.string().min(1).optional(),
    /** Probe each (endpoint, slot) once per region (runner.region) instead of once in all. */
    perRegion: z.boolean().default(false),
    /** How often a runner that lost a slot's lock looks again whether the holder finished or died. */
    pollMs: z.number().int().min(10).max(60_000).default(250),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.databaseUrl !== undefined && c.databaseUrlEnv !== undefined) ctx.addIssue({ code: 'custom', path: ['databaseUrl'], message: 'give coordination.databaseUrl or coordination.databaseUrlEnv, not both' });
  })
  .transform((c) => (c.databaseUrl === undefined ? { ...c, databaseUrlEnv: c.databaseUrlEnv ?? DEFAULT_COORDINATION_URL_ENV } : c));

export type CoordinationConfig = z.infer<typeof coordinationSchema>;

/** The configured coordination database URL: `databaseUrl`, or the variable `databaseUrlEnv` names. */
export function coordinationUrl(cfg: CoordinationConfig, env: NodeJS.ProcessEnv): { url: string | undefined; from: string } {
  if (cfg.databaseUrl !== undefined) return { url: cfg.databaseUrl, from: 'coordination.databaseUrl' };
  const name = cfg.databaseUrlEnv ?? DEFAULT_COORDINATION_URL_ENV;
  return { url: env[name], from: `the environment variable ${name} (coordination.databaseUrlEnv)` };
}

import { z } from 'zod';

export const usageSchema = z
  .object({
    /** Name of the environment variable holding the jobs database URL (never the URL itself). */
    databaseUrlEnv: z.string().default('GENPROBE_DATABASE_URL'),
    windowSec: z.number().int().positive().default(86_400),
    intervalSec: z.number().int().positive().default(60),
    statementTimeoutMs: z.number().int().positive().default(5_000),
  })
  .strict();

export type UsageConfig = z.infer<typeof usageSchema>;

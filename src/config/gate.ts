import { z } from 'zod';
import { parseDurationMs } from './duration.ts';

export const gateSchema = z
  .object({
    /** Calls in flight across all apps; each app is also held to its own max_inputs. */
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Retries only for network and modal-platform failures, shared by the whole run. */
    retryBudget: z.number().int().min(0).max(100).default(4),
    retriesPerCall: z.number().int().min(0).max(5).default(1),
    /** Checked-in list of known fleet defects. */
    waivers: z.string().default('waivers.yaml'),
    /** Golden images for fixed-seed outputs; drift is a warning unless goldenDrift is 'fail'. */
    goldenDir: z.string().default('fixtures/golden'),
    goldenDrift: z.enum(['warn', 'fail']).default('warn'),
    /** Run the negative (bad input) cases as well as the happy path. */
    negativeCases: z.boolean().default(true),
    /**
     * Where `gate --cache`, `--retry-failed` and `--resume` keep their state (relative to the working
     * directory): the result cache in <stateDir>/cache, the last run's journal in <stateDir>/last-run.json.
     */
    stateDir: z.string().min(1).default('.genprobe'),
    /** The result cache (off unless `gate --cache`): entries older than ttl are misses; the oldest go past maxMb. */
    cache: z
      .object({
        ttl: z.string().refine((d) => (parseDurationMs(d) ?? 0) > 0, { message: 'must be a duration such as "24h"' }).default('24h'),
        maxMb: z.number().positive().max(100_000).default(512),
      })
      .strict()
      .default({ ttl: '24h', maxMb: 512 }),
  })
  .strict();

export type GateConfig = z.infer<typeof gateSchema>;

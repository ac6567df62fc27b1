import { z } from 'zod';
import cron from 'node-cron';

/**
 * health: GET /health (cheap warm-up). smoke: one real generation, fixed seed, small size.
 * full: the endpoint's whole contract (happy path + negative cases).
 */
export const probeKindSchema = z.enum(['health', 'smoke', 'full']);
export type ProbeKind = z.infer<typeof probeKindSchema>;

export const scheduleSchema = z
  .object({
    /** An endpoint id, or a tag (`tag:cheap`), or `*`. */
    match: z.string().min(1),
    cron: z.string().refine((c) => cron.validate(c), { message: 'is not a valid cron expression' }),
    kind: probeKindSchema,
  })
  .strict();

export const budgetSchema = z
  .object({
    dailyUsd: z.number().nonnegative().default(5),
    monthlyUsd: z.number().nonnegative().default(100),
    /** JSON file keeping spend across restarts (and shared by `probe --once` runs). */
    stateFile: z.string().min(1).optional(),
  })
  .strict();

/** Hysteresis of the endpoint state (src/state/): Gatus' failure/success thresholds. */
export const stateThresholdsSchema = z
  .object({
    /** Failures in a row before an endpoint is down (before that it is pending). */
    failuresToDown: z.number().int().min(1).default(3),
    /** Passes in a row before a down endpoint is up again. */
    passesToUp: z.number().int().min(1).default(2),
  })
  .strict();

export const probesSchema = z
  .object({
    schedules: z.array(scheduleSchema).default([]),
    budget: budgetSchema.default({ dailyUsd: 5, monthlyUsd: 100 }),
    /** Warm the app (and the apps it delegates to) with GET /health before smoke/full probes. */
    warmUp: z.boolean().default(true),
    timezone: z.string().default('UTC'),
    state: stateThresholdsSchema.default({ failuresToDown: 3, passesToUp: 2 }),
    /**
     * Self-check before an unanswered probe counts against its endpoint: app names (GET /health on
     * the target) or http(s) URLs; when none answers, the probe is recorded as prober-offline.
     */
    canaries: z.array(z.string().min(1)).min(1).default(['ryla-flux', 'ryla-qwen-image']),
  })
  .strict();

export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type BudgetConfig = z.infer<typeof budgetSchema>;
export type StateThresholdsConfig = z.infer<typeof stateThresholdsSchema>;
export type ProbesConfig = z.infer<typeof probesSchema>;

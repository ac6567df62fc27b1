import { z } from 'zod';
import { DEFAULT_TARGET_TEMPLATE } from '../client/url.ts';

/**
 * Where genprobe sends requests. The URL template names the app with `{app}` and optionally the
 * workspace with `{workspace}`; the default is Modal's deployed-ASGI URL for the fleet, defined
 * once with the client that resolves it (src/client/url.ts).
 */

export const targetSchema = z
  .object({
    url: z
      .string()
      .default(DEFAULT_TARGET_TEMPLATE)
      .refine((u) => u.includes('{app}'), { message: 'must contain {app}, e.g. http://127.0.0.1:8787/{app}' }),
    workspace: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes').default('ryla'),
    /**
     * Multiplies every documented time (budgets, deadlines, the 150 s cut). 1 for the real fleet;
     * 0.01 for the bundled emulator run time-scaled (a 425 s call takes 4.25 s).
     */
    timeScale: z.number().positive().max(1).default(1),
    /** Fixed slack added to every budget and deadline, for local rendering cost of an emulator. */
    overheadMs: z.number().int().min(0).default(0),
    /**
     * Bodies above this size are cut and reported as too-large. The fleet's largest outputs are a few
     * MB (a 1440-px SeedVR2 PNG is 3.5 MB), so 128 MiB is generous and bounds memory for a body
     * that never ends.
     */
    maxBodyBytes: z.number().int().positive().default(128 * 1024 * 1024),
    /**
     * Address classes a redirect may lead to besides the target's own. Modal's result URLs stay on
     * the target's host, so the default is none: a redirect from the public edge to 169.254.169.254,
     * a private network or loopback (or from a loopback stand-in out to the internet) is refused.
     */
    allowRedirectsTo: z.array(z.enum(['loopback', 'link-local', 'private', 'public'])).default([]),
    /**
     * Each call's socket work on the client's own worker thread (src/client/off-thread.ts), so the
     * moments it is timed at wait for none of this process's GCs and checks. It costs ~70 MB of
     * memory and ~0.3 s once per process; `false` keeps the calls on the caller's thread.
     */
    clientThread: z.boolean().default(true),
  })
  .strict();

/**
 * `overheadMs` for the bundled emulator: its local rendering (sharp, ffmpeg) is not time-scaled,
 * so its budgets get this slack. Read by `--emulator` and by the generated suites.
 */
export const EMULATOR_OVERHEAD_MS = 45_000;

export type TargetConfig = z.infer<typeof targetSchema>;

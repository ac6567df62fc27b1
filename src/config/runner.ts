import { z } from 'zod';

/**
 * Runner identity (issue 17): which probe runner a series comes from when several run — one per
 * fleet and region, say. Both become labels on every series the runner exports (`runner`,
 * `region`), so a name is a short bounded token: it must not be an id that changes per pod restart
 * (use a StatefulSet name or a fixed per-deployment name, not the pod hash) or Prometheus grows a
 * new series set per restart.
 */
export const IDENTITY_NAME = /^[a-z0-9]([a-z0-9_.-]{0,30}[a-z0-9])?$/;
const identityName = (what: string) =>
  z.string().regex(IDENTITY_NAME, `${what}: 1–32 characters of a-z, 0-9, '.', '_', '-' starting and ending with a letter or digit (a bounded metric label)`);

export const runnerSchema = z
  .object({
    /** This runner's name, e.g. `prod-eu-1`; the `runner` label. */
    name: identityName('runner.name').optional(),
    /** Where it runs, e.g. `eu-west`; the `region` label. */
    region: identityName('runner.region').optional(),
  })
  .strict();

export type RunnerConfig = z.infer<typeof runnerSchema>;

/** The labels a runner puts on every series: none for today's single unnamed runner. */
export function runnerLabels(r: RunnerConfig | undefined): Record<string, string> {
  return { ...(r?.name ? { runner: r.name } : {}), ...(r?.region ? { region: r.region } : {}) };
}

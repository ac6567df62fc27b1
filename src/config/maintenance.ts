import { z } from 'zod';

/** Windows in which scheduled probes are paused (deploys, known outages), as in Gatus. */
export const maintenanceSchema = z
  .array(
    z
      .object({
        start: z.iso.datetime({ offset: true }),
        end: z.iso.datetime({ offset: true }),
        apps: z.array(z.string()).optional(),
        reason: z.string().min(1),
      })
      .strict()
      .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'end must be after start' }),
  )
  .default([]);

export type MaintenanceWindow = z.infer<typeof maintenanceSchema>[number];

export function inMaintenance(windows: MaintenanceWindow[], app: string, now = Date.now()): MaintenanceWindow | undefined {
  return windows.find((w) => Date.parse(w.start) <= now && now < Date.parse(w.end) && (!w.apps || w.apps.includes(app)));
}

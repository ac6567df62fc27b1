import { z } from 'zod';

export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9464),
    /**
     * Optional auth on everything but /healthz. Values are names of environment variables, so the
     * secrets themselves never live in the config file.
     */
    auth: z
      .union([
        z.object({ bearerTokenEnv: z.string().min(1) }).strict(),
        z.object({ basicUserEnv: z.string().min(1), basicPasswordEnv: z.string().min(1) }).strict(),
      ])
      .optional(),
  })
  .strict();

export type ServerConfig = z.infer<typeof serverSchema>;

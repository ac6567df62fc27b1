import { z } from 'zod';

export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9464),
    /**
     * Host names the server answers to besides IP literals and localhost names (DNS rebinding: a
     * page whose name rebinds to this machine sends its own name as Host). `name` matches exactly,
     * `*.example.com` any subdomain, `*` every name (only behind auth or a proxy that checks Host).
     * A Prometheus that scrapes `genprobe:9464` needs `allowedHosts: ['genprobe']`.
     */
    allowedHosts: z
      .array(z.string().regex(/^(\*|(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/, 'a host name, "*.domain" or "*" (no scheme, port or path)'))
      .default([]),
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

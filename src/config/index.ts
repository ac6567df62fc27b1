/**
 * genprobe.config.ts — config as code, validated with zod. One sub-module per concern
 * (target, endpoint, gate, probes, maintenance, server, usage, face), as Gatus splits its config.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { targetSchema } from './target.ts';
import { endpointsSchema } from './endpoint.ts';
import { gateSchema } from './gate.ts';
import { probesSchema } from './probes.ts';
import { maintenanceSchema } from './maintenance.ts';
import { serverSchema } from './server.ts';
import { usageSchema } from './usage.ts';
import { faceSchema } from './face.ts';

export const configSchema = z
  .object({
    target: targetSchema.default(targetSchema.parse({})),
    endpoints: endpointsSchema,
    gate: gateSchema.default(gateSchema.parse({})),
    probes: probesSchema.default(probesSchema.parse({})),
    maintenance: maintenanceSchema,
    server: serverSchema.default(serverSchema.parse({})),
    usage: usageSchema.default(usageSchema.parse({})),
    face: faceSchema.default(faceSchema.parse({})),
  })
  .strict();

export type GenprobeConfig = z.infer<typeof configSchema>;
export type GenprobeConfigInput = z.input<typeof configSchema>;

/** Identity helper for typed `genprobe.config.ts` files. */
export function defineConfig(config: GenprobeConfigInput): GenprobeConfigInput {
  return config;
}

export class ConfigError extends Error {
  readonly code = 'GENPROBE_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validate a config object; the error names every bad field by its path. */
export function parseConfig(input: unknown, source = 'config'): GenprobeConfig {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ConfigError(`invalid ${source}:\n${lines.join('\n')}`);
}

export const CONFIG_FILES = ['genprobe.config.ts', 'genprobe.config.mts', 'genprobe.config.js', 'genprobe.config.mjs'];

/** Find and load the config file (explicit path, else the first of CONFIG_FILES in cwd); none → defaults. */
export async function loadConfig(explicit?: string, cwd = process.cwd()): Promise<{ config: GenprobeConfig; file: string | null }> {
  const file = explicit ? path.resolve(cwd, explicit) : CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  if (!file) return { config: parseConfig({}), file: null };
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new ConfigError(`cannot load ${path.basename(file)}: ${(err as Error).message}`);
  }
  const value = mod.default ?? mod;
  const config = parseConfig(value, path.basename(file));
  // Paths in a config file mean "next to the config file", wherever genprobe is run from.
  const dir = path.dirname(file);
  config.gate.waivers = path.resolve(dir, config.gate.waivers);
  config.gate.goldenDir = path.resolve(dir, config.gate.goldenDir);
  return { config, file };
}

export { inMaintenance } from './maintenance.ts';
export type { TargetConfig } from './target.ts';
export type { EndpointOverride } from './endpoint.ts';
export type { GateConfig } from './gate.ts';
export type { ProbesConfig, ScheduleConfig, BudgetConfig, ProbeKind } from './probes.ts';
export type { MaintenanceWindow } from './maintenance.ts';
export type { ServerConfig } from './server.ts';
export type { UsageConfig } from './usage.ts';
export type { FaceConfig } from './face.ts';

/**
 * genprobe.config.ts — config as code, validated with zod. One sub-module per concern
 * (target, endpoint, gate, probes, maintenance, server, usage, face), as Gatus splits its config.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { GenprobeError } from '../errors/index.ts';
import { targetSchema } from './target.ts';
import { endpointsSchema, unknownEndpointKeys } from './endpoint.ts';
import { gateSchema } from './gate.ts';
import { probesSchema } from './probes.ts';
import { maintenanceSchema } from './maintenance.ts';
import { serverSchema } from './server.ts';
import { usageSchema } from './usage.ts';
import { faceSchema } from './face.ts';
import { runnerSchema } from './runner.ts';
import { coordinationSchema } from './coordination.ts';

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
    runner: runnerSchema.default({}),
    coordination: coordinationSchema.optional(),
  })
  .strict();

export type GenprobeConfig = z.infer<typeof configSchema>;
export type GenprobeConfigInput = z.input<typeof configSchema>;

/** Identity helper for typed `genprobe.config.ts` files. */
export function defineConfig(config: GenprobeConfigInput): GenprobeConfigInput {
  return config;
}

export class ConfigError extends GenprobeError {
  constructor(message: string) {
    super(message, 'GENPROBE_CONFIG');
  }
}

/** Validate a config object; the error names every bad field by its path. */
export function parseConfig(input: unknown, source = 'config'): GenprobeConfig {
  const result = configSchema.safeParse(input ?? {});
  const lines = result.success
    ? unknownEndpointKeys(result.data.endpoints).map((l) => `  - ${l}`)
    : result.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  if (result.success && !lines.length) return result.data;
  throw new ConfigError(`invalid ${source}:\n${lines.join('\n')}`);
}

/** The waivers shipped with genprobe: the known defects of the fleet it was built for. */
export const BUNDLED_WAIVERS = fileURLToPath(new URL('../../waivers.yaml', import.meta.url));

/**
 * Without an explicit `gate.waivers`, the first `waivers.yaml` next to the config file or in the
 * working directory applies, else the bundled one, so a config kept elsewhere does not silently
 * lose the fleet's known-defect list.
 */
export function defaultWaiversPath(dirs: string[]): string {
  return dirs.map((d) => path.join(d, 'waivers.yaml')).find((f) => existsSync(f)) ?? BUNDLED_WAIVERS;
}

export const CONFIG_FILES = ['genprobe.config.ts', 'genprobe.config.mts', 'genprobe.config.js', 'genprobe.config.mjs'];

/** Find and load the config file (explicit path, else the first of CONFIG_FILES in cwd); none → defaults. */
export async function loadConfig(explicit?: string, cwd = process.cwd()): Promise<{ config: GenprobeConfig; file: string | null }> {
  const file = explicit ? path.resolve(cwd, explicit) : CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  if (!file) {
    const config = parseConfig({});
    config.gate.waivers = defaultWaiversPath([cwd]);
    return { config, file: null };
  }
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
  const explicitWaivers = (value as { gate?: { waivers?: unknown } } | undefined)?.gate?.waivers !== undefined;
  config.gate.waivers = explicitWaivers ? path.resolve(dir, config.gate.waivers) : defaultWaiversPath([dir, cwd]);
  config.gate.goldenDir = path.resolve(dir, config.gate.goldenDir);
  return { config, file };
}

export { inMaintenance } from './maintenance.ts';
export type { TargetConfig } from './target.ts';
export type { EndpointOverride, EndpointIds } from './endpoint.ts';
export { useEndpointIds } from './endpoint.ts';
export type { GateConfig } from './gate.ts';
export type { ProbesConfig, ScheduleConfig, BudgetConfig, ProbeKind } from './probes.ts';
export type { MaintenanceWindow } from './maintenance.ts';
export type { ServerConfig } from './server.ts';
export type { UsageConfig } from './usage.ts';
export type { FaceConfig } from './face.ts';
export { runnerLabels, type RunnerConfig } from './runner.ts';
export type { CoordinationConfig } from './coordination.ts';

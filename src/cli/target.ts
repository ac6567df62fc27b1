import type { GenprobeConfig } from '../config/index.ts';
import { parseConfig } from '../config/index.ts';

export interface TargetFlags {
  emulator?: boolean;
  timeScale?: string;
  target?: string;
  workspace?: string;
  /** More src/emulator/main.ts flags for --emulator (e.g. `--drift route-removed:ryla-wan26/wan2.6-r2v`). */
  emulatorArgs?: string[];
}

/** Local rendering of the emulator (sharp, ffmpeg) is not time-scaled; give budgets this slack. */
export const EMULATOR_OVERHEAD_MS = 45_000;

/**
 * Run `fn` against the configured target, or against a freshly started bundled emulator
 * (closed afterwards, whatever happens).
 */
export async function withTarget<T>(config: GenprobeConfig, flags: TargetFlags, fn: (cfg: GenprobeConfig) => Promise<T>): Promise<T> {
  const target = { ...config.target };
  if (flags.target) target.url = flags.target;
  if (flags.workspace) target.workspace = flags.workspace;
  if (!flags.emulator) return fn(parseConfig({ ...config, target }));
  const timeScale = flags.timeScale ? Number(flags.timeScale) : 0.01;
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`--time-scale: "${flags.timeScale}" must be in (0, 1]`);
  // Its own process: face inference and pixel checks here would otherwise delay the emulator's
  // answers into false timeouts.
  const { startEmulatorProcess } = await import('../emulator/process.ts');
  const server = await startEmulatorProcess({ timeScale, args: flags.emulatorArgs });
  try {
    const cfg = parseConfig({ ...config, target: { ...target, url: `${server.url}/{app}`, timeScale, overheadMs: Math.max(target.overheadMs, EMULATOR_OVERHEAD_MS) } });
    return await fn(cfg);
  } finally {
    await server.close();
  }
}

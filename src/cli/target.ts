import type { GenprobeConfig } from '../config/index.ts';
import { parseConfig } from '../config/index.ts';

export interface TargetFlags {
  emulator?: boolean;
  timeScale?: string;
  target?: string;
  workspace?: string;
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
  const { createEmulator } = await import('../emulator/index.ts');
  const emulator = createEmulator({ timeScale });
  const server = await emulator.listen(0);
  try {
    const cfg = parseConfig({ ...config, target: { ...target, url: `${server.url}/{app}`, timeScale, overheadMs: Math.max(target.overheadMs, EMULATOR_OVERHEAD_MS) } });
    return await fn(cfg);
  } finally {
    await server.close();
  }
}

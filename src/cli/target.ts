import type { GenprobeConfig } from '../config/index.ts';
import { parseConfig } from '../config/index.ts';
import { EMULATOR_OVERHEAD_MS } from '../config/target.ts';
import { parseTimeScale, type TargetFlags } from './flags.ts';

/** The gate's first-line note on where the time scale comes from (empty for the default). */
export function timeScaleNote(flags: TargetFlags): string {
  if (flags.timeScale === undefined) return '';
  return flags.emulator ? ', from --time-scale' : ', from --time-scale: budgets and deadlines scaled for a time-scaled target';
}

/**
 * Run `fn` against the configured target, or against a freshly started bundled emulator
 * (closed afterwards, whatever happens).
 */
export async function withTarget<T>(config: GenprobeConfig, flags: TargetFlags, fn: (cfg: GenprobeConfig) => Promise<T>): Promise<T> {
  const target = { ...config.target };
  if (flags.target) target.url = flags.target;
  if (flags.workspace) target.workspace = flags.workspace;
  // --time-scale applies to any target: a time-scaled stand-in (an emulator started elsewhere, a
  // recorded replay) needs scaled budgets and deadlines as much as the bundled emulator does.
  const timeScale = flags.timeScale !== undefined ? parseTimeScale(flags.timeScale) : flags.emulator ? 0.01 : target.timeScale;
  if (!flags.emulator) return fn(parseConfig({ ...config, target: { ...target, timeScale } }));
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

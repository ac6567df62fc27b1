import { loadConfig } from '../config/index.ts';
import { UsageError } from '../errors/index.ts';
import { CONFIG_FLAG, HELP_FLAG, parseFlags } from './flags.ts';

export async function usageCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('usage', argv, { ...CONFIG_FLAG, ...HELP_FLAG, window: { type: 'string' } });
  if (values.help) {
    console.log('genprobe usage [--window SECONDS] [--config FILE]\n  Print the Modal / ComfyUI / FAL / RunPod split of generation_jobs. The database URL is read from\n  the environment variable named by usage.databaseUrlEnv (default GENPROBE_DATABASE_URL).');
    return 0;
  }
  const { config } = await loadConfig(values.config);
  const windowSec = values.window ? Number(values.window) : config.usage.windowSec;
  if (!Number.isInteger(windowSec) || windowSec <= 0) throw new UsageError(`--window: "${values.window}" is not a positive number of seconds`);
  const { runUsageCommand } = await import('../usage/table.ts');
  return runUsageCommand({ connectionString: process.env[config.usage.databaseUrlEnv], windowSec, statementTimeoutMs: config.usage.statementTimeoutMs });
}

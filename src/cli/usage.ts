import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';

export async function usageCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, window: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log('genprobe usage [--window SECONDS] [--config FILE]\n  Print the Modal / ComfyUI / FAL / RunPod split of generation_jobs. The database URL is read from\n  the environment variable named by usage.databaseUrlEnv (default GENPROBE_DATABASE_URL).');
    return 0;
  }
  const { config } = await loadConfig(values.config);
  const windowSec = values.window ? Number(values.window) : config.usage.windowSec;
  if (!Number.isInteger(windowSec) || windowSec <= 0) throw new Error(`--window: "${values.window}" is not a positive number of seconds`);
  const { runUsageCommand } = await import('../usage/table.ts');
  return runUsageCommand({ connectionString: process.env[config.usage.databaseUrlEnv], windowSec, statementTimeoutMs: config.usage.statementTimeoutMs });
}

/**
 * The `genprobe` command. Each subcommand lives in its own module and is loaded on demand, so
 * `genprobe gate` does not pay for the probe service and vice versa.
 */
import { useEndpointIds } from '../config/index.ts';
import { cliErrorLine, exitCodeFor } from '../errors/index.ts';
import { catalogEndpointIds } from './endpoint-ids.ts';

/**
 * Every command, once: its name and its line in the help. The name is also its module: `./<name>.ts`
 * exports `<name>Command`, loaded only when that command runs (main.test.ts holds every module here).
 */
export const COMMANDS = [
  ['gate', 'run the endpoint contracts (CI gate before a deploy)'],
  ['report', 'report merge: join sharded gate reports (gate --shard i/n) into one'],
  ['emulate', 'start the bundled fleet emulator'],
  ['serve', 'run scheduled probes and serve /metrics, /api/status and the status page'],
  ['probe', 'one-shot probes for an external cron (--once), optionally to a Pushgateway'],
  ['usage', 'Modal-versus-ComfyUI usage from the jobs database, as a table'],
  ['face', 'face identity tools (face calibrate)'],
  ['selftest', 'inject every emulator fault and show which check catches it'],
  ['maintenance', 'open/close maintenance windows on a running `genprobe serve` (start|end|list)'],
  ['waive', 'accept a known defect: add a waiver to the waivers file'],
  ['catalog', 'list the endpoint catalog'],
  ['consumers', 'consumer contracts: import a TypeScript client, verify its calls (static / live)'],
  ['inventory', 'the routes each app registers (/openapi.json) vs the catalog and consumer files'],
] as const satisfies readonly (readonly [string, string])[];

const NAME_WIDTH = Math.max(...COMMANDS.map(([name]) => name.length)) + 1;

const HELP = [
  'genprobe — contract tests and production probes for GPU generation endpoints on Modal',
  '',
  'Usage: genprobe <command> [options]   (genprobe <command> --help for its options)',
  '',
  ...COMMANDS.map(([name, summary]) => `  ${name.padEnd(NAME_WIDTH)}${summary}`),
  '',
  'Exit codes: 0 passed, 1 a contract failed, 2 tool or config error.',
].join('\n');

type Command = (argv: string[]) => Promise<number>;

/** The command's function from its module; a module without it is a broken build, said by name. */
export async function loadCommand(name: string): Promise<Command> {
  const module = (await import(`./${name}.ts`)) as Record<string, unknown>;
  const command = module[`${name}Command`];
  if (typeof command !== 'function') throw new Error(`src/cli/${name}.ts does not export ${name}Command`);
  return command as Command;
}

const isCommand = (name: string) => COMMANDS.some(([known]) => known === name);

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  if (!isCommand(name)) {
    console.error(`genprobe: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    // A typo under `endpoints:` in any command's config is an error, not a silently ignored override.
    useEndpointIds(await catalogEndpointIds());
    return await (await loadCommand(name))(rest);
  } catch (err) {
    // Tool, config and usage errors exit 2 with one clear line; the stack only on request.
    console.error(`genprobe ${name}: ${cliErrorLine(err)}`);
    if (process.env.GENPROBE_DEBUG) console.error(err instanceof Error ? err.stack : err);
    return exitCodeFor(err);
  }
}

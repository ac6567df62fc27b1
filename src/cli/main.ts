/**
 * The `genprobe` command. Each subcommand lives in its own module and is loaded on demand, so
 * `genprobe gate` does not pay for the probe service and vice versa.
 */
import { useEndpointIds } from '../config/index.ts';
import { cliErrorLine, exitCodeFor } from '../errors/index.ts';
import { catalogEndpointIds } from './endpoint-ids.ts';

const HELP = `genprobe — contract tests and production probes for GPU generation endpoints on Modal

Usage: genprobe <command> [options]   (genprobe <command> --help for its options)

  gate        run the endpoint contracts (CI gate before a deploy)
  report      report merge: join sharded gate reports (gate --shard i/n) into one
  emulate     start the bundled fleet emulator
  serve       run scheduled probes and serve /metrics, /api/status and the status page
  probe       one-shot probes for an external cron (--once), optionally to a Pushgateway
  usage       Modal-versus-ComfyUI usage from the jobs database, as a table
  face        face identity tools (face calibrate)
  selftest    inject every emulator fault and show which check catches it
  maintenance open/close maintenance windows on a running \`genprobe serve\` (start|end|list)
  waive       accept a known defect: add a waiver to the waivers file
  catalog     list the endpoint catalog
  consumers   consumer contracts: import a TypeScript client, verify its calls (static / live)
  inventory   the routes each app registers (/openapi.json) vs the catalog and consumer files

Exit codes: 0 passed, 1 a contract failed, 2 tool or config error.`;

type Command = (argv: string[]) => Promise<number>;
const COMMANDS: Record<string, () => Promise<Command>> = {
  gate: async () => (await import('./gate.ts')).gateCommand,
  report: async () => (await import('./report.ts')).reportCommand,
  emulate: async () => (await import('./emulate.ts')).emulateCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  probe: async () => (await import('./probe.ts')).probeCommand,
  usage: async () => (await import('./usage.ts')).usageCommand,
  face: async () => (await import('./face.ts')).faceCommand,
  selftest: async () => (await import('./selftest.ts')).selftestCommand,
  maintenance: async () => (await import('./maintenance.ts')).maintenanceCommand,
  waive: async () => (await import('./waive.ts')).waiveCommand,
  catalog: async () => (await import('./catalog.ts')).catalogCommand,
  consumers: async () => (await import('./consumers.ts')).consumersCommand,
  inventory: async () => (await import('./inventory.ts')).inventoryCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`genprobe: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    // A typo under `endpoints:` in any command's config is an error, not a silently ignored override.
    useEndpointIds(await catalogEndpointIds());
    return await (await load())(rest);
  } catch (err) {
    // Tool, config and usage errors exit 2 with one clear line; the stack only on request.
    console.error(`genprobe ${name}: ${cliErrorLine(err)}`);
    if (process.env.GENPROBE_DEBUG) console.error(err instanceof Error ? err.stack : err);
    return exitCodeFor(err);
  }
}

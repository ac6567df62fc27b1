/**
 * `genprobe inventory`: which routes each app really registers (GET /openapi.json — every app of
 * the fleet is FastAPI), compared with the catalog and the consumer-contract files. No GPU time.
 */
import { ModalClient } from '../client/index.ts';
import { loadConfig } from '../config/index.ts';
import { compareInventory, inventoryApps, loadConsumerFile, readInventory, type InventoryFinding } from '../consumers/index.ts';
import { UsageError } from '../errors/index.ts';
import { CONFIG_FLAG, DRIFT_FLAG, driftArgs, HELP_FLAG, parseFlags, TARGET_FLAGS, targetFlags } from './flags.ts';
import { withTarget } from './target.ts';

export const INVENTORY_HELP = `genprobe inventory [--consumers FILE …] [--emulator [--drift SPEC …]] [--target TEMPLATE] [--workspace NAME] [--json FILE] [--config FILE]
  GET /openapi.json on every app and compare: routes deployed but not catalogued, catalogued routes
  not registered, apps not deployed, consumer calls sent to an app that does not register the route.
Exit codes: 0 nothing fails (uncatalogued routes are warnings), 1 a route callers need is missing, 2 tool error.`;

export async function inventoryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'inventory',
    argv,
    { ...TARGET_FLAGS, ...DRIFT_FLAG, ...CONFIG_FLAG, ...HELP_FLAG, consumers: { type: 'string', multiple: true }, json: { type: 'string' } },
    true,
  );
  if (values.help) {
    console.log(INVENTORY_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`inventory: unexpected argument(s) ${positionals.join(' ')}`);
  const files = (values.consumers ?? []).map((f) => loadConsumerFile(f).contract);
  const { config } = await loadConfig(values.config);
  const emulatorArgs = driftArgs(values.drift, values.emulator);
  return withTarget(config, targetFlags(values, emulatorArgs), async (cfg) => {
    const client = ModalClient.forTarget(cfg.target);
    const t0 = performance.now();
    const inventory = await readInventory(client, inventoryApps(files), cfg.target);
    const findings = compareInventory(inventory, files);
    console.log(`genprobe inventory → ${cfg.target.url} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    for (const a of inventory.values()) console.log(`  ${a.app.padEnd(16)} ${a.state === 'registered' ? `${a.paths.size} routes` : a.state}`);
    console.log(formatFindings(findings));
    if (values.json) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(values.json, `${JSON.stringify({ schemaVersion: 1, target: cfg.target.url, apps: [...inventory.values()].map((a) => ({ app: a.app, state: a.state, paths: Object.fromEntries(a.paths), detail: a.detail })), findings }, null, 2)}\n`);
      console.log(`report written: ${values.json}`);
    }
    const failed = findings.filter((f) => f.severity === 'fail').length;
    console.log(`${failed ? 'inventory FAILED' : 'inventory passed'}: ${failed} failing, ${findings.length - failed} warnings`);
    return failed ? 1 : 0;
  });
}

function formatFindings(findings: InventoryFinding[]): string {
  if (!findings.length) return 'no findings';
  const rows = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'fail' ? -1 : 1) || a.app.localeCompare(b.app) || a.path.localeCompare(b.path));
  const w = [Math.max(...rows.map((r) => r.code.length)), Math.max(...rows.map((r) => r.app.length)), Math.max(...rows.map((r) => r.path.length))];
  return rows.map((r) => `${r.severity === 'fail' ? '✗' : '!'} ${r.code.padEnd(w[0])}  ${r.app.padEnd(w[1])}  ${r.path.padEnd(w[2])}  ${r.message}`).join('\n');
}

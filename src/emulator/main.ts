/**
 * Runs the fleet emulator standalone:
 *   npx tsx src/emulator/main.ts --port 8787 --time-scale 0.01
 * Options: --host, --http-limit <s>, --scaledown-window <s>, --no-cold-start, --seed <n>,
 * --lora <stem> (repeatable; replaces the default trained LoRAs), --deploy <app>, --undeploy <app>,
 * --concurrent-containers (a container runs max_inputs requests at once instead of one at a time,
 * which is what the fleet's blocking handlers do; see timing.ts).
 */
import { parseArgs } from 'node:util';
import { parseDriftSpec } from './drift.ts';
import { createEmulator, type AppName } from './index.ts';

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'time-scale': { type: 'string' },
      'http-limit': { type: 'string' },
      'scaledown-window': { type: 'string' },
      'no-cold-start': { type: 'boolean', default: false },
      'concurrent-containers': { type: 'boolean', default: false },
      seed: { type: 'string' },
      lora: { type: 'string', multiple: true },
      deploy: { type: 'string', multiple: true },
      undeploy: { type: 'string', multiple: true },
      // Deploy-drift faults (drift.ts): route-removed:APP/PATH, app-undeployed:APP, field-renamed:APP/PATH:FROM=TO.
      drift: { type: 'string', multiple: true },
    },
  });
  const deployed: Partial<Record<AppName, boolean>> = {};
  for (const a of values.deploy ?? []) deployed[a as AppName] = true;
  for (const a of values.undeploy ?? []) deployed[a as AppName] = false;
  const emu = createEmulator({
    timeScale: num('time-scale', values['time-scale']),
    httpLimitSec: num('http-limit', values['http-limit']),
    scaledownWindowSec: num('scaledown-window', values['scaledown-window']),
    coldStart: !values['no-cold-start'],
    serialContainers: !values['concurrent-containers'],
    seed: num('seed', values.seed),
    loras: values.lora,
    deployed,
    drift: (values.drift ?? []).map(parseDriftSpec),
  });
  const server = await emu.listen(num('port', values.port), values.host);
  console.log(`genprobe fleet emulator listening on ${server.url} (apps at ${server.url}/<app>/<path>, control at ${server.url}/__emulator/state)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started as a child (src/emulator/process.ts): if the parent dies without stopping us, we are
  // re-parented; exit rather than linger on a port nobody uses.
  if (process.env.GENPROBE_EMULATOR_CHILD) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop();
    }, 2000).unref();
  }
}

main().catch((e: unknown) => {
  console.error(`emulator: ${(e as Error).message}`);
  process.exit(1);
});

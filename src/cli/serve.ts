import { existsSync } from 'node:fs';
import { loadConfig, parseConfig, type GenprobeConfig, runnerLabels } from '../config/index.ts';
import type { FaceCheck } from '../runner/run-endpoint.ts';
import { jsonLineLogger } from '../probes/probe-runner.ts';
import { createProbeService } from '../probes/service.ts';
import { createServer, listen } from '../server/app.ts';
import { registerMaintenanceApi } from '../server/maintenance-api.ts';
import { registerBadges } from '../server/badges.ts';
import { registerReview } from '../server/review/routes.ts';
import { ReviewStore } from '../server/review/store.ts';
import { stateDir } from '../cache/index.ts';
import path from 'node:path';
import { CONFIG_FLAG, FACE_FLAG, HELP_FLAG, parseFlags, PROBE_SERVICE_FLAGS, TARGET_FLAGS, targetFlags } from './flags.ts';
import { withTarget } from './target.ts';

export const SERVE_HELP = `genprobe serve [options]
  Run the scheduled probes from config (probes.schedules) and serve /metrics, /healthz, /api/status.
  --config FILE            config file (default genprobe.config.ts if present)
  --emulator               start the bundled fleet emulator and probe it
  --time-scale N           emulator time scale (default 0.01)
  --target TEMPLATE        URL template, e.g. http://127.0.0.1:8787/{app}
  --workspace NAME         Modal workspace for the default template
  --host HOST              listen address (default server.host, 127.0.0.1)
  --port N                 listen port (default server.port, 9464; 0 = any free port)
  --budget-state FILE      keep GPU spend across restarts in this JSON file (or $GENPROBE_BUDGET_STATE)
  --runner NAME            this runner's name (runner.name): a \`runner\` label on every series
  --region R               where it runs (runner.region): a \`region\` label on every series
  --no-face                skip face identity checks
Runs until SIGINT/SIGTERM. One JSON line per probe on stdout.`;

/** --runner/--region over config.runner, validated like the config keys (bounded label values). */
export function applyRunnerFlags(config: GenprobeConfig, flags: { runner?: string; region?: string }): GenprobeConfig {
  if (flags.runner === undefined && flags.region === undefined) return config;
  const runner = { ...config.runner, ...(flags.runner === undefined ? {} : { name: flags.runner }), ...(flags.region === undefined ? {} : { region: flags.region }) };
  return parseConfig({ ...config, runner }, '--runner/--region');
}

/**
 * The face check on the face worker thread (src/face/off-thread.ts), started with its model (~1 s)
 * when a face route is first checked: ~100 ms of CPU per image, seconds per video, stay off the
 * event loop that times the calls still in flight (issue 16, part 3). Same results as in-thread.
 */
export const lazyFaceCheck: FaceCheck = async (input) => (await import('../face/off-thread.ts')).faceMatchCheckOffThread(input);

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    ...TARGET_FLAGS,
    ...FACE_FLAG,
    ...CONFIG_FLAG,
    ...HELP_FLAG,
    ...PROBE_SERVICE_FLAGS,
    host: { type: 'string' },
    port: { type: 'string' },
  });
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const { config: loaded, file: configFile } = await loadConfig(values.config);
  let config = applyRunnerFlags(loaded, { runner: values.runner, region: values.region });
  if (values.host !== undefined || values.port !== undefined) {
    const port = values.port === undefined ? config.server.port : Number(values.port);
    config = parseConfig({ ...config, server: { ...config.server, host: values.host ?? config.server.host, port } }, '--host/--port');
  }
  return withTarget(config, targetFlags(values), async (cfg) => {
    const log = jsonLineLogger;
    // The files that apply, wherever they came from (a working directory's config is code genprobe runs).
    log({ event: 'config', file: configFile, waivers: existsSync(cfg.gate.waivers) ? cfg.gate.waivers : null, ...runnerLabels(cfg.runner) });
    const service = await createProbeService({
      config: cfg,
      faceCheck: values['no-face'] ? undefined : lazyFaceCheck,
      budgetStateFile: values['budget-state'] ?? process.env.GENPROBE_BUDGET_STATE ?? config.probes.budget.stateFile,
      log,
    });
    const app = await createServer({
      config: cfg,
      registry: service.metrics.registry,
      extraRegistries: [service.metrics.defaults],
      statusSource: service.status,
      extraRoutes: (a) => {
        registerMaintenanceApi(a, service.maintenance, log);
        registerBadges(a, service.status, cfg.target.timeScale);
        registerReview(a, { store: new ReviewStore(path.join(stateDir(cfg), 'review')), waiversFile: cfg.gate.waivers, goldenDir: cfg.gate.goldenDir, log });
      },
    });
    const server = await listen(app, cfg.server.host, cfg.server.port);
    log({ event: 'listening', url: server.url, target: values.emulator ? 'emulator' : 'configured', timeScale: cfg.target.timeScale });
    service.start();
    const signal = await waitForSignal();
    log({ event: 'stopping', signal });
    await service.stop(false);
    await server.close();
    return 0;
  });
}

import { existsSync } from 'node:fs';
import { Pushgateway } from 'prom-client';
import { loadConfig, runnerLabels, type ProbeKind } from '../config/index.ts';
import { UsageError } from '../errors/index.ts';
import { parseDurationMs } from '../config/duration.ts';
import { selectEndpoints } from '../runner/gate.ts';
import { createProbeService } from '../probes/service.ts';
import { applyRunnerFlags, lazyFaceCheck } from './serve.ts';
import { listFlag, parseFaultFlag, parseFlags, PROBE_SERVICE_FLAGS, RUN_FLAGS, targetFlags } from './flags.ts';
import { withTarget } from './target.ts';

export const PROBE_HELP = `genprobe probe --once [options]
  Run probes once (for an external cron: Kubernetes CronJob, CI schedule) and exit.
  --once                   required: run the selected probes one time
  --only ID[,ID…]          only these endpoints (repeatable; default every live endpoint)
  --tag TAG                only endpoints with this tag (repeatable)
  --kind KIND              health | smoke | full (default smoke)
  --pushgateway URL        push the genprobe_* metrics to this Prometheus Pushgateway
  --job NAME               Pushgateway job name (default genprobe)
  --grouping K=V[,K=V…]    Pushgateway grouping key labels, e.g. env=prod,region=eu
  --push-add               merge into the group (POST) instead of replacing it (PUT)
  --every DURATION         how often the external cron runs this (e.g. 15m): pushed as the heartbeat's
                           interval so GenprobeHeartbeatMissing fires when the runs stop
  --config FILE            config file (default genprobe.config.ts if present)
  --emulator               probe the bundled fleet emulator
  --time-scale N           emulator time scale (default 0.01)
  --fault NAME             with --emulator: inject a fault into every call (x-genprobe-fault)
  --target TEMPLATE        URL template, e.g. http://127.0.0.1:8787/{app}
  --workspace NAME         Modal workspace for the default template
  --budget-state FILE      GPU spend state file shared with other runs (or $GENPROBE_BUDGET_STATE)
  --runner NAME            this runner's name (runner.name): a \`runner\` label on every series, and part of
                           the Pushgateway grouping key so runners do not replace each other's group
  --region R               where it runs (runner.region): a \`region\` label, likewise
  --no-face                skip face identity checks
Exit codes: 0 all probes passed or were skipped, 1 a probe failed, 2 tool or config error (push failed included).`;

const KINDS: readonly ProbeKind[] = ['health', 'smoke', 'full'];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `env=prod,region=eu` → { env: 'prod', region: 'eu' }; names follow Prometheus label rules. */
export function parseGrouping(spec: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!spec) return out;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!LABEL_NAME.test(key) || key.startsWith('__')) throw new UsageError(`--grouping: "${key}" is not a valid label name`);
    if (!value) throw new UsageError(`--grouping: label ${key} needs a value (k=v)`);
    if (key === 'job') throw new UsageError('--grouping: use --job for the job label');
    out[key] = value;
  }
  return out;
}

export async function probeCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('probe', argv, {
    ...RUN_FLAGS,
    ...PROBE_SERVICE_FLAGS,
    once: { type: 'boolean', default: false },
    kind: { type: 'string', default: 'smoke' },
    pushgateway: { type: 'string' },
    job: { type: 'string', default: 'genprobe' },
    grouping: { type: 'string' },
    'push-add': { type: 'boolean', default: false },
    every: { type: 'string' },
  });
  if (values.help) {
    console.log(PROBE_HELP);
    return 0;
  }
  if (!values.once) throw new UsageError('genprobe probe needs --once (scheduled probing is `genprobe serve`)');
  const kind = values.kind as ProbeKind;
  if (!KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, got "${values.kind}"`);
  const faults = parseFaultFlag(values.fault, values.emulator);
  if (values.pushgateway && !/^https?:\/\//.test(values.pushgateway)) throw new UsageError(`--pushgateway must be an http(s) URL, got "${values.pushgateway}"`);
  const grouping = parseGrouping(values.grouping);
  const everyMs = values.every === undefined ? undefined : parseDurationMs(values.every);
  if (values.every !== undefined && everyMs === undefined) throw new UsageError(`--every needs a duration such as 15m, got "${values.every}"`);
  const only = listFlag(values.only);
  const tags = listFlag(values.tag);
  const selected = selectEndpoints(only, tags);
  // Without a filter, only live routes: a blanket run never spends on routes known to be gone.
  const entries = only.length || tags.length ? selected : selected.filter((e) => e.lifecycle === 'live');
  const { config: loaded, file: configFile } = await loadConfig(values.config);
  const config = applyRunnerFlags(loaded, { runner: values.runner, region: values.region });

  return withTarget(config, targetFlags(values), async (cfg) => {
    // One-shot runs ignore the configured schedules; what runs is what the flags select.
    const runCfg = { ...cfg, probes: { ...cfg.probes, schedules: [] } };
    // The files that apply, wherever they came from (a working directory's config is code genprobe runs).
    console.log(JSON.stringify({ event: 'config', file: configFile, waivers: existsSync(cfg.gate.waivers) ? cfg.gate.waivers : null }));
    const service = await createProbeService({
      config: runCfg,
      entries,
      faceCheck: values['no-face'] ? undefined : lazyFaceCheck,
      headers: faults.length ? { 'x-genprobe-fault': faults.join(',') } : undefined,
      budgetStateFile: values['budget-state'] ?? process.env.GENPROBE_BUDGET_STATE ?? config.probes.budget.stateFile,
      defaultMetrics: false,
      env: {},
    });
    const outcomes = await Promise.all(entries.map((e) => service.runner.probe(e, kind)));
    // The one-shot run's heartbeat, pushed with the rest (schedule="once").
    service.heartbeat.declare('once', kind, everyMs === undefined ? null : everyMs / 1000);
    service.heartbeat.beat('once', kind);
    const failed = outcomes.filter((o) => o.result === 'fail');
    const skipped = outcomes.filter((o) => o.result === 'skipped');
    console.log(
      JSON.stringify({ event: 'summary', probes: outcomes.length, passed: outcomes.length - failed.length - skipped.length, failed: failed.length, skipped: skipped.length, kind, failedEndpoints: failed.map((o) => o.endpoint) }),
    );
    if (values.pushgateway) {
      const gateway = new Pushgateway(values.pushgateway, { timeout: 10_000 }, service.metrics.registry);
      // The runner's identity is in the grouping key: two runners pushing one job keep separate groups.
      const groupings = { ...runnerLabels(cfg.runner), ...grouping };
      const params = { jobName: values.job, groupings };
      try {
        await (values['push-add'] ? gateway.pushAdd(params) : gateway.push(params));
      } catch (err) {
        throw new Error(`push to the Pushgateway failed: ${(err as Error).message}`);
      }
      console.log(JSON.stringify({ event: 'pushed', job: values.job, grouping: groupings, mode: values['push-add'] ? 'add' : 'replace' }));
    }
    return failed.length ? 1 : 0;
  });
}

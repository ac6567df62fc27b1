/**
 * `genprobe consumers import` — a consumer-contract file from a TypeScript client;
 * `genprobe consumers verify` — its calls against the catalog (static) or a target (live).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.ts';
import { ModalClient } from '../client/index.ts';
import { consumerReport, findingsTable, loadConsumerFile, renderConsumerFile, verifyLive, verifyStatic, type CallVerdict, type VerifyLevel } from '../consumers/index.ts';
import { parseReportSpec, writeReports } from '../reporters/index.ts';
import { GENPROBE_VERSION } from '../runner/gate.ts';
import { loadWaivers } from '../waivers/index.ts';
import { UsageError } from '../errors/index.ts';
import { CONFIG_FLAG, DRIFT_FLAG, driftArgs, HELP_FLAG, parseFlags, TARGET_FLAGS, targetFlags } from './flags.ts';
import { withTarget } from './target.ts';

export const CONSUMERS_HELP = `genprobe consumers <import|verify> [options]

genprobe consumers import --ts FILE --name NAME [--out FILE]
  Read a TypeScript client of the fleet (endpoint→app map, per-endpoint timeouts, request
  interfaces, headers read) and write its consumer-contract file (default ./NAME.consumers.json).
  Prints what it could not resolve.

genprobe consumers verify FILE [--static | --live [--generate [--max-usd N]]] [options]
  --static                 (default) every call against the catalog, no network
  --live                   against a target: /openapi.json per app and cheap rejected requests
  --generate               with --live: also send each call's example payload (GPU time)
  --max-usd N              with --generate: refuse if the estimated GPU cost exceeds N
                           (default: the probes' daily budget, probes.budget.dailyUsd)
  --emulator               --live against the bundled emulator (--time-scale N, --drift SPEC…)
  --drift SPEC             emulator deploy drift: route-removed:APP/PATH, app-undeployed:APP,
                           field-renamed:APP/PATH:FROM=TO (repeatable)
  --target TEMPLATE / --workspace NAME / --config FILE / --waivers FILE
  --report SPEC            json=PATH,junit=PATH,md=PATH (the gate's formats)
Exit codes: 0 no failing finding, 1 a call would break, 2 tool or input error.`;

export async function consumersCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(CONSUMERS_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'import') return importCommand(rest);
  if (sub === 'verify') return verifyCommand(rest);
  throw new UsageError(`consumers: unknown subcommand "${sub}" (import, verify)`);
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('consumers import', argv, { ...HELP_FLAG, ts: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' }, 'source-label': { type: 'string' } }, true);
  if (values.help) {
    console.log(CONSUMERS_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`consumers import: unexpected argument(s) ${positionals.join(' ')}`);
  if (!values.ts || !values.name) throw new UsageError('consumers import needs --ts FILE and --name NAME');
  const out = path.resolve(values.out ?? `${values.name}.consumers.json`);
  const { importTsClient } = await import('../consumers/importer.ts');
  const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));
  const { consumer, unresolved } = importTsClient(values.ts, { name: values.name, outDir: path.dirname(out), fixturesDir, sourceLabel: values['source-label'] });
  writeFileSync(out, renderConsumerFile({ schemaVersion: 1, consumers: [consumer] }));
  console.log(`consumer ${consumer.name}: ${consumer.calls.length} calls from ${values.ts} → ${out}`);
  for (const c of consumer.calls) console.log(`  ${c.method.padEnd(28)} ${c.httpMethod.padEnd(4)} ${c.app.padEnd(16)} ${c.path.padEnd(26)} ${String(c.timeoutMs / 1000).padStart(4)} s  ${Object.keys(c.fields).length} fields`);
  console.log(unresolved.length ? `not resolved (${unresolved.length}):\n${unresolved.map((u) => `  - ${u}`).join('\n')}` : 'everything resolved');
  return 0;
}

async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'consumers verify',
    argv,
    {
      ...TARGET_FLAGS,
      ...DRIFT_FLAG,
      ...CONFIG_FLAG,
      ...HELP_FLAG,
      static: { type: 'boolean', default: false },
      live: { type: 'boolean', default: false },
      generate: { type: 'boolean', default: false },
      'max-usd': { type: 'string' },
      report: { type: 'string' },
      waivers: { type: 'string' },
    },
    true,
  );
  if (values.help) {
    console.log(CONSUMERS_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('consumers verify needs exactly one consumer-contract file');
  if (values.static && values.live) throw new UsageError('--static and --live exclude each other');
  const level: VerifyLevel = values.live ? 'live' : 'static';
  if (level === 'static' && (values.generate || values.emulator || values.drift || values.target || values['max-usd'])) throw new UsageError('--generate, --max-usd, --emulator, --drift and --target need --live');
  if (values['max-usd'] && !values.generate) throw new UsageError('--max-usd needs --generate');
  const maxUsd = values['max-usd'] === undefined ? undefined : Number(values['max-usd']);
  if (maxUsd !== undefined && !(maxUsd >= 0)) throw new UsageError(`--max-usd: "${values['max-usd']}" is not an amount`);
  const reports = values.report ? parseReportSpec(values.report) : [];
  const loaded = loadConsumerFile(positionals[0]);
  const { config } = await loadConfig(values.config);
  if (values.waivers) config.gate.waivers = values.waivers;
  const waivers = loadWaivers(config.gate.waivers);
  const startedAt = new Date();

  const finish = (verdicts: CallVerdict[], target: { url: string; workspace: string; timeScale: number }) => {
    const report = consumerReport(verdicts, level, { target, waivers, startedAt, version: GENPROBE_VERSION });
    console.log(findingsTable(verdicts, report.endpoints));
    for (const f of writeReports(report, reports)) console.log(`report written: ${f}`);
    for (const w of report.waivers) console.log(`${w.finding === 'expired' ? 'waiver expired' : 'waiver unused'}: ${w.message}`);
    const s = report.summary;
    const findings = verdicts.reduce((n, v) => n + v.findings.length, 0);
    console.log(`consumers verify (${level}) ${report.exitCode === 0 ? 'passed' : 'FAILED'}: ${s.fail} of ${s.total} calls would break, ${s.warn} with warnings, ${s.waived} waived, ${s.pass} clean; ${findings} findings in ${(report.durationMs / 1000).toFixed(1)} s`);
    return report.exitCode;
  };
  if (level === 'static') {
    console.log(`genprobe consumers verify --static ${loaded.file}: ${loaded.contract.consumers.map((c) => `${c.name} (${c.calls.length} calls)`).join(', ')} against the catalog`);
    return finish(verifyStatic(loaded.contract), { url: 'static', workspace: config.target.workspace, timeScale: 1 });
  }
  const emulatorArgs = driftArgs(values.drift, values.emulator);
  return withTarget(config, targetFlags(values, emulatorArgs), async (cfg) => {
    console.log(`genprobe consumers verify --live ${loaded.file} → ${cfg.target.url}${values.generate ? ' (with --generate)' : ''}`);
    const client = ModalClient.forTarget(cfg.target);
    const { verdicts } = await verifyLive(loaded.contract, { client, baseDir: loaded.baseDir, timeScale: cfg.target.timeScale, overheadMs: cfg.target.overheadMs, generate: values.generate, maxUsd: maxUsd ?? cfg.probes.budget.dailyUsd });
    return finish(verdicts, { url: cfg.target.url, workspace: cfg.target.workspace, timeScale: cfg.target.timeScale });
  });
}

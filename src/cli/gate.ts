import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { formatEndpointLine, formatSummary, parseReportSpec, writeReports } from '../reporters/index.ts';
import { runGate } from '../runner/gate.ts';
import { callReport, loadConsumerFile, verifyStatic } from '../consumers/index.ts';
import { withTarget } from './target.ts';

export const GATE_HELP = `genprobe gate [options]
  Run the contract of every catalog endpoint (or a filter) against a target and report.
  --emulator               start the bundled fleet emulator and gate against it
  --time-scale N           emulator time scale (default 0.01: a 425 s call takes 4.25 s)
  --fault NAME             with --emulator: inject a fault into every call (x-genprobe-fault)
  --target TEMPLATE        URL template, e.g. http://127.0.0.1:8787/{app}
  --workspace NAME         Modal workspace for the default template
  --only ID[,ID…]          only these endpoints (repeatable)
  --tag TAG                only endpoints with this tag (repeatable)
  --report SPEC            json=PATH,junit=PATH,md=PATH (md also to $GITHUB_STEP_SUMMARY)
  --waivers FILE           waivers file (default waivers.yaml)
  --consumers FILE         also verify a consumer-contract file against the catalog first (repeatable)
  --no-face                skip face identity checks
  --update-golden          store fixed-seed outputs as golden images
  --verbose                print every waived known defect under its endpoint (default: one line per waiver)
  --config FILE            config file (default genprobe.config.ts if present)
Exit codes: 0 all passed (warnings allowed), 1 a contract failed, 2 tool or config error.`;

export async function gateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      emulator: { type: 'boolean', default: false },
      'time-scale': { type: 'string' },
      fault: { type: 'string' },
      target: { type: 'string' },
      workspace: { type: 'string' },
      only: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
      report: { type: 'string' },
      waivers: { type: 'string' },
      consumers: { type: 'string', multiple: true },
      'no-face': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'update-golden': { type: 'boolean', default: false },
      config: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(GATE_HELP);
    return 0;
  }
  const reports = values.report ? parseReportSpec(values.report) : [];
  const { config } = await loadConfig(values.config);
  if (values.waivers) config.gate.waivers = values.waivers;
  // Consumer contracts are checked statically before any call: a deploy that would break a caller fails for free.
  const consumerFiles = (values.consumers ?? []).map((f) => loadConsumerFile(f).contract);
  const only = (values.only ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  const tags = (values.tag ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  if (values.fault && !values.emulator) throw new Error('--fault needs --emulator (faults are injected by the bundled emulator)');

  return withTarget(config, { emulator: values.emulator, timeScale: values['time-scale'], target: values.target, workspace: values.workspace }, async (cfg) => {
    const faceCheck = values['no-face'] ? undefined : (await import('../face/check.ts')).faceMatchCheck;
    console.log(`genprobe gate → ${cfg.target.url} (time scale ${cfg.target.timeScale})`);
    // Say which waivers apply: a missing file silently waiving nothing would surprise.
    console.log(existsSync(cfg.gate.waivers) ? `waivers: ${cfg.gate.waivers}` : `waivers: none (no file at ${cfg.gate.waivers})`);
    const { report } = await runGate({
      preReports: consumerFiles.length ? consumerFiles.flatMap((c) => verifyStatic(c).map((v) => callReport(v, 'static'))) : undefined,
      config: cfg,
      only,
      tags,
      faceCheck,
      updateGolden: values['update-golden'],
      headers: values.fault ? { 'x-genprobe-fault': values.fault } : undefined,
      onEndpoint: (ep) => console.log(formatEndpointLine(ep, { verbose: values.verbose })),
    });
    for (const f of writeReports(report, reports)) console.log(`report written: ${f}`);
    console.log(formatSummary(report, { verbose: values.verbose }));
    return report.exitCode;
  });
}

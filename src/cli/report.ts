/**
 * `genprobe report merge a.json b.json … --report json=,junit=,md=`: the shards of a CI matrix
 * (`gate --shard i/n`) joined into the report one unsharded gate writes, waivers judged over all.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/index.ts';
import { UsageError } from '../errors/index.ts';
import { HELP_FLAG, parseFlags } from './flags.ts';
import { formatSummary, parseReportSpec, writeReports } from '../reporters/index.ts';
import { mergeShardReports, type ShardedReport } from '../runner/shard.ts';

export const REPORT_HELP = `genprobe report merge SHARD.json… [options]
  Join the JSON reports of \`genprobe gate --shard 1/N\` … \`N/N\` into one gate report: every shard
  must be present once, of the same target, selection and waivers. Expired and no-longer-needed
  waivers are judged here, over all shards; the exit code is the unsharded gate's.
  --report SPEC            json=PATH,junit=PATH,md=PATH (md also to $GITHUB_STEP_SUMMARY)
  --verbose                list every waived known defect
Exit codes: 0 all passed (warnings allowed), 1 a contract failed, 2 tool or input error.`;

function readReport(file: string): ShardedReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as ShardedReport;
  } catch (e) {
    throw new ConfigError(`${file}: not JSON: ${(e as Error).message}`);
  }
}

export async function reportCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(REPORT_HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'merge') throw new UsageError(`report: unknown subcommand "${sub}" (merge)`);
  const { values, positionals } = parseFlags('report merge', rest, { ...HELP_FLAG, report: { type: 'string' }, verbose: { type: 'boolean', default: false } }, true);
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (!positionals.length) throw new UsageError('report merge: give the shards\' JSON reports');
  const spec = values.report ? parseReportSpec(values.report) : [];
  const reports = positionals.map((f) => {
    try {
      return mergeInput(readReport(f));
    } catch (e) {
      throw e instanceof ConfigError && !e.message.startsWith(f) ? new ConfigError(`${f}: ${e.message}`) : e;
    }
  });
  const merged = mergeShardReports(reports);
  console.log(`merged ${reports.length} shards: ${merged.endpoints.length} endpoints`);
  for (const f of writeReports(merged, spec)) console.log(`report written: ${f}`);
  console.log(formatSummary(merged, { verbose: values.verbose }));
  return merged.exitCode;
}

/** A shard report as read: the shape the merge relies on, or an error naming what is wrong. */
function mergeInput(r: ShardedReport): ShardedReport {
  if (!r || typeof r !== 'object' || r.schemaVersion !== 1 || !Array.isArray(r.endpoints)) throw new ConfigError('not a genprobe gate report (schemaVersion 1)');
  if (!r.shard || !Number.isInteger(r.shard.index) || !Number.isInteger(r.shard.count) || !Array.isArray(r.shard.endpoints) || !Array.isArray(r.shard.waiverSet)) {
    throw new ConfigError('not a sharded gate report (run `genprobe gate --shard i/n --report json=…`)');
  }
  return r;
}

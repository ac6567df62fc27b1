import { existsSync } from 'node:fs';
import { loadConfig } from '../config/index.ts';
import { UsageError } from '../errors/index.ts';
import { formatRepeat, MAX_REPEAT, type RepeatedReport } from '../runner/repeat.ts';
import { assertCacheAllowed, failedIds, withoutWaivers, gateResultStore, JournalWriter, readJournal, stateDir, type CachedReport } from '../cache/index.ts';
import type { GenprobeConfig } from '../config/index.ts';
import type { AppInventoryRead, EndpointReport } from '../report/types.ts';
import { isSafeName, ReviewStore } from '../server/review/store.ts';
import path from 'node:path';
import { formatEndpointLine, formatSummary, parseReportSpec, writeReports } from '../reporters/index.ts';
import { runGate, selectEndpoints } from '../runner/gate.ts';
import { parseShard } from '../runner/shard.ts';
import { callReport, loadConsumerFile, verifyStatic } from '../consumers/index.ts';
import { INVENTORY_FLAG, listFlag, parseFaultFlag, parseFlags, RUN_FLAGS, targetFlags } from './flags.ts';
import { timeScaleNote, withTarget } from './target.ts';

export const GATE_HELP = `genprobe gate [options]
  Run the contract of every catalog endpoint (or a filter) against a target and report.
  --emulator               start the bundled fleet emulator and gate against it
  --time-scale N           the target's time scale, any target: budgets and deadlines are scaled by it
                           (--emulator: default 0.01, a 425 s call takes 4.25 s; else target.timeScale)
  --fault NAME             with --emulator: inject a fault into every call (x-genprobe-fault)
  --target TEMPLATE        URL template, e.g. http://127.0.0.1:8787/{app}
  --workspace NAME         Modal workspace for the default template
  --only ID[,ID…]          only these endpoints (repeatable)
  --tag TAG                only endpoints with this tag (repeatable)
  --shard I/N              run shard I of N of the selection (CI matrix; stable split by the catalog's
                           documented times); join the JSON reports with \`genprobe report merge\`, which
                           judges expired / no-longer-needed waivers over all shards
  --report SPEC            json=PATH,junit=PATH,md=PATH (md also to $GITHUB_STEP_SUMMARY)
  --waivers FILE           waivers file (default waivers.yaml)
  --consumers FILE         also verify a consumer-contract file against the catalog first (repeatable)
  --no-face                skip face identity checks
  --no-inventory           do not read each app's route list (GET /openapi.json, right after its /health
                           warm-up); by default a catalogued route its app does not register is not
                           called and fails with route-broken / route-missing
  --verbose                print every waived known defect under its endpoint (default: one line per waiver)
  --update-golden          store fixed-seed outputs as golden images
  --repeat K               run every case K times, a different seed each time where the route takes one;
                           reports each endpoint's pass rate and pass^K
  --min-pass-rate R        with --repeat: the pass rate (0–1) an endpoint needs (default 1: every run)
  --cache                  reuse stored results within gate.cache.ttl (local work; errors are never stored;
                           refused with CI=true unless --force-cache)
  --retry-failed           run only the endpoints whose contract failed in the last gate
  --resume                 finish an interrupted gate: its finished endpoints are taken from the journal
  --review LABEL           keep this run (report, outputs, thumbnails) for the review matrix at /review of
                           \`genprobe serve\`, as the column LABEL (e.g. before-deploy)
  --config FILE            config file (default genprobe.config.ts if present)
Exit codes: 0 all passed (warnings allowed), 1 a contract failed, 2 tool or config error.`;

/** --repeat K (1–1000) and --min-pass-rate R (0–1, only with --repeat). */
export function parseRepeatFlags(repeatFlag: string | undefined, minFlag: string | undefined): { repeat?: number; minPassRate?: number } {
  if (minFlag !== undefined && repeatFlag === undefined) throw new UsageError('--min-pass-rate needs --repeat');
  if (repeatFlag === undefined) return {};
  const repeat = Number(repeatFlag);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) throw new UsageError(`--repeat must be an integer from 1 to ${MAX_REPEAT}, got "${repeatFlag}"`);
  const minPassRate = minFlag === undefined ? 1 : Number(minFlag);
  if (!(minPassRate >= 0 && minPassRate <= 1) || minFlag?.trim() === '') throw new UsageError(`--min-pass-rate must be a number from 0 to 1, got "${minFlag}"`);
  return { repeat, minPassRate };
}

/**
 * --retry-failed: the last run's failed endpoints only. --resume: the last (interrupted) run's
 * selection, minus what it finished, whose reports come along. Neither combines with --only/--tag.
 */
export function planRerun(config: GenprobeConfig, f: { retryFailed: boolean; resume: boolean; only: string[]; tags: string[] }) {
  if (!f.retryFailed && !f.resume) return undefined;
  if (f.retryFailed && f.resume) throw new UsageError('--retry-failed and --resume do not combine');
  if (f.only.length || f.tags.length) throw new UsageError(`${f.resume ? '--resume' : '--retry-failed'} takes its endpoints from the last run: drop --only/--tag`);
  const last = readJournal(stateDir(config));
  if (f.retryFailed) {
    const failed = failedIds(last);
    if (!failed.length) throw new UsageError('the last gate run had no failed endpoint: nothing to retry');
    return { only: failed, tags: [], selection: { only: failed, tags: [] }, finished: [] as EndpointReport[] };
  }
  if (last.complete) throw new UsageError('the last gate run finished: nothing to resume');
  const done = new Set(last.endpoints.map((e) => e.id));
  const remaining = selectEndpoints(last.selection.only, last.selection.tags).filter((e) => !done.has(e.id)).map((e) => e.id);
  if (!remaining.length) throw new UsageError('the last gate run had finished every endpoint: nothing to resume (run the gate again)');
  return { only: remaining, tags: [], selection: last.selection, finished: last.endpoints.map(withoutWaivers) };
}

/**
 * Which apps' route lists the gate read and which it could not (their calls decided), then one line
 * per app that registers routes no contract checks (deployed but uncatalogued: a gap in coverage).
 */
export function formatInventory(read: readonly AppInventoryRead[]): string {
  const ok = read.filter((a) => a.state === 'registered');
  const not = read.filter((a) => a.state !== 'registered').map((a) => `${a.app} (${a.state})`);
  const head = `route inventory: read ${ok.length} of ${read.length} warmed apps${not.length ? `; not read, calls decided: ${not.join(', ')}` : ''}`;
  const gaps = ok.filter((a) => a.uncatalogued?.length).map((a) => `  ! ${a.app} registers ${a.uncatalogued!.length} route(s) no contract checks: ${a.uncatalogued!.join(', ')}`);
  return [head, ...gaps].join('\n');
}

/** The gate's flags: the run flags every contract command shares, and its own. */
const GATE_FLAGS = {
  ...RUN_FLAGS,
  ...INVENTORY_FLAG,
  shard: { type: 'string' },
  report: { type: 'string' },
  waivers: { type: 'string' },
  consumers: { type: 'string', multiple: true },
  verbose: { type: 'boolean', default: false },
  'update-golden': { type: 'boolean', default: false },
  repeat: { type: 'string' },
  'min-pass-rate': { type: 'string' },
  cache: { type: 'boolean', default: false },
  'force-cache': { type: 'boolean', default: false },
  'retry-failed': { type: 'boolean', default: false },
  resume: { type: 'boolean', default: false },
  review: { type: 'string' },
} as const;

export async function gateCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('gate', argv, GATE_FLAGS);
  if (values.help) {
    console.log(GATE_HELP);
    return 0;
  }
  const reports = values.report ? parseReportSpec(values.report) : [];
  const { config, file: configFile } = await loadConfig(values.config);
  if (values.waivers) config.gate.waivers = values.waivers;
  // Consumer contracts are checked statically before any call: a deploy that would break a caller fails for free.
  const consumerFiles = (values.consumers ?? []).map((f) => loadConsumerFile(f).contract);
  let only = listFlag(values.only);
  let tags = listFlag(values.tag);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard && (values['retry-failed'] || values.resume)) throw new UsageError('--shard does not combine with --retry-failed/--resume (rerun the shard itself)');
  const rerun = planRerun(config, { retryFailed: values['retry-failed'], resume: values.resume, only, tags });
  if (rerun) ({ only, tags } = rerun);
  if (values.review !== undefined && !isSafeName(values.review)) throw new UsageError(`--review: a label is letters, digits, '.', '_' and '-', got "${values.review}"`);
  if (values['force-cache'] && !values.cache) throw new UsageError('--force-cache needs --cache');
  if (values.cache && values['update-golden']) throw new UsageError('--update-golden needs fresh outputs: drop --cache');
  if (values.cache) assertCacheAllowed(process.env, values['force-cache']);
  const { repeat, minPassRate } = parseRepeatFlags(values.repeat, values['min-pass-rate']);
  const faults = parseFaultFlag(values.fault, values.emulator);
  const headers = faults.length ? { 'x-genprobe-fault': faults.join(',') } : undefined;

  const target = targetFlags(values);
  return withTarget(config, target, async (cfg) => {
    // Face checks run on the face worker thread (src/face/off-thread.ts), off the event loop that times calls in flight.
    const faceCheck = values['no-face'] ? undefined : (await import('../face/off-thread.ts')).faceMatchCheckOffThread;
    console.log(`genprobe gate → ${cfg.target.url} (time scale ${cfg.target.timeScale}${timeScaleNote(target)})`);
    // Say which config and waivers apply: one picked up from the working directory (an untrusted
    // checkout's, say) must not run or silence findings unannounced; a missing file waiving nothing would surprise.
    console.log(configFile ? `config: ${configFile}` : 'config: none (defaults)');
    console.log(existsSync(cfg.gate.waivers) ? `waivers: ${cfg.gate.waivers}` : `waivers: none (no file at ${cfg.gate.waivers})`);
    if (shard) console.log(`shard ${shard.index}/${shard.count}: expired and no-longer-needed waivers are judged by \`genprobe report merge\``);
    const results = values.cache ? gateResultStore(cfg, { headers, face: !!faceCheck, repeat, minPassRate }) : undefined;
    const journal = new JournalWriter(stateDir(cfg), { startedAt: new Date().toISOString(), selection: rerun?.selection ?? { only, tags }, target: cfg.target.url, endpoints: rerun?.finished ?? [] });
    const { report, runs } = await runGate({
      results,
      shard,
      // Consumer contracts are checked once, in shard 1, so the merged report holds them once.
      preReports: shard && shard.index > 1 ? [] : [...(rerun?.finished ?? []), ...consumerFiles.flatMap((c) => verifyStatic(c).map((v) => callReport(v, 'static')))],
      config: cfg,
      only,
      tags,
      faceCheck,
      updateGolden: values['update-golden'],
      headers,
      repeat,
      minPassRate,
      inventory: !values['no-inventory'],
      onEndpoint: (ep) => {
        console.log(`${formatEndpointLine(ep, { verbose: values.verbose })}${(ep as CachedReport).cached ? ` (cached ${(ep as CachedReport).cached!.storedAt})` : ''}`);
        journal.add(ep);
        const r = (ep as RepeatedReport).repeat;
        if (r) console.log(`    ${formatRepeat(r)}`);
      },
    });
    journal.finish();
    if (report.inventory) console.log(formatInventory(report.inventory));
    if (values.review) console.log(`saved for review: ${await new ReviewStore(path.join(stateDir(cfg), 'review')).save(values.review, report, runs)}`);
    for (const f of writeReports(report, reports)) console.log(`report written: ${f}`);
    console.log(formatSummary(report, { verbose: values.verbose }));
    return report.exitCode;
  });
}

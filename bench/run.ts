/**
 * genprobe's benchmarks (`npm run bench`): speed and memory targets are measured here, never in
 * timed unit tests. Writes bench/results.json (checked in) with the machine description.
 *
 *   npm run bench                              all benchmarks, full counts (several minutes)
 *   npm run bench -- --only face,metrics       a subset; other entries of results.json are kept
 *   npm run bench -- --quick                   reduced counts (smoke run)
 *   npm run bench -- --out /tmp/results.json   write elsewhere
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { faceBench } from './face.bench.ts';
import { faceRssBench } from './face-rss.bench.ts';
import { falseAlarmsBench } from './false-alarms.bench.ts';
import { fuzzBench } from './fuzz.bench.ts';
import { hostileMediaBench } from './hostile-media.bench.ts';
import { gateBench } from './gate.bench.ts';
import { loadAvg, machine, ROOT, type Benchmark, type BenchResult } from './lib.ts';
import { metricsBench } from './metrics.bench.ts';
import { mp4RssBench } from './mp4-rss.bench.ts';
import { overheadBench } from './overhead.bench.ts';
import { slotWaitBench } from './slot-wait.bench.ts';
import { pixelCalibrationBench } from './pixel-calibration.bench.ts';
import { consumersBench } from './consumers.bench.ts';
import { reviewBench } from './review.bench.ts';

export const BENCHMARKS: Benchmark[] = [overheadBench, faceBench, faceRssBench, gateBench, slotWaitBench, metricsBench, mp4RssBench, falseAlarmsBench, consumersBench, hostileMediaBench, fuzzBench, pixelCalibrationBench, reviewBench];

interface RecordedResult extends BenchResult {
  title: string;
  /** The machine this entry ran on: a subset run keeps the other entries, which may come from another host. */
  machine: Record<string, unknown>;
  ranAt: string;
  durationSec: number;
  quick: boolean;
  loadAvg: { start: number[]; end: number[] };
}

interface ResultsFile {
  schemaVersion: 1;
  /** The machine of the run that last wrote the file; each entry names its own. */
  machine: Record<string, unknown>;
  /** When this file was last written, and the load average around that run. */
  date: string;
  loadAvg: { start: number[]; end: number[] };
  benchmarks: Record<string, RecordedResult | { error: string; ranAt: string }>;
}

function selected(only: string[]): Benchmark[] {
  if (only.length === 0) return BENCHMARKS;
  const known = BENCHMARKS.map((b) => b.name);
  const unknown = only.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return BENCHMARKS.filter((b) => only.includes(b.name));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(ROOT, 'bench/results.json') },
    },
    strict: true,
  });
  const benches = selected((values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));
  const out = path.resolve(values.out);
  const previous: ResultsFile | null = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile) : null;
  const results: ResultsFile = {
    schemaVersion: 1,
    machine: machine(),
    date: new Date().toISOString(),
    loadAvg: { start: loadAvg(), end: [] },
    benchmarks: { ...(previous?.benchmarks ?? {}) },
  };
  const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
  log(`machine: ${JSON.stringify(results.machine)}, load ${results.loadAvg.start.join(' ')}${values.quick ? ' (quick)' : ''}`);
  let failed = 0;
  for (const b of benches) {
    log(`▶ ${b.name}: ${b.title}`);
    const startLoad = loadAvg();
    const t0 = performance.now();
    try {
      const r = await b.run({ quick: values.quick, log });
      const rec: RecordedResult = { title: b.title, machine: results.machine, ...r, ranAt: new Date().toISOString(), durationSec: Math.round((performance.now() - t0) / 100) / 10, quick: values.quick, loadAvg: { start: startLoad, end: loadAvg() } };
      results.benchmarks[b.name] = rec;
      log(`✔ ${b.name} in ${rec.durationSec} s: goal ${r.goal ?? '(none)'} → ${r.met === null ? 'n/a' : r.met ? 'MET' : 'NOT MET'}`);
      log(`  ${JSON.stringify(r.values)}`);
    } catch (err) {
      failed++;
      results.benchmarks[b.name] = { error: (err as Error).stack ?? String(err), ranAt: new Date().toISOString() };
      log(`✘ ${b.name} failed: ${(err as Error).message}`);
    }
  }
  results.loadAvg.end = loadAvg();
  // Keep the registry's order in the file, whatever order the subset ran in.
  const ordered: ResultsFile['benchmarks'] = {};
  for (const b of BENCHMARKS) if (results.benchmarks[b.name]) ordered[b.name] = results.benchmarks[b.name];
  results.benchmarks = ordered;
  await writeFile(out, JSON.stringify(results, null, 2) + '\n');
  log(`results written to ${path.relative(process.cwd(), out) || out}`);
  return failed ? 1 : 0;
}

// Exit through process.exit so 'exit' handlers stop the emulator and exporter children.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  },
);

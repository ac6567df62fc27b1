/**
 * Static consumer verification at scale: 50 consumers × 40 calls (2 000 calls) checked against the
 * catalog — route, app, every field and its type, the example validated by the route's zod
 * schema, headers read, timeout — with no network. The calls are drawn from the studio client's
 * imported contract (fixtures/consumers/studio-api.json, drifts included) and every catalog route,
 * so the mix has findings and clean calls.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG } from '../src/catalog/index.ts';
import { parseConsumerFile, type ConsumerCall, type ConsumerFile } from '../src/consumers/contract.ts';
import { verifyStatic } from '../src/consumers/static.ts';
import { ROOT, round, summarize, type Benchmark, type BenchResult } from './lib.ts';

const CONSUMERS = 50;
const CALLS = 40;

function syntheticFile(): ConsumerFile {
  const studio = parseConsumerFile(readFileSync(path.join(ROOT, 'fixtures/consumers/studio-api.json'), 'utf8')).consumers[0].calls;
  const fromCatalog: ConsumerCall[] = CATALOG.map((e) => ({
    method: `call_${e.id}`,
    app: e.app,
    path: e.path,
    httpMethod: e.method,
    fields: {},
    example: {},
    reads: { body: e.output.kind === 'json' ? 'json' : 'binary', headers: ['content-type'] },
    timeoutMs: 900_000,
    followsRedirects: true,
  }));
  const pool = [...studio, ...fromCatalog];
  const consumers = Array.from({ length: CONSUMERS }, (_, c) => ({
    name: `consumer-${c}`,
    unresolved: [],
    calls: Array.from({ length: CALLS }, (_, i) => ({ ...pool[(c * 7 + i) % pool.length], method: `m${i}` })),
  }));
  // Parse once like `consumers verify` does: the schema check is part of a real run.
  return parseConsumerFile(JSON.stringify({ schemaVersion: 1, consumers }));
}

export const consumersBench: Benchmark = {
  name: 'consumers',
  title: 'static consumer verification of 50 consumers × 40 calls',
  async run(ctx): Promise<BenchResult> {
    const text = JSON.stringify(syntheticFile());
    const runs = ctx.quick ? 3 : 15;
    const ms: number[] = [];
    const cpuMs: number[] = [];
    let findings = 0;
    // The first run pays the one-time per-route schema introspection (cached per catalog entry).
    const t0 = performance.now();
    verifyStatic(parseConsumerFile(text));
    const firstMs = performance.now() - t0;
    for (let i = 0; i < runs; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      const verdicts = verifyStatic(parseConsumerFile(text));
      ms.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpuMs.push((d.user + d.system) / 1000);
      findings = verdicts.reduce((n, v) => n + v.findings.length, 0);
    }
    const s = summarize(ms, 1);
    ctx.log(`  ${CONSUMERS * CALLS} calls: first ${round(firstMs, 1)} ms, median ${s.median} ms, p95 ${s.p95} ms, ${findings} findings`);
    return {
      measures: 'wall time to parse a consumer-contract file of 50 consumers × 40 calls and verify every call statically against the catalog',
      unit: 'ms per whole file (wall; CPU beside it, less sensitive to a loaded box)',
      values: { firstRunMs: round(firstMs, 1), runMs: s, runCpuMs: summarize(cpuMs, 1), calls: CONSUMERS * CALLS, findings },
      comparedTo: "issue 14's bound: under one second for the whole file",
      goal: 'whole file (parse + verify) < 1000 ms: median wall time, and p95 CPU time (wall p95 on this shared box measures its load, not genprobe)',
      met: s.median < 1000 && summarize(cpuMs, 1).p95 < 1000,
      setup: { consumers: CONSUMERS, callsPerConsumer: CALLS, runs, source: 'fixtures/consumers/studio-api.json calls + one call per catalog route' },
      notes: [
        "The first run also pays JIT warm-up and reading each route's zod schema once (cached per catalog entry).",
        `Load average around the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores.`,
      ],
    };
  },
};

/**
 * Every panel query is real: `genprobe serve` (the real binary) probes the bundled emulator on a
 * fast schedule, with faults injected so failure series exist, and reads a throwaway PostgreSQL
 * through the usage collector; a real Debian Prometheus scrapes it every second with the generated
 * rules loaded. Then every PromQL expression of every dashboard panel (allPanelQueries()) goes
 * through the HTTP API — once with the dashboards' "All" values and once with concrete variable
 * values that exist — and each must parse and return a non-empty result.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPanelQueries, type PanelQuery } from '../dashboards/src/index.ts';
import { RULES_FILE } from '../dashboards/src/rules-tests.ts';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { instantQuery, startPrometheus, type RunningPrometheus } from './support/prometheus.ts';
import { getText, spawnChild, startEmulator, waitFor, type Child } from './probes/helpers.ts';
import { REALISTIC_MIX, insertJobs, loadSchema } from './usage/helpers.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = path.join(ROOT, 'bin/genprobe.mjs');
const RULES = path.join(ROOT, 'dashboards/rules', RULES_FILE);
const DB_ENV = 'GENPROBE_DASHBOARDS_TEST_DB';

/** The endpoint, app and provider the concrete-variable pass uses: a face route with failures and passes. */
const CONCRETE = { endpoint: 'sdxl-instantid', app: 'ryla-instantid', provider: 'modal', window: '1d' };

const SCHEDULES = [
  // flux always fails its image-size check (wrong-dims): failure series and a failing endpoint.
  { match: 'flux', cron: '*/2 * * * * *', kind: 'smoke' },
  // The concrete endpoint: a face route (face match histograms), cold and warm calls, some failures.
  { match: 'sdxl-instantid', cron: '*/3 * * * * *', kind: 'smoke' },
  { match: 'z-image-danrisi', cron: '*/2 * * * * *', kind: 'health' },
];

let dir: string;
let pg: TestPostgres;
let emu: Awaited<ReturnType<typeof startEmulator>>;
let serve: Child;
let prom: RunningPrometheus;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'genprobe-dashboards-live-'));
  [pg, emu] = await Promise.all([startTestPostgres(), startEmulator()]);
  await loadSchema(pg.connectionString);
  await insertJobs(pg.connectionString, REALISTIC_MIX);
  await emu.control('/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'wrong-dims' });
  await emu.control('/faults', { match: { app: 'ryla-instantid', path: '/sdxl-instantid' }, fault: 'app-5xx', times: 2 });

  const configFile = path.join(dir, 'genprobe.config.mjs');
  const config = {
    target: { url: `${emu.url}/{app}`, timeScale: 0.01, overheadMs: 45_000 },
    probes: { schedules: SCHEDULES, budget: { dailyUsd: 1000, monthlyUsd: 10_000 } },
    server: { host: '127.0.0.1', port: 0 },
    usage: { databaseUrlEnv: DB_ENV, intervalSec: 2 },
    gate: { waivers: path.join(ROOT, 'waivers.yaml') },
  };
  await writeFile(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  serve = spawnChild(process.execPath, [BIN, 'serve', '--config', configFile], { cwd: ROOT, env: { ...process.env, [DB_ENV]: pg.connectionString } });
  const listening = await waitFor(
    'genprobe serve to listen',
    async () => {
      if (serve.proc.exitCode !== null) throw new Error(`genprobe serve exited ${serve.proc.exitCode}: ${serve.stderr()}`);
      return serve.lines.find((l) => l.event === 'listening');
    },
    60_000,
  );
  const url = String(listening.url);
  expect((await getText(`${url}/healthz`)).status).toBe(200);
  prom = await startPrometheus({ scrapeTargets: [`${url}/metrics`], scrapeIntervalSec: 1, ruleFiles: [RULES] });
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await serve?.stop();
  await emu?.close();
  await pg?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface QueryOutcome {
  query: PanelQuery;
  error?: string;
  samples: number;
}

async function runQuery(q: PanelQuery): Promise<QueryOutcome> {
  const r = await instantQuery(prom.url, q.expr);
  if (r.status !== 'success') return { query: q, error: `${r.errorType}: ${r.error}`, samples: 0 };
  const result = r.data?.result;
  return { query: q, samples: Array.isArray(result) ? result.length : 0 };
}

function describeOutcome(o: QueryOutcome): string {
  return `${o.query.dashboard} / ${o.query.panel}: ${o.error ?? 'empty result'}\n    ${o.query.expr.replace(/\n/g, ' ')}`;
}

/** Runs all queries until every one returns data; a parse error fails at once, emptiness only at the deadline. */
async function untilAllReturnData(queries: PanelQuery[], timeoutMs: number): Promise<QueryOutcome[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcomes: QueryOutcome[] = [];
    for (const q of queries) outcomes.push(await runQuery(q));
    const errors = outcomes.filter((o) => o.error);
    if (errors.length) return outcomes;
    if (outcomes.every((o) => o.samples > 0) || Date.now() > deadline) return outcomes;
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

describe('every dashboard panel query against a live Prometheus scraping genprobe serve', () => {
  it('with the dashboards\' "All" values: each query parses and returns data', { timeout: 200_000 }, async () => {
    const queries = allPanelQueries();
    expect(queries.length).toBeGreaterThan(50);
    const outcomes = await untilAllReturnData(queries, 150_000);
    const bad = outcomes.filter((o) => o.error || o.samples === 0);
    expect(bad.map(describeOutcome), `${bad.length} of ${outcomes.length} panel queries failed or returned no data`).toEqual([]);
    // The data is the scenario's: flux fails (wrong-dims), so a failing endpoint and its check show up.
    const failing = await instantQuery(prom.url, 'genprobe_probe_success{endpoint="flux",kind="smoke"} == 0');
    expect((failing.data?.result ?? []).length).toBe(1);
    const checks = await instantQuery(prom.url, 'sum by (check) (genprobe_check_failures_total{endpoint="flux"}) > 0');
    expect(JSON.stringify(checks.data?.result)).toContain('image-size');
    // Controls: the same checks reject a query that parses but matches nothing, and one that does not parse.
    const control = { dashboard: 'control', panel: 'control' };
    expect(await runQuery({ ...control, expr: 'genprobe_probe_success{endpoint="no-such-endpoint"}' })).toMatchObject({ samples: 0 });
    expect((await runQuery({ ...control, expr: 'sum by (endpoint (genprobe_probe_success)' })).error).toMatch(/bad_data/);
  });

  it(`with concrete values (${Object.entries(CONCRETE).map(([k, v]) => `${k}=${v}`).join(', ')}): each query parses and returns data`, { timeout: 200_000 }, async () => {
    const queries = allPanelQueries(CONCRETE);
    expect(queries.some((q) => q.expr.includes(`endpoint=~"${CONCRETE.endpoint}"`))).toBe(true);
    const outcomes = await untilAllReturnData(queries, 90_000);
    const bad = outcomes.filter((o) => o.error || o.samples === 0);
    expect(bad.map(describeOutcome), `${bad.length} of ${outcomes.length} panel queries failed or returned no data`).toEqual([]);
  });
});

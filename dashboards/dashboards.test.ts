/**
 * The dashboards and rules are generated, checked in, and proven against the real tools: the files
 * on disk equal the generator's output, every dashboard goes through the datasource variable,
 * promtool accepts and passes the rules, and a real Prometheus parses every panel query.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS } from '../src/metrics/names.ts';
import { instantQuery, prometheusApi, startPrometheus, type RunningPrometheus } from '../test/support/prometheus.ts';
import { DATASOURCE_VARIABLE } from './src/common.ts';
import { FLEET, latencyBudgetSec } from './src/fleet.ts';
import { DASHBOARD_UIDS, allPanelQueries, generateDashboards, generatedFiles, substituteVariables } from './src/index.ts';
import { RECORDED, THRESHOLD_LABEL, alertNames, buildRules, type AlertingRule, type RecordingRule } from './src/rules.ts';
import { RULES_FILE, RULES_TEST_FILE } from './src/rules-tests.ts';
import { latencyThresholdLe, sloEndpoints } from './src/slo.ts';

const root = dirname(fileURLToPath(import.meta.url));
const rulesDir = join(root, 'rules');

interface PanelJson {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; refId?: string; datasource?: { type?: string; uid?: string } }[];
  panels?: PanelJson[];
}
interface VariableJson {
  type: string;
  name: string;
  query?: unknown;
  datasource?: { type?: string; uid?: string };
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: VariableJson[] };
}

function leafPanels(panels: PanelJson[]): PanelJson[] {
  return panels.flatMap((p) => (p.type === 'row' ? leafPanels(p.panels ?? []) : [p]));
}

/** Runs a system tool; a missing tool fails the test with a message saying how to install it. */
function runTool(tool: string, args: string[], cwd: string): { status: number; output: string } {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${tool} is not installed (Debian package prometheus; run npm run setup)` : `${tool} failed to run: ${result.error.message}`);
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe('checked-in files', () => {
  const files = generatedFiles();

  it.each(Object.keys(files))('%s equals the generator output', (relative) => {
    const path = join(root, relative);
    const hint = `dashboards/${relative} is out of date with dashboards/src — run \`npm run dashboards\` and commit the result`;
    expect(existsSync(path), hint).toBe(true);
    expect(readFileSync(path, 'utf8'), hint).toBe(files[relative]);
  });

  it('has no stale dashboard JSON the generator no longer writes', () => {
    const onDisk = readdirSync(join(root, 'json')).map((f) => `json/${f}`);
    expect(onDisk.sort(), 'remove dashboards/json files the generator does not produce (npm run dashboards)').toEqual(
      Object.keys(files).filter((f) => f.startsWith('json/')).sort(),
    );
  });

  it('writes JSON with sorted keys, 2-space indent and a trailing newline', () => {
    for (const [relative, content] of Object.entries(files).filter(([f]) => f.endsWith('.json'))) {
      expect(content.endsWith('}\n'), relative).toBe(true);
      expect(content.split('\n')[1], relative).toMatch(/^ {2}"/);
      const keys = Object.keys(JSON.parse(content) as object);
      expect(keys, relative).toEqual([...keys].sort());
    }
  });
});

describe('dashboards', () => {
  const dashboards = Object.values(generateDashboards()) as unknown as DashboardJson[];

  it('are the fleet overview, the endpoint drill-down and the usage dashboard', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([...DASHBOARD_UIDS].sort());
  });

  it.each(dashboards.map((d) => [d.uid, d] as const))('%s goes through the datasource variable only', (_uid, d) => {
    const text = JSON.stringify(d);
    expect(text).not.toContain('DS_PROMETHEUS');
    expect(text).not.toContain('__inputs');
    const dsVar = d.templating.list.find((v) => v.type === 'datasource');
    expect(dsVar).toMatchObject({ name: DATASOURCE_VARIABLE, query: 'prometheus' });
    const ref = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
    for (const v of d.templating.list.filter((v) => v.type === 'query')) expect(v.datasource, `variable ${v.name}`).toEqual(ref);
    const panels = leafPanels(d.panels);
    expect(panels.length).toBeGreaterThan(5);
    for (const p of panels) {
      expect(p.datasource, `panel ${p.title}`).toEqual(ref);
      expect(p.targets?.length, `panel ${p.title} has no query`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource, `panel ${p.title} query ${t.refId}`).toEqual(ref);
    }
  });

  it('give every panel a unique id and every query a unique refId', () => {
    for (const d of dashboards) {
      const ids = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => (p as { id?: number }).id);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
      for (const p of leafPanels(d.panels)) {
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, `${d.uid} / ${p.title}`).toBe(refIds.length);
      }
    }
  });

  it('allPanelQueries() returns every panel query, with all variables substituted', () => {
    const queries = allPanelQueries();
    const expected = dashboards.flatMap((d) => leafPanels(d.panels).flatMap((p) => p.targets ?? [])).length;
    expect(queries).toHaveLength(expected);
    for (const q of queries) expect(q.expr, `${q.dashboard} / ${q.panel}`).not.toContain('$');
    expect(queries.some((q) => q.expr.includes('endpoint=~".*"'))).toBe(true);
    expect(substituteVariables('rate(x{endpoint=~"$endpoint"}[$__rate_interval])[${__range}:]', { endpoint: 'flux', __rate_interval: '1m', __range: '1h' })).toBe(
      'rate(x{endpoint=~"flux"}[1m])[1h:]',
    );
    expect(() => substituteVariables('x{a="$nope"}', {})).toThrow(/\$nope/);
  });
});

describe('rules', () => {
  const file = buildRules(FLEET);
  const rules = file.groups.flatMap((g) => g.rules);
  const alerts = rules.filter((r): r is AlertingRule => 'alert' in r);

  it('every alert has severity page|ticket and a summary and description', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const a of alerts) {
      expect(['page', 'ticket'], a.alert).toContain(a.labels.severity);
      expect(a.annotations.summary.length, a.alert).toBeGreaterThan(10);
      expect(a.annotations.description.length, a.alert).toBeGreaterThan(30);
      if (/BurnRate|Stale/.test(a.alert)) expect(a.annotations.summary, a.alert).toContain('{{ $labels.endpoint }}');
    }
  });

  it('records a latency SLI for every live endpoint at an existing bucket at or above its warm budget', () => {
    const latency = rules.filter((r): r is RecordingRule => 'record' in r && r.record === RECORDED.latencyGood('1h'));
    for (const entry of sloEndpoints(FLEET)) {
      const le = latencyThresholdLe(entry);
      expect(LATENCY_BUCKETS.map(String)).toContain(le);
      const budget = latencyBudgetSec(entry, 'warm');
      if (budget <= LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]) expect(Number(le), entry.id).toBeGreaterThanOrEqual(budget);
      const rule = latency.find((r) => r.labels?.[THRESHOLD_LABEL] === le);
      expect(rule?.expr, entry.id).toContain(entry.id.replace(/\./g, '\\\\.'));
    }
  });

  it('promtool check rules accepts the rule file', () => {
    const { status, output } = runTool('promtool', ['check', 'rules', RULES_FILE], rulesDir);
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });

  it('promtool test rules passes, with a test for every alert', () => {
    const tests = parse(readFileSync(join(rulesDir, RULES_TEST_FILE), 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of alertNames(file)) {
      expect(cases.some((c) => c.alertname === name && c.exp_alerts.length > 0), `${name} has a firing case`).toBe(true);
      expect(cases.some((c) => c.alertname === name && c.exp_alerts.length === 0), `${name} has a quiet case`).toBe(true);
    }
    const { status, output } = runTool('promtool', ['test', 'rules', RULES_TEST_FILE], rulesDir);
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });
});

describe('a real Prometheus', () => {
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    prometheus = await startPrometheus({ scrapeTargets: [], scrapeIntervalSec: 1, ruleFiles: [join(rulesDir, RULES_FILE)] });
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('parses every panel query', async () => {
    const url = (prometheus as RunningPrometheus).url;
    const failures: string[] = [];
    for (const q of allPanelQueries()) {
      const res = await instantQuery(url, q.expr);
      if (res.status !== 'success') failures.push(`${q.dashboard} / ${q.panel}: ${res.error}\n  ${q.expr}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('accepts the selectors of every label_values() variable', async () => {
    const url = (prometheus as RunningPrometheus).url;
    const dashboards = Object.values(generateDashboards()) as unknown as DashboardJson[];
    const variables = dashboards.flatMap((d) => d.templating.list.filter((v) => v.type === 'query'));
    expect(variables.length).toBeGreaterThanOrEqual(5);
    for (const v of variables) {
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(String(v.query));
      expect(m, `variable ${v.name}: ${String(v.query)}`).not.toBeNull();
      const [, selector, label] = m as RegExpExecArray;
      const res = await prometheusApi(url, `/api/v1/label/${label}/values`, { 'match[]': substituteVariables(selector) });
      expect(res.status, `variable ${v.name}: ${res.error}`).toBe('success');
    }
  });

  it('loads and evaluates every rule group without errors', async () => {
    const url = (prometheus as RunningPrometheus).url;
    type Groups = { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    let groups: Groups['groups'] = [];
    // Rules are evaluated once per interval (1 s); wait until every rule has run at least once.
    for (let i = 0; i < 60; i++) {
      const res = await prometheusApi<Groups>(url, '/api/v1/rules', {});
      expect(res.status).toBe('success');
      groups = res.data?.groups ?? [];
      if (groups.length > 0 && groups.every((g) => g.rules.every((r) => r.health !== 'unknown'))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(groups.map((g) => g.name).sort()).toEqual(file().groups.map((g) => g.name).sort());
    const unhealthy = groups.flatMap((g) => g.rules.filter((r) => r.health !== 'ok').map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ''}`));
    expect(unhealthy, unhealthy.join('\n')).toEqual([]);
  });

  function file() {
    return buildRules(FLEET);
  }
});

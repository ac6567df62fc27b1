/**
 * `genprobe gate` end to end through the real CLI (`node bin/genprobe.mjs gate --emulator …`):
 * the whole catalog passes with its readable summary and the three report files, a fault fails
 * the right endpoint with the right check, and tool/config mistakes exit 2 (issue 2, "Done when").
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog/index.ts';
import { CHECK_NAMES } from '../../src/checks/types.ts';
import type { GateReport } from '../../src/report/types.ts';
import { genprobe, ROOT, xmlProblem } from './helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'genprobe-gate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VERDICTS = ['pass', 'fail', 'warn', 'waived', 'skipped'];
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as GateReport;
const SHIPPED_WAIVERS = readFileSync(path.join(ROOT, 'waivers.yaml'), 'utf8');

function waiversFile(name: string, extra: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${SHIPPED_WAIVERS.trimEnd()}\n${extra}`);
  return file;
}

describe('genprobe gate --emulator (the whole catalog)', () => {
  it(
    'passes with exit 0 only through waivers, a readable summary with known defects grouped, removed routes as expected, and JSON, JUnit and Markdown reports',
    async () => {
      const out = path.join(dir, 'reports');
      mkdirSync(out);
      const summaryFile = path.join(out, 'step-summary.md');
      const json = path.join(out, 'gate.json');
      const junit = path.join(out, 'gate.xml');
      const md = path.join(out, 'gate.md');
      // The shared 2-core box can be loaded far beyond its cores (other suites, benchmarks); the
      // emulator's rendering is not time-scaled, so give it more slack than the CLI's 45 s default.
      const config = path.join(dir, 'genprobe.config.mjs');
      writeFileSync(config, `export default { target: { overheadMs: 120000 }, gate: { waivers: ${JSON.stringify(path.join(ROOT, 'waivers.yaml'))} } };\n`);
      const run = await genprobe(['gate', '--emulator', '--config', config, '--report', `json=${json},junit=${junit},md=${md}`], { env: { GITHUB_STEP_SUMMARY: summaryFile } });
      expect(run.stderr).not.toMatch(/Error|error:/);
      expect(run.code, run.stdout).toBe(0);

      // Readable summary: one line per endpoint, and the totals.
      expect(run.stdout).toMatch(/gate passed: \d+ passed, 0 failed, \d+ warnings, \d+ waived, \d+ skipped of 42 endpoints in [\d.]+ s/);
      for (const e of CATALOG) expect(run.stdout, e.id).toContain(` ${e.id} `);
      // Removed routes are gone as expected (the still-documented ones are waived doc-drift);
      // registered routes that fail today are waived route-broken known defects, never "expected".
      for (const e of CATALOG.filter((x) => x.lifecycle === 'removed')) {
        expect(run.stdout, e.id).toMatch(new RegExp(`[✓~] ${e.id.replace(/[.]/g, '\\.')}\\s.*\\(removed as expected\\)`));
      }
      for (const e of CATALOG.filter((x) => x.lifecycle === 'incompatible')) expect(run.stdout, e.id).toMatch(new RegExp(`~ ${e.id}\\s.*known defect`));
      expect(run.stdout).not.toMatch(/incompatible as expected/);
      expect(run.stdout).toMatch(/^known defects \(waived; \d+ results\):$/m);
      for (const cls of ['error-status', 'route-broken', 'doc-drift', 'declared-type', 'cost-headers']) expect(run.stdout, cls).toMatch(new RegExp(`^  ~ ${cls} \\(.+\\) until \\d{4}-\\d{2}-\\d{2} on \\d+ endpoints?: `, 'm'));
      // grouped: no per-endpoint "waived" lines without --verbose
      expect(run.stdout).not.toMatch(/^\s+waived /m);

      // JSON: the documented, stable format.
      const report = readJson(json);
      expect(report).toMatchObject({ schemaVersion: 1, tool: { name: 'genprobe' }, exitCode: 0, target: { timeScale: 0.01 } });
      expect(report.summary.total).toBe(CATALOG.length);
      expect(report.summary.fail).toBe(0);
      expect(report.endpoints.map((e) => e.id).sort()).toEqual(CATALOG.map((e) => e.id).sort());
      let withMeasured = 0;
      for (const ep of report.endpoints) {
        expect(typeof ep.app, ep.id).toBe('string');
        expect(ep.path, ep.id).toMatch(/^\//);
        expect(VERDICTS, ep.id).toContain(ep.verdict);
        expect(ep.latencyMs === null || typeof ep.latencyMs === 'number', ep.id).toBe(true);
        expect(typeof ep.redirects, ep.id).toBe('number');
        expect(Array.isArray(ep.hops), ep.id).toBe(true);
        expect(ep.verdict, ep.id).not.toBe('fail');
        if (ep.verdict === 'skipped') {
          expect(ep.skipReason, ep.id).toBeTruthy();
          continue;
        }
        expect(ep.checks.length, ep.id).toBeGreaterThan(0);
        for (const c of ep.checks) {
          expect(CHECK_NAMES as readonly string[], `${ep.id} ${c.check}`).toContain(c.check);
          expect(['pass', 'fail', 'warn', 'skip'], `${ep.id} ${c.check}`).toContain(c.verdict);
          expect(typeof c.message, `${ep.id} ${c.check}`).toBe('string');
          if ('measured' in c) withMeasured++;
        }
        for (const cs of ep.cases) expect(cs.attempts, `${ep.id} ${cs.name}`).toBeGreaterThanOrEqual(1);
      }
      expect(withMeasured).toBeGreaterThan(100);
      const wan = report.endpoints.find((e) => e.id === 'wan2.6')!;
      expect(wan.checks.find((c) => c.check === 'frame-count')).toMatchObject({ verdict: 'pass', measured: expect.any(Number) });

      // JUnit: well-formed XML, one <testsuite> per endpoint, no failures.
      const xml = readFileSync(junit, 'utf8');
      expect(xmlProblem(xml)).toBeNull();
      expect(xml.match(/<testsuite /g)?.length).toBe(CATALOG.length + 2); // + the known defects + the route inventory
      expect(xml).toContain('<testsuite name="known defects (waived)"');
      expect(xml).toMatch(/<testsuite name="route inventory" tests="\d+" failures="0"/);
      expect(xml).toMatch(/<testsuites name="genprobe gate" tests="\d+" failures="0"/);

      // Markdown: the table, also appended to $GITHUB_STEP_SUMMARY.
      const markdown = readFileSync(md, 'utf8');
      expect(markdown).toContain('## genprobe gate: passed');
      expect(markdown).toContain('| | endpoint | app | latency | redirects | findings |');
      for (const e of CATALOG) expect(markdown, e.id).toContain(`| \`${e.path}\` | ${e.app} |`);
      expect(markdown).toMatch(/removed as expected/);
      expect(markdown).toContain('### Known defects (waived)');
      expect(report.knownDefects?.map((d) => d.class)).toEqual(expect.arrayContaining(['error-status', 'route-broken', 'doc-drift', 'declared-type', 'cost-headers']));
      expect(readFileSync(summaryFile, 'utf8')).toBe(markdown);
    },
    300_000,
  );
});

describe('genprobe gate: failures, filters, waivers, tool errors', () => {
  it('a fault on one endpoint: exit 1, naming the endpoint and the check, in the output and the JSON report', async () => {
    const json = path.join(dir, 'fault.json');
    const run = await genprobe(['gate', '--emulator', '--only', 'flux', '--fault', 'wrong-dims', '--report', `json=${json}`]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/✗ flux\s/);
    expect(run.stdout).toMatch(/FAIL happy path › image-size: .*expected 512×512/);
    expect(run.stdout).toContain('gate FAILED');
    const ep = readJson(json).endpoints[0];
    expect(ep).toMatchObject({ id: 'flux', verdict: 'fail' });
    expect(ep.checks.filter((c) => c.verdict === 'fail' && !c.waived).map((c) => c.check)).toEqual(['image-size']);
  }, 180_000);

  it('--only and --tag select endpoints (and combine as an intersection)', async () => {
    const [only, tag, both] = await Promise.all(
      [
        ['--only', 'loras,debug/test', '--only', 'flux-dev'],
        ['--tag', 'json'],
        ['--only', 'flux-dev,loras', '--tag', 'json'],
      ].map(async (args, i) => {
        const json = path.join(dir, `filter-${i}.json`);
        const run = await genprobe(['gate', '--emulator', ...args, '--report', `json=${json}`]);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        return readJson(json).endpoints.map((e) => e.id).sort();
      }),
    );
    expect(only).toEqual(['debug/test', 'flux-dev', 'loras']);
    expect(tag).toEqual(CATALOG.filter((e) => e.tags.includes('json')).map((e) => e.id).sort());
    expect(tag).toEqual(['debug/test', 'loras', 'ryla-lora/loras']);
    expect(both).toEqual(['loras']);
  }, 180_000);

  it('an expired waiver fails the gate (exit 1, "expired"); a waiver whose check passes is reported as no longer needed', async () => {
    const expired = waiversFile(
      'expired.yaml',
      `  - endpoint: loras\n    check: status\n    reason: an old defect that someone must look at again\n    expires: "2020-01-31"\n`,
    );
    const unneeded = waiversFile(
      'unneeded.yaml',
      `  - endpoint: flux\n    check: image-size\n    reason: flux once returned the wrong size (fixed since)\n    expires: "2099-12-31"\n`,
    );
    const [a, b] = await Promise.all([
      genprobe(['gate', '--emulator', '--only', 'loras', '--waivers', expired]),
      genprobe(['gate', '--emulator', '--only', 'flux', '--waivers', unneeded]),
    ]);
    expect(a.code, a.stdout + a.stderr).toBe(1);
    expect(a.stdout).toMatch(/waiver expired: waiver for loras \/ status expired on 2020-01-31/);
    expect(a.stdout).toContain('gate FAILED');
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(b.stdout).toMatch(/waiver unused: waiver for flux \/ image-size is no longer needed/);
  }, 180_000);

  it('exit 2 for a config file with a wrong field (naming it), an unknown --only id or tag, and an unknown flag', async () => {
    const badConfig = path.join(dir, 'bad.config.mjs');
    writeFileSync(badConfig, 'export default { target: { timeScale: 0.5 }, gate: { concurency: 3 } };\n');
    const runs = await Promise.all([
      genprobe(['gate', '--emulator', '--config', badConfig]),
      genprobe(['gate', '--emulator', '--only', 'flux,no-such-endpoint']),
      genprobe(['gate', '--emulator', '--tag', 'no-such-tag']),
      genprobe(['gate', '--emulator', '--no-such-flag']),
    ]);
    for (const r of runs) expect(r.code, r.stdout + r.stderr).toBe(2);
    const [config, only, tag, flag] = runs;
    expect(config.stderr).toMatch(/gate: Unrecognized key: "concurency"/);
    expect(only.stderr).toContain('Unknown endpoint id "no-such-endpoint"');
    expect(tag.stderr).toContain('unknown tag(s): no-such-tag');
    expect(flag.stderr).toContain("Unknown option '--no-such-flag'");
    for (const r of runs) expect(r.stderr).not.toMatch(/\n\s+at /); // one clear line, no stack
  }, 180_000);
});

describe('xmlProblem (the well-formedness check used on the JUnit report)', () => {
  it('accepts well-formed XML and names the problem in broken XML', () => {
    expect(xmlProblem('<?xml version="1.0"?>\n<a x="1" y=\'2\'><b/><c>t &amp; &#38; &lt;</c><!-- c --></a>\n')).toBeNull();
    expect(xmlProblem('<a><b></a></b>')).toMatch(/closes <b>/);
    expect(xmlProblem('<a>')).toMatch(/unclosed <a>/);
    expect(xmlProblem('<a>x & y</a>')).toMatch(/bad entity/);
    expect(xmlProblem('<a x=1></a>')).toMatch(/malformed attributes/);
    expect(xmlProblem('<a x="1" x="2"></a>')).toMatch(/duplicate attribute/);
    expect(xmlProblem('<a x="<"></a>')).not.toBeNull();
    expect(xmlProblem('<a></a><b></b>')).toMatch(/second root/);
    expect(xmlProblem('text<a></a>')).toMatch(/outside the root/);
  });
});

/**
 * Consumer verdicts in the gate's report model: one EndpointReport per consumer call (id
 * `consumer.method`), one `consumer-contract` check per finding class checked (failed, warned or
 * held), so the JSON, JUnit and Markdown reporters, the waivers and the exit codes work on them
 * unchanged.
 */
import type { CheckName } from '../checks/types.ts';
import type { EndpointReport, EndpointVerdict, GateReport, ReportedCheck, Waiver } from '../report/types.ts';
import { settleVerdicts } from '../runner/verdict.ts';
import { applyWaivers } from '../waivers/index.ts';
import { callId, type CallVerdict, type FindingCode } from './findings.ts';

export type VerifyLevel = 'static' | 'live';

/**
 * Every consumer finding is reported under one check name, `consumer-contract`, with the finding
 * code (and the field) as its machine-readable finding: a waiver names `check: consumer-contract`
 * and `finding: {code: field-unknown, params: {field: pulid_strength}}` (or `{cause: copy-loop-drop}`
 * for the cost headers the fleet drops). The message starts with
 * the code so people (and message-matching waivers) see the class at once.
 */
export const CONSUMER_CHECK: CheckName = 'consumer-contract';

type ConsumerCheck = ReportedCheck & { finding?: { code: string; params?: Record<string, string | number> } };

function reported(code: FindingCode, verdict: ReportedCheck['verdict'], message: string, caseName: string, extra: { field?: string; cause?: string; measured?: unknown; expected?: unknown } = {}): ReportedCheck {
  const params = { ...(extra.field ? { field: extra.field } : {}), ...(extra.cause ? { cause: extra.cause } : {}) };
  const check: ConsumerCheck = {
    check: CONSUMER_CHECK,
    verdict,
    message: `${code}: ${message}`,
    measured: extra.measured,
    expected: extra.expected,
    case: caseName,
    finding: Object.keys(params).length ? { code, params } : { code },
  };
  return check;
}

export function callReport(v: CallVerdict, level: VerifyLevel, gpu = '-'): EndpointReport {
  const caseName = `consumer ${level}`;
  const checks: ReportedCheck[] = [
    ...v.findings.map((f) => reported(f.code, f.severity, f.message, caseName, f)),
    ...v.passed.map((p) => reported(p.code, 'pass', p.message, caseName)),
  ];
  const report: EndpointReport = {
    id: callId(v.consumer, v.method),
    app: v.app,
    path: v.path,
    gpu,
    lifecycle: 'live',
    verdict: 'pass',
    latencyMs: null,
    redirects: 0,
    hops: [],
    costUsd: 0,
    checks,
    cases: [{ name: caseName, kind: 'happy', verdict: 'pass', status: null, latencyMs: 0, hops: [], attempts: 0, checks }],
  };
  settleVerdicts(report);
  return report;
}

export function summarize(endpoints: EndpointReport[]): GateReport['summary'] {
  const summary = { pass: 0, fail: 0, warn: 0, waived: 0, skipped: 0, total: endpoints.length } as Record<EndpointVerdict, number> & { total: number };
  for (const ep of endpoints) summary[ep.verdict]++;
  return summary;
}

export interface ConsumerReportOptions {
  target: GateReport['target'];
  waivers: Waiver[];
  startedAt: Date;
  /** genprobe's version for `tool.version` (runner/gate.ts GENPROBE_VERSION). */
  version: string;
  now?: () => Date;
}

/** The consumers verify run as a GateReport (same JSON schema, JUnit and Markdown, exit codes). */
export function consumerReport(verdicts: CallVerdict[], level: VerifyLevel, opts: ConsumerReportOptions): GateReport {
  const now = opts.now ?? (() => new Date());
  const endpoints = verdicts.map((v) => callReport(v, level));
  const waiverFindings = applyWaivers(endpoints, opts.waivers, opts.target.url, now());
  for (const ep of endpoints) settleVerdicts(ep);
  const summary = summarize(endpoints);
  const finished = now();
  return {
    schemaVersion: 1,
    tool: { name: 'genprobe', version: opts.version },
    startedAt: opts.startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - opts.startedAt.getTime(),
    target: opts.target,
    summary,
    waivers: waiverFindings,
    exitCode: summary.fail > 0 || waiverFindings.some((f) => f.finding === 'expired') ? 1 : 0,
    endpoints,
  };
}

const MARK: Record<string, string> = { fail: '✗', warn: '!', waived: '~' };

/**
 * The findings table `genprobe consumers verify` prints: one row per finding, failures first.
 * `endpoints[i]` is `callReport(verdicts[i])` (its first checks are the findings, in order), so a
 * waived finding is shown as waived.
 */
export function findingsTable(verdicts: CallVerdict[], endpoints: EndpointReport[]): string {
  const rows: string[][] = [];
  verdicts.forEach((v, i) => {
    v.findings.forEach((f, j) => {
      const waived = endpoints[i]?.checks[j]?.waived;
      rows.push([MARK[waived ? 'waived' : f.severity], v.consumer, v.method, v.path, f.code, f.field ?? '', f.message.replace(/\s+/g, ' ')]);
    });
  });
  const order: Record<string, number> = { '✗': 0, '~': 1, '!': 2 };
  rows.sort((a, b) => order[a[0]] - order[b[0]] || a[2].localeCompare(b[2]) || a[4].localeCompare(b[4]));
  if (!rows.length) return 'no findings';
  const head = ['', 'consumer', 'method', 'route', 'finding', 'field', 'detail'];
  const widths = head.slice(0, 6).map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) => [...r.slice(0, 6).map((x, k) => x.padEnd(widths[k])), truncate(r[6], 120)].join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

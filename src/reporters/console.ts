import type { EndpointReport, GateReport, KnownDefect, ReportedCheck } from '../report/types.ts';

const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (useColor() ? `\u001b[${code}m${s}\u001b[0m` : s);
const MARK = { pass: paint(32, '✓'), fail: paint(31, '✗'), warn: paint(33, '!'), waived: paint(33, '~'), skipped: paint(90, '-') };

export interface ConsoleOptions {
  /** Also print every waived result under its endpoint (by default they are grouped at the end). */
  verbose?: boolean;
}

/** The happy-path call's container state as the latency check judged it. */
function startOf(ep: EndpointReport): string {
  const latency = ep.checks.find((c) => c.check === 'latency');
  const start = (latency?.measured as { start?: string } | undefined)?.start;
  return start && start !== 'unknown' ? ` ${start}` : '';
}

/** "face 91 %" (video: "face 88 % min, 12/16 frames") from the face-match result. */
function faceOf(ep: EndpointReport): string {
  const face = ep.checks.find((c) => c.check === 'face-match' && c.verdict !== 'skip');
  const m = face?.measured as { kind?: string; percent?: number | null; framesSampled?: number; framesWithFace?: number } | undefined;
  if (!m || typeof m.percent !== 'number') return '';
  const frames = m.kind === 'video' && m.framesSampled ? `, ${m.framesWithFace ?? 0}/${m.framesSampled} frames` : '';
  return ` face ${Math.round(m.percent)} %${frames}`;
}

function findingLine(c: ReportedCheck): string {
  const tag = c.waived ? paint(33, 'waived') : c.verdict === 'fail' ? paint(31, 'FAIL') : paint(33, 'warn');
  return `    ${tag} ${c.case} › ${c.check}: ${c.message.replace(/\s+/g, ' ').slice(0, 200)}`;
}

/**
 * One line per endpoint as it finishes: verdict, id, app, the happy-path call's time, redirects and
 * cold/warm start, the face match; then its unwaived failures and warnings. Waived known defects
 * are counted here and listed once per waiver at the end (every one with `verbose`).
 */
export function formatEndpointLine(ep: EndpointReport, opts: ConsoleOptions = {}): string {
  const lat = ep.latencyMs === null ? '' : ` ${(ep.latencyMs / 1000).toFixed(2)}s`;
  const hops = ep.redirects ? ` ${ep.redirects}×303` : '';
  const waived = ep.checks.filter((c) => c.waived);
  const known = waived.length && !opts.verbose ? ` (${waived.length} known defect${waived.length > 1 ? 's' : ''})` : '';
  const note = ep.verdict === 'skipped' ? ` (${ep.skipReason})` : ep.lifecycle === 'removed' && ep.verdict !== 'fail' ? ' (removed as expected)' : '';
  const lines = [`${MARK[ep.verdict]} ${ep.id.padEnd(26)} ${ep.app.padEnd(16)}${lat}${hops}${startOf(ep)}${faceOf(ep)}${note}${known}`];
  for (const c of ep.checks) {
    if (c.verdict !== 'fail' && c.verdict !== 'warn') continue;
    if (c.waived && !opts.verbose) continue;
    lines.push(findingLine(c));
  }
  return lines.join('\n');
}

/** One line per waiver that accepted something: class, finding, expiry, and the endpoints it covered. */
export function formatKnownDefects(defects: readonly KnownDefect[], opts: ConsoleOptions = {}): string[] {
  if (!defects.length) return [];
  const lines = ['', `known defects (waived; ${defects.reduce((n, d) => n + d.results, 0)} results):`];
  for (const d of defects) {
    const shown = opts.verbose || d.endpoints.length <= 4 ? d.endpoints : [...d.endpoints.slice(0, 3), `… ${d.endpoints.length - 3} more`];
    const params = d.params ? ` ${Object.entries(d.params).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
    lines.push(`  ${paint(33, '~')} ${d.class}${d.finding ? ` (${d.finding}${params})` : ''} until ${d.expires} on ${d.endpoints.length} endpoint${d.endpoints.length > 1 ? 's' : ''}: ${shown.join(', ')}`);
    if (opts.verbose) lines.push(`      ${d.reason.replace(/\s+/g, ' ')}`);
  }
  return lines;
}

export function formatSummary(report: GateReport, opts: ConsoleOptions = {}): string {
  const s = report.summary;
  const lines = [...formatKnownDefects(report.knownDefects ?? [], opts), ''];
  for (const w of report.waivers) lines.push(`${w.finding === 'expired' ? paint(31, 'waiver expired') : paint(36, 'waiver unused')}: ${w.message}`);
  lines.push(
    `${report.exitCode === 0 ? paint(32, 'gate passed') : paint(31, 'gate FAILED')}: ${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.waived} waived, ${s.skipped} skipped of ${s.total} endpoints in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}

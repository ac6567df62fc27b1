import type { EndpointReport, GateReport } from '../runner/report.ts';

const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (useColor() ? `\u001b[${code}m${s}\u001b[0m` : s);
const MARK = { pass: paint(32, '✓'), fail: paint(31, '✗'), warn: paint(33, '!'), waived: paint(33, '~'), skipped: paint(90, '-') };

/** One line per endpoint as it finishes. */
export function formatEndpointLine(ep: EndpointReport): string {
  const lat = ep.latencyMs === null ? '' : ` ${(ep.latencyMs / 1000).toFixed(2)}s`;
  const hops = ep.redirects ? ` ${ep.redirects}×303` : '';
  const note = ep.verdict === 'skipped' ? ` (${ep.skipReason})` : ep.lifecycle !== 'live' ? ` (${ep.lifecycle} as expected)` : '';
  const lines = [`${MARK[ep.verdict]} ${ep.id.padEnd(26)} ${ep.app.padEnd(16)}${lat}${hops}${note}`];
  for (const c of ep.checks) {
    if (c.verdict !== 'fail' && c.verdict !== 'warn') continue;
    const tag = c.waived ? paint(33, 'waived') : c.verdict === 'fail' ? paint(31, 'FAIL') : paint(33, 'warn');
    lines.push(`    ${tag} ${c.case} › ${c.check}: ${c.message.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  return lines.join('\n');
}

export function formatSummary(report: GateReport): string {
  const s = report.summary;
  const lines = [''];
  for (const w of report.waivers) lines.push(`${w.finding === 'expired' ? paint(31, 'waiver expired') : paint(36, 'waiver unused')}: ${w.message}`);
  lines.push(
    `${report.exitCode === 0 ? paint(32, 'gate passed') : paint(31, 'gate FAILED')}: ${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.waived} waived, ${s.skipped} skipped of ${s.total} endpoints in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}

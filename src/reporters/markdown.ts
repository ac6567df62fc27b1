import type { AppInventoryRead, EndpointVerdict, GateReport } from '../report/types.ts';

const ICON: Record<EndpointVerdict, string> = { pass: '✅', fail: '❌', warn: '⚠️', waived: '🟡', skipped: '⏭️' };

/** Markdown cells: error bodies are untrusted; keep them from breaking the table or injecting HTML. */
function cell(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').slice(0, 300);
}

/** Which apps' route lists were read (GET /openapi.json), and the routes they register that no contract checks. */
function inventoryLines(read: readonly AppInventoryRead[]): string[] {
  const lines = ['### Route inventory', '', '| app | list | routes | registered but no contract checks them |', '|---|---|---:|---|'];
  for (const a of read) lines.push(`| ${a.app} | ${a.state === 'registered' ? 'read' : `${a.state}: the calls decided`} | ${a.routes} | ${cell((a.uncatalogued ?? []).join(', ')) || '—'} |`);
  return lines;
}

export function renderMarkdown(report: GateReport): string {
  const s = report.summary;
  const lines = [
    `## genprobe gate: ${report.exitCode === 0 ? 'passed' : 'FAILED'}`,
    '',
    `${s.pass} passed · ${s.fail} failed · ${s.warn} warnings · ${s.waived} waived · ${s.skipped} skipped · ${s.total} endpoints in ${(report.durationMs / 1000).toFixed(1)} s (target \`${report.target.url}\`, time scale ${report.target.timeScale})`,
    '',
    '| | endpoint | app | latency | redirects | findings |',
    '|---|---|---|---:|---:|---|',
  ];
  for (const ep of report.endpoints) {
    // Waived known defects are counted here and listed once per waiver below.
    const waived = ep.checks.filter((c) => c.waived).map((c) => c.check);
    const findings = [
      ...ep.checks.filter((c) => (c.verdict === 'fail' || c.verdict === 'warn') && !c.waived).map((c) => `**${c.check}** ${cell(c.message)}`),
      ...(waived.length ? [`known defects: ${[...new Set(waived)].join(', ')}`] : []),
    ].join('<br>');
    const lat = ep.latencyMs === null ? '—' : `${(ep.latencyMs / 1000).toFixed(2)} s`;
    lines.push(`| ${ICON[ep.verdict]} | \`${ep.path}\` | ${ep.app} | ${lat} | ${ep.redirects} | ${ep.skipReason ? cell(ep.skipReason) : findings || (ep.lifecycle === 'removed' ? 'removed as expected' : '')} |`);
  }
  const defects = report.knownDefects ?? [];
  if (defects.length) {
    lines.push('', '### Known defects (waived)', '', '| class | finding | until | endpoints | reason |', '|---|---|---|---|---|');
    for (const d of defects) lines.push(`| ${d.class} | ${d.finding ? `\`${d.finding}\`` : '—'} | ${d.expires} | ${cell(d.endpoints.join(', '))} | ${cell(d.reason)} |`);
  }
  if (report.inventory?.length) lines.push('', ...inventoryLines(report.inventory));
  if (report.waivers.length) {
    lines.push('', '### Waivers', '');
    for (const w of report.waivers) lines.push(`- ${w.finding === 'expired' ? '❌' : 'ℹ️'} ${cell(w.message)}`);
  }
  return `${lines.join('\n')}\n`;
}

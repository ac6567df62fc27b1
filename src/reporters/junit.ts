import type { AppInventoryRead, GateReport } from '../report/types.ts';

function esc(s: string): string {
  // XML 1.0 forbids most control characters even when escaped; error bodies are untrusted.
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '�')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * The route lists the gate read (GET /openapi.json), one passing testcase per app: CI shows which lists
 * decided what was called and which registered routes no contract checks (as the Markdown report does).
 */
function inventorySuite(read: readonly AppInventoryRead[]): string[] {
  const out = [`  <testsuite name="route inventory" tests="${read.length}" failures="0" time="0">`];
  for (const a of read) {
    const state = a.state === 'registered' ? `read: ${a.routes} routes` : `${a.state}: the calls decided${a.detail ? ` (${a.detail})` : ''}`;
    const unchecked = a.uncatalogued?.length ? `; registered but no contract checks them: ${a.uncatalogued.join(', ')}` : '';
    out.push(`    <testcase classname="route-inventory" name="${esc(a.app)}">`, `      <system-out>${esc(state + unchecked)}</system-out>`, '    </testcase>');
  }
  out.push('  </testsuite>');
  return out;
}

/** One <testsuite> per endpoint, one <testcase> per check of each case. */
export function renderJunit(report: GateReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = report.endpoints.reduce((n, e) => n + e.checks.filter((c) => c.verdict === 'fail' && !c.waived).length, 0);
  const tests = report.endpoints.reduce((n, e) => n + Math.max(1, e.checks.length), 0);
  out.push(`<testsuites name="genprobe gate" tests="${tests}" failures="${failures}" time="${(report.durationMs / 1000).toFixed(3)}">`);
  for (const ep of report.endpoints) {
    const epFailures = ep.checks.filter((c) => c.verdict === 'fail' && !c.waived).length;
    out.push(`  <testsuite name="${esc(`${ep.app}${ep.path}`)}" tests="${Math.max(1, ep.checks.length)}" failures="${epFailures}" time="${((ep.latencyMs ?? 0) / 1000).toFixed(3)}">`);
    if (ep.verdict === 'skipped') {
      out.push(`    <testcase classname="${esc(ep.id)}" name="contract"><skipped message="${esc(ep.skipReason ?? 'skipped')}"/></testcase>`);
    }
    for (const c of ep.checks) {
      const name = esc(`${c.case} › ${c.check}`);
      out.push(`    <testcase classname="${esc(ep.id)}" name="${name}">`);
      if (c.verdict === 'fail' && !c.waived) out.push(`      <failure message="${esc(c.message)}" type="${esc(c.check)}">${esc(JSON.stringify(c.measured ?? null))}</failure>`);
      else if (c.verdict === 'skip') out.push(`      <skipped message="${esc(c.message)}"/>`);
      else if (c.waived || c.verdict === 'warn') out.push(`      <system-out>${esc(`${c.waived ? `waived until ${c.waived.expires}: ${c.waived.reason} — ` : 'warning: '}${c.message}`)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  // Known defects: one passing testcase per waiver, so CI shows what was accepted and until when.
  const defects = report.knownDefects ?? [];
  if (defects.length) {
    out.push(`  <testsuite name="known defects (waived)" tests="${defects.length}" failures="0" time="0">`);
    for (const d of defects) {
      out.push(`    <testcase classname="known-defects" name="${esc(`${d.class}${d.finding ? ` ${d.finding}` : ''} until ${d.expires}`)}">`);
      out.push(`      <system-out>${esc(`${d.waiver}: ${d.endpoints.join(', ')} — ${d.reason}`)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (report.inventory?.length) out.push(...inventorySuite(report.inventory));
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

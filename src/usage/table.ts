/**
 * `genprobe usage`: the current provider split as a table for a person. The CLI wiring lives
 * elsewhere; it calls runUsageCommand() with the database URL it resolved from the environment.
 */
import { Registry } from 'prom-client';
import { createUsageCollector, type UsageLogger } from './collector.ts';
import type { UsageSnapshot, UsageWindowSnapshot } from './summary.ts';

function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}

function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function renderColumns(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // First column left-aligned (names), the rest right-aligned (numbers).
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function windowTable(w: UsageWindowSnapshot): string[] {
  const header = ['provider', 'jobs', 'share', 'failed', 'mean duration', 'mislabelled'];
  const rows = w.providers.map((p) => [
    p.provider,
    String(p.jobs),
    formatPercent(p.share),
    String(p.failed),
    formatSeconds(p.meanDurationSec),
    String(p.mislabelled),
  ]);
  const t = w.totals;
  rows.push([
    'total',
    String(t.jobs),
    t.jobs === 0 ? formatPercent(0) : formatPercent(1),
    String(t.failed),
    formatSeconds(t.timedJobs === 0 ? null : t.durationSumSec / t.timedJobs),
    String(t.mislabelled),
  ]);
  return renderColumns(header, rows);
}

/**
 * The primary window of a snapshot as text: one row per provider plus a total, then which stored
 * labels lied. States plainly when there is no data yet or the data is stale.
 */
export function formatUsageTable(snapshot: UsageSnapshot): string {
  const lines: string[] = [];
  const w = snapshot.windows[0];
  if (w === undefined) {
    lines.push('No successful read of generation_jobs yet.');
    if (snapshot.lastError) lines.push(`Last error (${snapshot.lastError.reason}): ${snapshot.lastError.message}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`generation_jobs created in the last ${w.window}, by provider (classified from external_job_id, not the stored label)`);
  lines.push(`read at ${snapshot.lastSuccessAt}${snapshot.lastReadDurationSec !== null && snapshot.up ? ` in ${snapshot.lastReadDurationSec.toFixed(3)} s` : ''}`);
  if (!snapshot.up && snapshot.lastError) {
    lines.push(`STALE: the last read failed (${snapshot.lastError.reason}): ${snapshot.lastError.message}`);
  }
  lines.push('');
  lines.push(...windowTable(w));
  if (w.mislabelled.length > 0) {
    lines.push('');
    lines.push('Stored external_provider that disagrees with the classification:');
    for (const m of w.mislabelled) {
      const stored = m.stored === 'none' ? 'NULL' : `'${m.stored}'`;
      lines.push(`  stored ${stored} but ran on ${m.classified}: ${m.jobs}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface UsageCommandOptions {
  connectionString: string | undefined;
  windowSec?: number;
  statementTimeoutMs?: number;
  /** Where the table goes; default stdout. */
  out?: (text: string) => void;
  /** Where errors go; default stderr. */
  err?: (text: string) => void;
}

const silent: UsageLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Connects once, prints the table, closes. Exit codes: 0 printed, 1 the database could not be read
 * (reason and redacted message on err), 2 no database URL configured.
 */
export async function runUsageCommand(opts: UsageCommandOptions): Promise<number> {
  const out = opts.out ?? ((t: string) => void process.stdout.write(t));
  const err = opts.err ?? ((t: string) => void process.stderr.write(t));
  if (opts.connectionString === undefined || opts.connectionString.trim() === '') {
    err('genprobe usage: no jobs database URL configured (set the variable named by usage.databaseUrlEnv, default GENPROBE_DATABASE_URL)\n');
    return 2;
  }
  const collector = createUsageCollector({
    connectionString: opts.connectionString,
    registry: new Registry(),
    windowSec: opts.windowSec,
    extraWindowsSec: [],
    intervalMs: 0,
    statementTimeoutMs: opts.statementTimeoutMs,
    logger: silent,
  });
  try {
    const snapshot = await collector.refresh();
    if (!snapshot.up) {
      const e = snapshot.lastError;
      err(`genprobe usage: cannot read generation_jobs (${e?.reason ?? 'unknown'}): ${e?.message ?? 'no detail'}\n`);
      return 1;
    }
    out(formatUsageTable(snapshot));
    return 0;
  } finally {
    await collector.stop();
  }
}

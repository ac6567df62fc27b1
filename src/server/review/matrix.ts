/**
 * The review matrix: rows are endpoints, columns are saved gate runs (before/after a deploy, one
 * target against another). Each cell is judged again with the waivers in force now, so a defect
 * accepted from the matrix shows as waived at once and the next gate agrees.
 */
import { withoutWaivers } from '../../cache/store.ts';
import type { EndpointReport, Waiver } from '../../report/types.ts';
import { settleVerdicts } from '../../runner/verdict.ts';
import { applyWaivers } from '../../waivers/index.ts';
import type { ReviewStore, RunIndex } from './store.ts';

export interface MatrixCell {
  run: string;
  verdict: EndpointReport['verdict'];
  /** Failing checks not covered by a waiver: what "accept" would waive. */
  failing: { check: string; finding: string | null; message: string }[];
  waived: number;
  facePct: number | null;
  latencyMs: number | null;
  sniffedType: string | null;
  thumbs: number;
}

export interface Matrix {
  columns: { run: string; label: string; savedAt: string; target: string }[];
  rows: { endpoint: string; app: string; cells: (MatrixCell | null)[] }[];
}

function facePct(ep: EndpointReport): number | null {
  const m = ep.checks.find((c) => c.check === 'face-match' && c.verdict !== 'skip')?.measured as { percent?: unknown } | undefined;
  return typeof m?.percent === 'number' ? Math.round(m.percent * 10) / 10 : null;
}

/** An endpoint's stored report judged with today's waivers. */
export function rejudge(ep: EndpointReport, waivers: Waiver[], target: string, now = new Date()): EndpointReport {
  const copy = withoutWaivers(ep);
  applyWaivers([copy], waivers, target, now);
  settleVerdicts(copy);
  return copy;
}

function cell(index: RunIndex, ep: EndpointReport, waivers: Waiver[]): MatrixCell {
  const judged = rejudge(ep, waivers, index.target);
  const checks = judged.cases.flatMap((c) => c.checks);
  const out = index.outputs[ep.id];
  return {
    run: index.run,
    verdict: judged.verdict,
    failing: checks.filter((c) => c.verdict === 'fail' && !c.waived).slice(0, 6).map((c) => ({ check: c.check, finding: c.finding?.code ?? null, message: c.message.slice(0, 200) })),
    waived: checks.filter((c) => c.waived).length,
    facePct: facePct(judged),
    latencyMs: judged.latencyMs,
    sniffedType: out?.sniffedType ?? null,
    thumbs: out?.thumbs ?? 0,
  };
}

export function buildMatrix(store: ReviewStore, waivers: Waiver[]): Matrix {
  const runs = store.runs();
  const rows = new Map<string, Matrix['rows'][number]>();
  runs.forEach((index, col) => {
    for (const ep of store.report(index.run).endpoints) {
      let row = rows.get(ep.id);
      if (!row) rows.set(ep.id, (row = { endpoint: ep.id, app: ep.app, cells: runs.map(() => null) }));
      row.cells[col] = cell(index, ep, waivers);
    }
  });
  return {
    columns: runs.map((r) => ({ run: r.run, label: r.label, savedAt: r.savedAt, target: r.target })),
    rows: [...rows.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint)),
  };
}

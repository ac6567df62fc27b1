import type { GateReport } from '../report/types.ts';

/** The stable JSON format (schemaVersion 1), documented in README "Report format". */
export function renderJson(report: GateReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

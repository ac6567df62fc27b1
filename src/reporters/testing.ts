/** Test helper for the reporters: a gate report with nothing in it, to spread the part under test over. */
import type { GateReport } from '../report/types.ts';

export function emptyReport(overrides: Partial<GateReport> = {}): GateReport {
  return {
    summary: { pass: 0, fail: 0, warn: 0, waived: 0, skipped: 0, total: 0 }, exitCode: 0, durationMs: 1000, waivers: [], endpoints: [],
    target: { url: 'http://127.0.0.1:1/{app}', timeScale: 1 },
    ...overrides,
  } as unknown as GateReport;
}

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GateReport } from '../report/types.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export { renderJson, renderJunit, renderMarkdown };
export { formatEndpointLine, formatKnownDefects, formatSummary, type ConsoleOptions } from './console.ts';

export type ReportFormat = 'json' | 'junit' | 'md';
const RENDER: Record<ReportFormat, (r: GateReport) => string> = { json: renderJson, junit: renderJunit, md: renderMarkdown };

/** Parse `json=PATH,junit=PATH,md=PATH`. */
export function parseReportSpec(spec: string): Array<{ format: ReportFormat; file: string }> {
  return spec
    .split(',')
    .filter(Boolean)
    .map((part) => {
      const [format, file] = part.split('=');
      if (!format || !file || !(format in RENDER)) throw new Error(`--report: "${part}" is not FORMAT=PATH with FORMAT one of json, junit, md`);
      return { format: format as ReportFormat, file };
    });
}

export function writeReports(report: GateReport, spec: Array<{ format: ReportFormat; file: string }>, env = process.env): string[] {
  const written: string[] = [];
  for (const { format, file } of spec) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, RENDER[format](report));
    written.push(file);
  }
  // GitHub Actions shows this file on the run's summary page.
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(env.GITHUB_STEP_SUMMARY, renderMarkdown(report));
    written.push(env.GITHUB_STEP_SUMMARY);
  }
  return written;
}

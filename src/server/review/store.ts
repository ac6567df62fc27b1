/**
 * Gate runs kept for review (`gate --review LABEL`): <stateDir>/review/<run>/ holds the run's JSON
 * report, each endpoint's happy-path output (outputs/<id>.<ext>) and its thumbnails
 * (thumbs/<id>-<n>.webp), made when the run is saved. The review matrix reads only this.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EndpointReport, GateReport } from '../../report/types.ts';
import type { EndpointRun } from '../../runner/run-endpoint.ts';
import { makeThumbs } from './thumbs.ts';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;
const EXT: Record<string, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', 'webp-animated': 'webp', gif: 'gif', mp4: 'mp4' };
export const MEDIA_TYPE: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4' };

export interface SavedOutput {
  file: string;
  sniffedType: string;
  thumbs: number;
}

/** What a saved run knows beyond its report: per endpoint, its output and thumbnails. */
export interface RunIndex {
  run: string;
  label: string;
  savedAt: string;
  target: string;
  outputs: Record<string, SavedOutput>;
}

export function isSafeName(s: string): boolean {
  return SAFE.test(s) && !s.includes('..');
}

export class ReviewStore {
  constructor(readonly dir: string) {}

  runDir(run: string): string {
    if (!isSafeName(run)) throw new RangeError(`not a run id: ${run}`);
    return path.join(this.dir, run);
  }

  /** Save a finished gate run under a label; returns its run id. */
  async save(label: string, report: GateReport, runs: readonly EndpointRun[], now = new Date()): Promise<string> {
    if (!isSafeName(label)) throw new RangeError(`a review label is letters, digits, '.', '_' and '-' (got "${label}")`);
    const run = `${now.toISOString().replace(/[:.]/g, '-')}-${label}`;
    const dir = this.runDir(run);
    mkdirSync(path.join(dir, 'outputs'), { recursive: true });
    mkdirSync(path.join(dir, 'thumbs'), { recursive: true });
    const outputs: Record<string, SavedOutput> = {};
    for (const r of runs) {
      if (!r.output || !EXT[r.output.sniffedType]) continue;
      const id = r.report.id;
      const file = `${id}.${EXT[r.output.sniffedType]}`;
      writeFileSync(path.join(dir, 'outputs', file), r.output.body);
      let thumbs: Buffer[] = [];
      try {
        thumbs = await makeThumbs(r.output.body, r.output.sniffedType);
      } catch {
        // An output that does not decode is shown as such: its cell has verdicts but no picture.
      }
      thumbs.forEach((t, n) => writeFileSync(path.join(dir, 'thumbs', `${id}-${n}.webp`), t));
      outputs[id] = { file, sniffedType: r.output.sniffedType, thumbs: thumbs.length };
    }
    const index: RunIndex = { run, label, savedAt: now.toISOString(), target: report.target.url, outputs };
    writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    return run;
  }

  /** Saved runs, oldest first. */
  runs(): RunIndex[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((n) => isSafeName(n) && existsSync(path.join(this.dir, n, 'index.json')))
      .sort()
      .map((n) => JSON.parse(readFileSync(path.join(this.dir, n, 'index.json'), 'utf8')) as RunIndex);
  }

  report(run: string): GateReport {
    return JSON.parse(readFileSync(path.join(this.runDir(run), 'report.json'), 'utf8')) as GateReport;
  }

  endpoint(run: string, id: string): { report: EndpointReport | undefined; output: SavedOutput | undefined; index: RunIndex } {
    const index = JSON.parse(readFileSync(path.join(this.runDir(run), 'index.json'), 'utf8')) as RunIndex;
    return { report: this.report(run).endpoints.find((e) => e.id === id), output: index.outputs[id], index };
  }

  thumbPath(run: string, id: string, n: number): string {
    if (!isSafeName(id) || !Number.isInteger(n) || n < 0 || n > 2) throw new RangeError('bad thumbnail');
    return path.join(this.runDir(run), 'thumbs', `${id}-${n}.webp`);
  }

  outputPath(run: string, out: SavedOutput): string {
    if (!isSafeName(out.file)) throw new RangeError('bad output name');
    return path.join(this.runDir(run), 'outputs', out.file);
  }
}

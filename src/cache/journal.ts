/**
 * What the last gate run did, kept next to the cache (`.genprobe/last-run.json`), so that
 *   --retry-failed reruns only the endpoints whose contract failed last time, and
 *   --resume finishes a gate that was interrupted: the endpoints it finished are taken from the
 *            journal (their reports, judged again by today's waivers), the rest run.
 * The journal is rewritten after every endpoint (temp file + rename), so a gate killed at any point
 * leaves a readable record of what it finished.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/index.ts';
import type { EndpointReport } from '../report/types.ts';

export interface RunJournal {
  version: 1;
  startedAt: string;
  /** What the run selected and against what: a resume must run the same gate. */
  selection: { only: string[]; tags: string[] };
  target: string;
  complete: boolean;
  endpoints: EndpointReport[];
}

export const JOURNAL_FILE = 'last-run.json';

export class JournalWriter {
  readonly #file: string;
  readonly #journal: RunJournal;

  constructor(stateDir: string, init: Omit<RunJournal, 'version' | 'complete'>) {
    mkdirSync(stateDir, { recursive: true });
    this.#file = path.join(stateDir, JOURNAL_FILE);
    this.#journal = { version: 1, complete: false, ...init, endpoints: [...init.endpoints] };
    this.#write();
  }

  add(report: EndpointReport): void {
    this.#journal.endpoints = [...this.#journal.endpoints.filter((e) => e.id !== report.id), structuredClone(report)];
    this.#write();
  }

  finish(): void {
    this.#journal.complete = true;
    this.#write();
  }

  #write(): void {
    const tmp = `${this.#file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#journal));
    renameSync(tmp, this.#file);
  }
}

export function readJournal(stateDir: string): RunJournal {
  const file = path.join(stateDir, JOURNAL_FILE);
  if (!existsSync(file)) throw new ConfigError(`no previous gate run is recorded in ${stateDir} (run a gate first)`);
  let j: RunJournal;
  try {
    j = JSON.parse(readFileSync(file, 'utf8')) as RunJournal;
  } catch (err) {
    throw new ConfigError(`${file} is not readable: ${(err as Error).message}`);
  }
  if (j?.version !== 1 || !Array.isArray(j.endpoints) || !j.selection) throw new ConfigError(`${file} is not a genprobe run journal`);
  return j;
}

/** The endpoints whose contract failed in the last run (for --retry-failed). */
export function failedIds(j: RunJournal): string[] {
  return j.endpoints.filter((e) => e.verdict === 'fail').map((e) => e.id);
}

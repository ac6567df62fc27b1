/**
 * The tree cites only what a clone has: the fleet's own source (`jatidevelopments/ryla@57209b5:…`)
 * or docs/fleet.md. A file outside the repository (the notes genprobe was first written from) is
 * no citation: a reader cannot follow it (issue 12.9).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
// Built from parts so this file does not cite them itself.
const FORBIDDEN = [['contracts', 'md'].join('.'), ['..', 'shared', ''].join('/')];
const TEXT = /\.(ts|mts|js|mjs|json|md|ya?ml|sql|sh|html|css|txt|toml)$/;

function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f && TEXT.test(f) && !f.startsWith('node_modules/'));
}

describe('citations', () => {
  it('no file cites a document outside the repository', () => {
    const offenders: string[] = [];
    for (const file of repoFiles()) {
      const full = path.join(ROOT, file);
      let text: string;
      try {
        if (statSync(full).size > 5_000_000) continue;
        text = readFileSync(full, 'utf8');
      } catch {
        continue; // listed but deleted in the working tree
      }
      text.split('\n').forEach((line, i) => {
        if (FORBIDDEN.some((f) => line.includes(f))) offenders.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(offenders, 'cite jatidevelopments/ryla@57209b5:<path> or docs/fleet.md §N instead').toEqual([]);
  });
});

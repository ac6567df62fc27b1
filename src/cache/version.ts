/**
 * Content versions for the result cache: a hash of the files a cached result depends on, so that
 * editing the catalog (or a fixture it sends) or any check invalidates exactly what it must,
 * without anyone remembering to bump a number.
 *   catalog version: src/catalog/** and fixtures/** (golden images excluded: they are compared, not sent)
 *   check version:   src/checks/**, src/face/**, src/media/** and the runner that applies them
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function listFiles(dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs).sort()) {
      const p = path.join(abs, name);
      const rel = path.relative(ROOT, p);
      if (skip(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

/** sha256 over the paths and bytes of every file under the given roots (test files excluded). */
export function treeHash(roots: readonly string[], skip: (rel: string) => boolean = () => false): string {
  const h = createHash('sha256');
  for (const root of roots) {
    const abs = path.join(ROOT, root);
    const files = statSync(abs).isDirectory() ? listFiles(root, (rel) => /\.test\.ts$/.test(rel) || skip(rel)) : [abs];
    for (const f of files) h.update(path.relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

let catalog: string | undefined;
let checks: string | undefined;

export function catalogVersion(): string {
  return (catalog ??= treeHash(['src/catalog', 'fixtures'], (rel) => rel.startsWith(path.join('fixtures', 'golden'))));
}

export function checksVersion(): string {
  return (checks ??= treeHash(['src/checks', 'src/face', 'src/media', 'src/runner/run-endpoint.ts', 'src/runner/verdict.ts']));
}

/**
 * The import graph of `src/`, read with the TypeScript compiler's own pre-processor (so dynamic
 * `import()` and `export … from` count too), and the README's architecture table as the rule it
 * must follow. `npx tsx scripts/import-graph.ts` prints the folder-level drawing and every breach;
 * scripts/import-graph.test.ts enforces it in `npm test`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the source root (`runner/gate.ts`). */
  from: string;
  /** Imported file, relative to the source root, without extension (`waivers/index`). */
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

const withoutExtension = (p: string) => p.replace(/\.(ts|js|mjs)$/, '');

/** Every relative import between files under `root` (tests excluded: they may reach anywhere). */
export function importEdges(root: string): ImportEdge[] {
  return sourceFiles(root).flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return info.importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => ({
        from: path.relative(root, file),
        to: withoutExtension(path.relative(root, path.resolve(path.dirname(file), i.fileName))),
      }))
      .filter((e) => !e.to.startsWith('..'));
  });
}

export const folderOf = (p: string) => p.split('/')[0]!;

/** File-level cycles (each as the list of files around it), found by depth-first search. */
export function findCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(withoutExtension(e.from), [...(next.get(withoutExtension(e.from)) ?? []), e.to]);
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to]);
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of next.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * The README's architecture table: folder → what it may import. A cell lists folders (`checks`)
 * or single modules (`runner/report`); "nothing of genprobe" and "—" allow nothing; "everything
 * above" allows every folder listed above it.
 */
export function allowedImports(readme: string): Map<string, string[]> {
  const rows = readme
    .split('\n')
    .map((line) => /^\| `src\/([a-z-]+)\/` \|.*\| ([^|]+) \|$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null);
  const allowed = new Map<string, string[]>();
  for (const [, folder, cell] of rows) {
    const text = cell!.trim();
    if (text === 'everything above') allowed.set(folder!, [...allowed.keys()]);
    else if (text === '—' || text === 'nothing of genprobe') allowed.set(folder!, []);
    else allowed.set(folder!, text.split(',').map((s) => s.trim().replace(/`/g, '')));
  }
  return allowed;
}

/** Cross-folder imports the table does not allow (a folder absent from the table allows nothing). */
export function breaches(edges: ImportEdge[], allowed: Map<string, string[]>): ImportEdge[] {
  return edges.filter((e) => {
    const from = folderOf(e.from);
    const to = folderOf(e.to);
    if (from === to || !e.from.includes('/')) return false;
    const may = allowed.get(from) ?? [];
    return !may.some((m) => (m.includes('/') ? e.to === m || e.to.startsWith(`${m}/`) : m === to));
  });
}

/** One line per folder pair, with how many imports make it: the drawing a reviewer reads. */
export function folderDrawing(edges: ImportEdge[]): string[] {
  const counts = new Map<string, number>();
  for (const e of edges) {
    const [a, b] = [folderOf(e.from), folderOf(e.to)];
    if (a !== b && e.from.includes('/')) counts.set(`${a} → ${b}`, (counts.get(`${a} → ${b}`) ?? 0) + 1);
  }
  return [...counts].sort().map(([pair, n]) => `${pair} (${n})`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const root = path.resolve(import.meta.dirname, '..');
  const edges = importEdges(path.join(root, 'src'));
  console.log(folderDrawing(edges).join('\n'));
  const bad = breaches(edges, allowedImports(readFileSync(path.join(root, 'README.md'), 'utf8')));
  for (const e of bad) console.log(`breach: ${e.from} → ${e.to}`);
  for (const c of findCycles(edges)) console.log(`cycle: ${c.join(' → ')}`);
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedImports, breaches, findCycles, importEdges, type ImportEdge } from './import-graph.ts';

const root = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('the import graph of src/', () => {
  const edges = importEdges(path.join(root, 'src'));

  it('has no cycle between files', () => {
    expect(findCycles(edges).map((c) => c.join(' → '))).toEqual([]);
  });

  it("follows the README's architecture table (imports point down only)", () => {
    expect(breaches(edges, allowedImports(readme)).map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('is itself a layering: each row may import only rows above it (bottom to top)', () => {
    const table = allowedImports(readme);
    const order = [...table.keys()];
    const upward = [...table].flatMap(([folder, may]) =>
      may.filter((m) => !order.slice(0, order.indexOf(folder)).includes(m.split('/')[0]!)).map((m) => `${folder} → ${m}`),
    );
    expect(upward).toEqual([]);
  });

  it('lists every folder of src/ in the table', () => {
    const folders = new Set(edges.map((e) => e.from.split('/')[0]).filter((f) => !f.endsWith('.ts')));
    const table = allowedImports(readme);
    expect([...folders].filter((f) => !table.has(f))).toEqual([]);
  });
});

describe('the checker itself', () => {
  const table = allowedImports(
    ['| `src/a/` | data | nothing of genprobe |', '| `src/b/` | x | a |', '| `src/c/` | y | `b/types` |', '| `src/d/` | z | everything above |'].join('\n'),
  );
  const edge = (from: string, to: string): ImportEdge => ({ from, to });

  it('reads folders, single modules and "everything above" from the table', () => {
    expect(table.get('a')).toEqual([]);
    expect(table.get('b')).toEqual(['a']);
    expect(table.get('c')).toEqual(['b/types']);
    expect(table.get('d')).toEqual(['a', 'b', 'c']);
  });

  it('flags an upward import and an import of a module the cell does not name', () => {
    const bad = breaches([edge('a/x.ts', 'b/y'), edge('b/x.ts', 'a/y'), edge('c/x.ts', 'b/types'), edge('c/x.ts', 'b/index')], table);
    expect(bad).toEqual([edge('a/x.ts', 'b/y'), edge('c/x.ts', 'b/index')]);
  });

  it('finds a cycle of three files', () => {
    expect(findCycles([edge('a/x.ts', 'b/y'), edge('b/y.ts', 'c/z'), edge('c/z.ts', 'a/x')])).toEqual([['a/x', 'b/y', 'c/z', 'a/x']]);
  });
});

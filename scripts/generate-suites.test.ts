import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../src/catalog/index.ts';
import { PROJECT_ROOT } from '../src/runner/fixtures.ts';
import { suiteFiles } from './generate-suites.ts';

describe('suites/', () => {
  it('has exactly one up-to-date suite per catalog entry (run `npx tsx scripts/generate-suites.ts`)', () => {
    const dir = path.join(PROJECT_ROOT, 'suites');
    const onDisk = readdirSync(dir).filter((f) => f.endsWith('.contract.test.ts')).sort();
    const expected = suiteFiles();
    expect(onDisk).toEqual(Object.keys(expected).sort());
    expect(onDisk).toHaveLength(CATALOG.length);
    for (const [name, src] of Object.entries(expected)) expect(readFileSync(path.join(dir, name), 'utf8'), `${name} is stale`).toBe(src);
  });
});

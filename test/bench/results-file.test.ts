/**
 * bench/run.ts's results file: a subset run (`--only`) keeps the other entries, and each entry keeps
 * the machine it ran on, so a number measured on one host is never shown under another's description.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('bench results file', () => {
  it('records the machine per entry and keeps an earlier entry’s own machine', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'genprobe-bench-results-'));
    try {
      const out = path.join(dir, 'results.json');
      const elsewhere = { cpuModel: 'another host', cores: 64 };
      const earlier = { title: 'face', machine: elsewhere, values: { ms: 1 }, ranAt: '2026-01-01T00:00:00.000Z' };
      await writeFile(out, JSON.stringify({ schemaVersion: 1, machine: elsewhere, date: earlier.ranAt, loadAvg: { start: [], end: [] }, benchmarks: { face: earlier } }));
      await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only', 'metrics', '--quick', '--out', out], { cwd: ROOT, timeout: 60_000 });
      const file = JSON.parse(await readFile(out, 'utf8'));
      expect(file.benchmarks.face).toEqual(earlier);
      expect(file.benchmarks.metrics.machine).toEqual(file.machine);
      expect(file.machine.cpuModel).not.toBe('another host');
      expect(file.machine.cores).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

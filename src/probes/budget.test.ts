import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Budget } from './budget.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Budget state file writes (13.9)', () => {
  it('never follows a symlink planted at a temp-file name, and leaves no temp file behind', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'genprobe-budget-'));
    dirs.push(dir);
    const file = path.join(dir, 'budget.json');
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'do not overwrite\n');
    // The name the old code wrote through: `<state>.<pid>.tmp`, predictable by a neighbour.
    symlinkSync(victim, `${file}.${process.pid}.tmp`);
    const now = () => Date.parse('2026-05-10T12:00:00Z');
    new Budget({ dailyUsd: 5, monthlyUsd: 50, stateFile: file, now }).charge(1.25);
    expect(readFileSync(victim, 'utf8')).toBe('do not overwrite\n');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, daily: { spentUsd: 1.25 } });
    expect(readdirSync(dir).sort()).toEqual([`budget.json.${process.pid}.tmp`, 'budget.json', 'victim.txt'].sort());
  });
});

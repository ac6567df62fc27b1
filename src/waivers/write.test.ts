import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWaivers } from './index.ts';
import { appendWaivers, expiryInDays } from './write.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(text?: string): string {
  const d = mkdtempSync(path.join(tmpdir(), 'genprobe-waive-'));
  dirs.push(d);
  const f = path.join(d, 'waivers.yaml');
  if (text !== undefined) writeFileSync(f, text);
  return f;
}
const w = { endpoint: 'flux', check: 'image-size', finding: { code: 'size-mismatch' }, reason: 'accepted while the resize fix ships', expires: '2099-01-31' };

describe('appendWaivers', () => {
  it('appends to an existing file, keeping its comments, and the gate parser reads the result', () => {
    const f = file('# known defects\nwaivers:\n  # PNG as JPEG\n  - endpoint: "*"\n    check: declared-type\n    reason: PNG bytes served as image/jpeg\n    expires: "2099-01-01"\n');
    expect(appendWaivers(f, [w])).toEqual([w]);
    const text = readFileSync(f, 'utf8');
    expect(text).toContain('# known defects');
    expect(text).toContain('# PNG as JPEG');
    expect(loadWaivers(f)).toEqual([expect.objectContaining({ check: 'declared-type' }), w]);
  });

  it('creates the file, and never adds the same defect twice', () => {
    const f = file();
    expect(appendWaivers(f, [w, { ...w, reason: 'the same defect, said again' }])).toHaveLength(1);
    expect(appendWaivers(f, [w])).toEqual([]);
    expect(loadWaivers(f)).toHaveLength(1);
  });

  it('refuses a waiver the gate would refuse, leaving the file as it was', () => {
    const f = file('waivers: []\n');
    expect(() => appendWaivers(f, [{ ...w, reason: 'short' }])).toThrow(/reason/);
    expect(() => appendWaivers(f, [{ ...w, check: 'no-such-check' }])).toThrow(/must be a check name/);
    expect(readFileSync(f, 'utf8')).toBe('waivers: []\n');
  });

  it('expiry defaults count days from now in UTC', () => {
    expect(expiryInDays(30, new Date('2026-12-02T23:30:00Z'))).toBe('2027-01-01');
  });
});

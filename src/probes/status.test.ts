import { describe, expect, it } from 'vitest';
import { shortMessage } from './status.ts';

describe('status messages', () => {
  it('error messages are one bounded line', () => {
    const m = shortMessage(`line1\nline2\u0000${'x'.repeat(500)}`);
    expect(m).not.toMatch(/[\n\u0000]/);
    expect(m.length).toBe(300);
  });
});

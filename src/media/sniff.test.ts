import { describe, expect, it } from 'vitest';
import { sniffMediaType } from './sniff.ts';

/** Deterministic bytes of a 32-bit LCG: "random" binary without a random test. */
function lcgBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('sniffMediaType: text kinds are text first', () => {
  it('binary that happens to start with "{", "[" or "<html" is unknown, not json or html', () => {
    for (const lead of ['{', '[', '  {"', '<html>']) {
      for (let seed = 1; seed <= 50; seed++) {
        const bytes = Buffer.concat([Buffer.from(lead), lcgBytes(4096, seed)]);
        expect(sniffMediaType(bytes), `${JSON.stringify(lead)} seed ${seed}`).toBe('unknown');
      }
    }
  });

  it('reads JSON, HTML and text in UTF-8, non-ASCII included, and a character cut by the 512-byte sample', () => {
    expect(sniffMediaType(Buffer.from('{"detail":"Not Found"}'))).toBe('json');
    expect(sniffMediaType(Buffer.from(`{"error":"${'提示词无效 '.repeat(100)}"}`))).toBe('json');
    expect(sniffMediaType(Buffer.from(`{"error":"${'é'.repeat(300)}"}`))).toBe('json');
    expect(sniffMediaType(Buffer.from('\n  [1, 2, 3]'))).toBe('json');
    expect(sniffMediaType(Buffer.from('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>'))).toBe('html');
    expect(sniffMediaType(Buffer.from('modal-http: invalid function call\n'))).toBe('text');
    expect(sniffMediaType(Buffer.from([0x7b, 0x22, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]))).toBe('unknown');
  });
});

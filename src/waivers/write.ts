/**
 * Adding waivers to a waivers file — what `genprobe waive` and the review matrix's "accept" both
 * call, so a waiver written from the browser is the same as one written by hand. The file is
 * edited as a YAML document (its comments and layout kept), the result is validated with the same
 * parser the gate uses (parseWaivers) before it replaces the file, and the write is atomic.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import type { Waiver } from '../report/types.ts';
import { parseWaivers, waiverKey, WaiverFileError } from './index.ts';

/** Same endpoint, check, finding and target: a second waiver for it would be a duplicate. */
function sameDefect(a: Waiver, b: Waiver): boolean {
  return waiverKey(a) === waiverKey(b) && (a.target ?? '') === (b.target ?? '');
}

/**
 * Append waivers (skipping ones the file already has for the same defect) and return what was
 * added. Throws WaiverFileError, leaving the file untouched, when the result would not parse.
 */
export function appendWaivers(file: string, add: readonly Waiver[]): Waiver[] {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : 'waivers: []\n';
  const existing = parseWaivers(text, file);
  const fresh = add.filter((w, i) => !existing.some((e) => sameDefect(e, w)) && !add.slice(0, i).some((p) => sameDefect(p, w)));
  if (!fresh.length) return [];
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) throw new WaiverFileError(`${file}: not a waivers file (expected a mapping with a waivers list)`);
  let seq = doc.get('waivers');
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    doc.set('waivers', seq);
  }
  (seq as YAMLSeq).flow = false;
  for (const w of fresh) (seq as YAMLSeq).add(doc.createNode(stripUndefined(w)));
  const out = doc.toString({ lineWidth: 0 });
  parseWaivers(out, file);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, out, { flag: 'wx' });
  renameSync(tmp, file);
  return fresh;
}

function stripUndefined(w: Waiver): Record<string, unknown> {
  return Object.fromEntries(Object.entries(w).filter(([, v]) => v !== undefined));
}

/** YYYY-MM-DD, `days` from now (UTC): the default expiry of an accepted defect. */
export function expiryInDays(days: number, now = new Date()): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

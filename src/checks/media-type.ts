import type { OutputKind } from '../catalog/types.ts';
import { MIME_OF } from '../media/sniff.ts';
import type { SniffedType } from '../media/types.ts';
import { fail, pass, skip, withFinding, type CheckResult } from './types.ts';
import { always, type CheckDefinition } from './definition.ts';

/** The real format of the bytes (magic-number sniff) against the catalog's output kind. */
export function checkMediaType(sniffed: SniffedType, expectedKind: OutputKind): CheckResult {
  if (sniffed === expectedKind) return pass('media-type', `bytes are ${sniffed}`, sniffed, expectedKind);
  if (expectedKind === 'webp-animated' && sniffed === 'webp') {
    return fail('media-type', 'still WebP (no animation) where an animated WebP was expected', sniffed, expectedKind);
  }
  if (expectedKind === 'webp-animated' && sniffed === 'mp4') {
    return fail('media-type', 'MP4 bytes where an animated WebP was expected', sniffed, expectedKind);
  }
  if (sniffed === 'empty') return fail('media-type', `empty body, expected ${expectedKind}`, sniffed, expectedKind);
  return fail('media-type', `bytes are ${sniffed}, expected ${expectedKind}`, sniffed, expectedKind);
}

/** `type/subtype` of a Content-Type, lower-cased, parameters dropped. */
export function essenceOf(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return essence || null;
}

export const KNOWN_PNG_AS_JPEG = 'PNG bytes served as image/jpeg (as built: ComfyUI SaveImage writes PNG, the routes declare image/jpeg)';

/**
 * Content-Type against the sniffed bytes. Any disagreement is a failure: a client that trusts the
 * header mis-handles the body. The fleet's documented lie (PNG under image/jpeg, as the catalog
 * records it) gets its own finding, `png-as-jpeg`, so a checked-in waiver can accept it until fixed.
 */
export function checkDeclaredType(declared: string | null | undefined, sniffed: SniffedType, catalogDeclared: string): CheckResult {
  const got = essenceOf(declared);
  const documented = essenceOf(catalogDeclared);
  const actual = MIME_OF[sniffed];
  const measured = { declared: got, sniffed };
  if (actual === null) return skip('declared-type', `bytes are ${sniffed}; nothing to compare Content-Type with`);
  if (got === null) return withFinding(fail('declared-type', `no Content-Type; bytes are ${actual}`, measured, documented), 'no-content-type', { sniffed });
  if (got === actual) {
    if (documented !== null && documented !== actual) {
      return pass('declared-type', `Content-Type ${got} matches the bytes; the catalog documents ${documented} — update the catalog`, measured, documented);
    }
    return pass('declared-type', `Content-Type ${got} matches the bytes`, measured, actual);
  }
  if (got === documented && got === 'image/jpeg' && sniffed === 'png') return withFinding(fail('declared-type', KNOWN_PNG_AS_JPEG, measured, documented), 'png-as-jpeg');
  if (got === documented) return withFinding(fail('declared-type', `Content-Type ${got} (as catalogued) but the bytes are ${actual}`, measured, actual), 'declared-as-catalogued', { sniffed });
  return withFinding(fail('declared-type', `Content-Type ${got} contradicts both the bytes (${actual}) and the catalog (${documented})`, measured, documented), 'content-type-mismatch', { sniffed });
}

export const mediaTypeCheck: CheckDefinition = {
  name: 'media-type',
  needs: 'bytes',
  appliesTo: always,
  run: ({ input, sniffed }) => checkMediaType(sniffed, input.output.kind),
  blocks: (result, { input, sniffed }) => (result.verdict === 'pass' ? null : `not decoded: bytes are ${sniffed}, expected ${input.output.kind}`),
};

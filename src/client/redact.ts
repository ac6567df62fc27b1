/**
 * Secret redaction that runs before any text is cut. A report quotes the first few hundred
 * characters of a body; cutting first and redacting after leaves the prefix of a secret that
 * straddles the cut, and a third party (the fleet quotes downstream errors cut at 500 characters,
 * jatidevelopments/ryla@57209b5:apps/modal/handlers/wan26.py:967) can hand us a secret already cut.
 * So every full occurrence is replaced, and so is every fragment of MIN_SECRET_FRAGMENT or more
 * characters of a secret in the part of the text that can be quoted.
 */
export const REDACTED = '[REDACTED]';

/**
 * Shortest run of a secret's characters that is redacted on its own. Modal tokens are `wk-`/`ws-`
 * plus ~22 random characters; 6 keeps the public 3-character prefix visible and lets ≤ 5 random
 * characters of a token through at worst.
 */
export const MIN_SECRET_FRAGMENT = 6;

/** Fragments are searched in this many leading characters: reports quote ≤ 300 of them. */
export const FRAGMENT_SCAN_CHARS = 64 * 1024;

/** The forms a secret can take in text: as is, and URL-encoded (query strings, Location headers). */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces each maximal run of characters that belongs to a fragment of a secret. */
function redactFragments(text: string, forms: readonly string[]): string {
  let marks: Uint8Array | null = null;
  for (const form of forms) {
    for (let p = 0; p + MIN_SECRET_FRAGMENT <= form.length; p++) {
      const window = form.slice(p, p + MIN_SECRET_FRAGMENT);
      for (let i = text.indexOf(window); i !== -1; i = text.indexOf(window, i + 1)) {
        marks ??= new Uint8Array(text.length);
        marks.fill(1, i, i + MIN_SECRET_FRAGMENT);
      }
    }
  }
  if (!marks) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (!marks[i]) {
      const start = i;
      while (i < text.length && !marks[i]) i++;
      out += text.slice(start, i);
    } else {
      while (i < text.length && marks[i]) i++;
      out += REDACTED;
    }
  }
  return out;
}

/**
 * Replaces every occurrence of each secret (raw or URL-encoded) with `[REDACTED]`, and every
 * fragment of ≥ MIN_SECRET_FRAGMENT characters of one in the first FRAGMENT_SCAN_CHARS
 * characters. Empty secrets are ignored.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = secretForms(secrets);
  if (forms.length === 0 || text === '') return text;
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  if (out.length <= FRAGMENT_SCAN_CHARS) return redactFragments(out, forms);
  return redactFragments(out.slice(0, FRAGMENT_SCAN_CHARS), forms) + out.slice(FRAGMENT_SCAN_CHARS);
}

/** Redact, then cut to `maxChars` code points: the only safe order (see the module comment). */
export function redactThenTruncate(text: string, maxChars: number, redact: (s: string) => string): { text: string; cut: boolean; chars: number } {
  const chars = [...redact(text)];
  const cut = chars.length > maxChars;
  return { text: cut ? chars.slice(0, maxChars).join('') : chars.join(''), cut, chars: chars.length };
}

import type { HeaderSpec } from '../catalog/types.ts';
import { fail, pass, skip, withFinding, type CheckResult } from './types.ts';
import { type CheckDefinition } from './definition.ts';

/** The handler-set cost headers and their wire formats (docs/fleet.md §2.4). */
export const COST_HEADER_FORMATS: Record<string, { pattern: RegExp; format: string }> = {
  'x-cost-usd': { pattern: /^\d+\.\d{6}$/, format: 'decimal with 6 places (f"{cost:.6f}")' },
  'x-execution-time-sec': { pattern: /^\d+\.\d{3}$/, format: 'decimal with 3 places (f"{t:.3f}")' },
  'x-gpu-type': { pattern: /^(L40S|A100)$/, format: 'L40S or A100' },
};

export const KNOWN_COST_HEADERS_DROPPED =
  'cost headers missing: X-Cost-USD, X-Execution-Time-Sec, X-GPU-Type, dropped as built by the case-sensitive startswith("X-") copy loop (jatidevelopments/ryla@57209b5:apps/modal/handlers/instantid.py:611-613)';

/** Display names of the three headers, in report order. */
const DISPLAY: Record<string, string> = { 'x-cost-usd': 'X-Cost-USD', 'x-execution-time-sec': 'X-Execution-Time-Sec', 'x-gpu-type': 'X-GPU-Type' };
const displayList = (names: string[]) => names.map((n) => DISPLAY[n] ?? n).join(',');

/** Header lookup by lower-cased name, whatever case the map uses. */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * X-Cost-USD, X-Execution-Time-Sec, X-GPU-Type. The documented contract is that every route sends
 * them, so absence fails. On routes the catalog records as dropping them (the copy-loop bug, as
 * built) the failure's finding is `cost-headers-dropped`, which waivers.yaml accepts until its
 * expiry; elsewhere it is `cost-headers-missing`. Presence there means the bug is fixed (pass, with
 * a note to update the catalog). A partial or malformed set fails either way, with its own finding.
 */
export function checkCostHeaders(headers: Record<string, string | string[] | undefined>, expectation: Exclude<HeaderSpec['cost'], 'none'>): CheckResult {
  const names = Object.keys(COST_HEADER_FORMATS);
  const values = Object.fromEntries(names.map((n) => [n, headerValue(headers, n)]));
  const missing = names.filter((n) => values[n] === undefined);
  const malformed = names
    .filter((n) => values[n] !== undefined && !COST_HEADER_FORMATS[n].pattern.test(values[n]!.trim()))
    .map((n) => `${n}=${JSON.stringify(values[n])} (want ${COST_HEADER_FORMATS[n].format})`);
  const expected = expectation === 'present' ? 'present and well-formed' : 'dropped (known defect)';
  // Findings carry header names genprobe chose, never header values (a value is endpoint text).
  if (malformed.length) {
    const bad = names.filter((n) => values[n] !== undefined && !COST_HEADER_FORMATS[n].pattern.test(values[n]!.trim()));
    return withFinding(fail('cost-headers', `malformed: ${malformed.join('; ')}`, values, expected), 'cost-headers-malformed', { headers: displayList(bad) });
  }
  if (missing.length === names.length) {
    return expectation === 'present'
      ? withFinding(fail('cost-headers', `missing: ${names.join(', ')}`, values, expected), 'cost-headers-missing', { missing: displayList(names) })
      : withFinding(fail('cost-headers', KNOWN_COST_HEADERS_DROPPED, values, expected), 'cost-headers-dropped', { missing: displayList(names) });
  }
  if (missing.length) {
    return withFinding(fail('cost-headers', `partial cost headers, missing: ${missing.join(', ')}`, values, expected), 'cost-headers-partial', { missing: displayList(missing) });
  }
  const text = `X-Cost-USD ${values['x-cost-usd']}, X-Execution-Time-Sec ${values['x-execution-time-sec']}, X-GPU-Type ${values['x-gpu-type']}`;
  return expectation === 'present'
    ? pass('cost-headers', text, values, expected)
    : pass('cost-headers', `present: the copy-loop bug is fixed, update the catalog (${text})`, values, expected);
}

/** Headers set after the copy loop (X-NSFW-Mode, X-Style) must arrive with the documented value. */
export function checkSurvivingHeaders(
  headers: Record<string, string | string[] | undefined>,
  surviving: HeaderSpec['surviving'],
): CheckResult {
  const entries = Object.entries(surviving ?? {});
  if (entries.length === 0) return skip('surviving-headers', 'no surviving headers documented for this route');
  const measured = Object.fromEntries(entries.map(([name]) => [name, headerValue(headers, name) ?? null]));
  const problems = entries
    .map(([name, want]) => {
      const got = measured[name];
      if (got === null) return `${name} missing (expected ${JSON.stringify(want)})`;
      return got.trim() === want ? null : `${name}=${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
    })
    .filter((p): p is string => p !== null);
  const expected = Object.fromEntries(entries);
  if (problems.length) return fail('surviving-headers', problems.join('; '), measured, expected);
  return pass('surviving-headers', entries.map(([n, v]) => `${n}: ${v}`).join(', '), measured, expected);
}

export const costHeadersCheck: CheckDefinition = {
  name: 'cost-headers',
  needs: 'bytes',
  appliesTo: ({ headers }) => headers.cost !== 'none',
  run: ({ input }) => (input.headers.cost === 'none' ? [] : checkCostHeaders(input.response.headers, input.headers.cost)),
};

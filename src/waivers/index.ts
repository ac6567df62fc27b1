/**
 * Waivers: known defects of the real fleet, checked in with a reason and an expiry date.
 * - A failing check matched by a live waiver is reported as `waived` and does not fail the gate.
 * - An expired waiver fails the gate (someone must look again), whether or not it still matches.
 * - A waiver whose check now passes everywhere it applies is reported as "no longer needed".
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { EndpointReport, Waiver, WaiverFinding } from '../runner/report.ts';

const waiverSchema = z
  .object({
    endpoint: z.string().min(1),
    check: z.string().min(1),
    reason: z.string().min(10, 'say why the defect is accepted (10+ characters)'),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
    contains: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
  })
  .strict();

const fileSchema = z.object({ waivers: z.array(waiverSchema).default([]) }).strict();

export class WaiverFileError extends Error {
  readonly code = 'GENPROBE_WAIVERS';
}

export function parseWaivers(text: string, source = 'waivers'): Waiver[] {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new WaiverFileError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new WaiverFileError(`${source}: invalid waivers:\n${lines.join('\n')}`);
  }
  return result.data.waivers;
}

export function loadWaivers(file: string): Waiver[] {
  if (!existsSync(file)) return [];
  return parseWaivers(readFileSync(file, 'utf8'), file);
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export function waiverApplies(w: Waiver, endpointId: string, check: string, message: string, targetUrl: string): boolean {
  if (w.target && !targetUrl.includes(w.target)) return false;
  if (!globToRegExp(w.endpoint).test(endpointId)) return false;
  if (w.check !== check) return false;
  return !w.contains || message.includes(w.contains);
}

export function isExpired(w: Waiver, now: Date): boolean {
  // A waiver is valid through the whole of its expiry day (UTC).
  return now.getTime() >= Date.parse(`${w.expires}T00:00:00Z`) + 86_400_000;
}

/**
 * Mark waived failures in place and return the findings about the waivers themselves.
 * Endpoint and case verdicts are recomputed by the caller afterwards.
 */
export function applyWaivers(endpoints: EndpointReport[], waivers: Waiver[], targetUrl: string, now = new Date()): WaiverFinding[] {
  const findings: WaiverFinding[] = [];
  for (const w of waivers) {
    if (w.target && !targetUrl.includes(w.target)) continue;
    if (isExpired(w, now)) {
      findings.push({ waiver: w, finding: 'expired', message: `waiver for ${w.endpoint} / ${w.check} expired on ${w.expires}: ${w.reason}` });
      continue;
    }
    let matchedFailure = false;
    let ranCheck = false;
    for (const ep of endpoints) {
      for (const c of [...ep.checks, ...ep.cases.flatMap((cs) => cs.checks)]) {
        if (!waiverApplies({ ...w, contains: undefined }, ep.id, c.check, c.message, targetUrl)) continue;
        if (c.verdict !== 'skip') ranCheck = true;
        if (c.verdict === 'fail' && (!w.contains || c.message.includes(w.contains))) {
          c.waived = { reason: w.reason, expires: w.expires };
          matchedFailure = true;
        }
      }
    }
    if (ranCheck && !matchedFailure) {
      findings.push({ waiver: w, finding: 'no-longer-needed', message: `waiver for ${w.endpoint} / ${w.check} is no longer needed: the check passes now` });
    }
  }
  return findings;
}

/**
 * Waivers: known defects of the real fleet, checked in with a reason and an expiry date.
 * - A waiver matches results by what genprobe decided: endpoint id or glob, check name, and
 *   optionally the finding code and its fixed parameters. Never by message text: messages quote
 *   what an endpoint sent, and an endpoint must not be able to word its way into a waiver.
 * - A failing (or warning) check matched by a live waiver is reported as `waived`: a known defect.
 * - An expired waiver fails the gate (someone must look again), whether or not it still matches.
 * - A waiver is "no longer needed" only when every endpoint it covers ran, every case of theirs got
 *   an answer, and nothing matched it; with --only/--tag, waivers for endpoints that did not run are
 *   not judged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GenprobeError } from '../errors/index.ts';
import { CHECK_NAMES, type Finding } from '../checks/types.ts';
import type { EndpointReport, KnownDefect, ReportedCheck, Waiver, WaiverFinding } from '../report/types.ts';

const paramValue = z.union([z.string().min(1), z.number()]);
const findingSchema = z.union([
  z.string().min(1),
  z.object({ code: z.string().min(1), params: z.record(z.string(), paramValue).optional() }).strict(),
]);

const waiverSchema = z
  .object({
    endpoint: z.string().min(1),
    check: z.enum(CHECK_NAMES, { message: `must be a check name (${CHECK_NAMES.join(', ')})` }),
    finding: findingSchema.optional(),
    reason: z.string().min(10, 'say why the defect is accepted (10+ characters)'),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
    target: z.string().min(1).optional(),
  })
  .strict();

const fileSchema = z.object({ waivers: z.array(z.unknown()).default([]) }).strict();

export class WaiverFileError extends GenprobeError {
  constructor(message: string) {
    super(message, 'GENPROBE_WAIVERS');
  }
}

/** The old `contains` key matched message text, which endpoints control (issue 13.8): refuse it by name. */
const CONTAINS_REMOVED =
  'waivers no longer match message text (a response could word its way into a waiver); use `finding: <code>` ' +
  '(optionally `finding: {code, params}`) with the finding code genprobe reports for the check (README § Waivers)';

export function parseWaivers(text: string, source = 'waivers'): Waiver[] {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new WaiverFileError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const file = fileSchema.safeParse(raw);
  if (!file.success) throw new WaiverFileError(`${source}: invalid waivers:\n${issueLines(file.error.issues).join('\n')}`);
  const problems: string[] = [];
  const waivers: Waiver[] = [];
  file.data.waivers.forEach((entry, i) => {
    if (entry && typeof entry === 'object' && 'contains' in entry) problems.push(`  - waivers.${i}.contains: ${CONTAINS_REMOVED}`);
    const parsed = waiverSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(...issueLines(parsed.error.issues.filter((x) => !(x.code === 'unrecognized_keys' && x.keys.length === 1 && x.keys[0] === 'contains')), `waivers.${i}`));
      return;
    }
    const { finding, ...rest } = parsed.data;
    waivers.push({ ...rest, ...(finding === undefined ? {} : { finding: typeof finding === 'string' ? { code: finding } : finding }) });
  });
  if (problems.length) throw new WaiverFileError(`${source}: invalid waivers:\n${problems.join('\n')}`);
  return waivers;
}

function issueLines(issues: z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((i) => `  - ${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)'}: ${i.message}`);
}

export function loadWaivers(file: string): Waiver[] {
  if (!existsSync(file)) return [];
  return parseWaivers(readFileSync(file, 'utf8'), file);
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** `endpoint / check[ / finding]` — how reports name a waiver. */
export function waiverKey(w: Waiver): string {
  const params = w.finding?.params ? ` ${Object.entries(w.finding.params).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
  return `${w.endpoint} / ${w.check}${w.finding ? ` / ${w.finding.code}${params}` : ''}`;
}

function coversEndpoint(w: Waiver, endpointId: string): boolean {
  return globToRegExp(w.endpoint).test(endpointId);
}

/** A finding matches when its code is the waiver's and every parameter the waiver names is equal. */
function findingMatches(want: Waiver['finding'], got: Finding | undefined): boolean {
  if (!want) return true;
  if (!got || got.code !== want.code) return false;
  return Object.entries(want.params ?? {}).every(([k, v]) => got.params?.[k] !== undefined && String(got.params[k]) === String(v));
}

/** Whether the waiver covers this result: target, endpoint glob, check name and finding — no message text. */
export function waiverApplies(w: Waiver, endpointId: string, result: Pick<ReportedCheck, 'check' | 'finding'>, targetUrl: string): boolean {
  if (w.target && !targetUrl.includes(w.target)) return false;
  if (!coversEndpoint(w, endpointId)) return false;
  if (w.check !== result.check) return false;
  return findingMatches(w.finding, result.finding);
}

export function isExpired(w: Waiver, now: Date): boolean {
  // A waiver is valid through the whole of its expiry day (UTC).
  return now.getTime() >= Date.parse(`${w.expires}T00:00:00Z`) + 86_400_000;
}

function allChecks(ep: EndpointReport): ReportedCheck[] {
  // ep.checks holds the same objects as the cases' checks; a Set keeps each once.
  return [...new Set([...ep.checks, ...ep.cases.flatMap((cs) => cs.checks)])];
}

/**
 * An endpoint whose every case got an answer from the target: only then can the absence of a
 * defect mean it is fixed (a case that was never sent, timed out or hit Modal's edge says nothing).
 */
function answeredEveryCase(ep: EndpointReport): boolean {
  return ep.verdict !== 'skipped' && ep.cases.every((cs) => !cs.checks.some((c) => c.check === 'transport' && c.verdict === 'fail'));
}

export interface ApplyWaiversOptions {
  /**
   * Every endpoint id the target has (the catalog). A waiver is judged "no longer needed" only when
   * every id of this list it covers ran in `endpoints`; default: the ids of `endpoints`.
   */
  universe?: readonly string[];
}

/**
 * Mark waived failures and warnings in place (re-marking from scratch, so applying again is
 * idempotent) and return the findings about the waivers themselves. Endpoint and case verdicts are
 * recomputed by the caller afterwards.
 */
export function applyWaivers(endpoints: EndpointReport[], waivers: Waiver[], targetUrl: string, now = new Date(), opts: ApplyWaiversOptions = {}): WaiverFinding[] {
  for (const ep of endpoints) for (const c of allChecks(ep)) delete c.waived;
  const ran = new Set(endpoints.filter(answeredEveryCase).map((e) => e.id));
  const universe = opts.universe ?? endpoints.map((e) => e.id);
  const findings: WaiverFinding[] = [];
  for (const w of waivers) {
    if (w.target && !targetUrl.includes(w.target)) continue;
    if (isExpired(w, now)) {
      findings.push({ waiver: w, finding: 'expired', message: `waiver for ${waiverKey(w)} expired on ${w.expires}: ${w.reason}` });
      continue;
    }
    let matched = false;
    let ranCheck = false;
    for (const ep of endpoints) {
      for (const c of allChecks(ep)) {
        if (!waiverApplies({ ...w, finding: undefined }, ep.id, c, targetUrl)) continue;
        if (c.verdict !== 'skip') ranCheck = true;
        if ((c.verdict === 'fail' || c.verdict === 'warn') && findingMatches(w.finding, c.finding)) {
          matched = true;
          c.waived ??= { reason: w.reason, expires: w.expires, waiver: waiverKey(w) };
        }
      }
    }
    const allCoveredRan = universe.filter((id) => coversEndpoint(w, id)).every((id) => ran.has(id));
    if (ranCheck && !matched && allCoveredRan) {
      findings.push({ waiver: w, finding: 'no-longer-needed', message: `waiver for ${waiverKey(w)} is no longer needed: nothing it covers fails any more` });
    }
  }
  return findings;
}

/** The known defects a run accepted, one entry per waiver that waived something, in waiver order. */
export function knownDefects(endpoints: EndpointReport[], waivers: Waiver[]): KnownDefect[] {
  const out: KnownDefect[] = [];
  for (const w of waivers) {
    const key = waiverKey(w);
    const hits = endpoints.map((ep) => ({ id: ep.id, n: allChecks(ep).filter((c) => c.waived?.waiver === key).length })).filter((h) => h.n > 0);
    if (!hits.length || out.some((d) => d.waiver === key)) continue;
    out.push({
      class: w.check,
      ...(w.finding ? { finding: w.finding.code } : {}),
      ...(w.finding?.params ? { params: w.finding.params } : {}),
      waiver: key,
      reason: w.reason,
      expires: w.expires,
      endpoints: hits.map((h) => h.id),
      results: hits.reduce((s, h) => s + h.n, 0),
    });
  }
  return out;
}

/**
 * Which apps a call needs warm and how long a warm-up may take. Shared by the gate (one warm-up
 * per app before its contracts) and the probe service's Warmer.
 */
import { APPS } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import type { CallResult } from '../client/types.ts';

/** Apps a call of `entry` needs warm: its own and those it delegates to, if they have /health. */
export function appsToWarmFor(entry: EndpointEntry): AppName[] {
  return [...new Set<AppName>([entry.app, ...(entry.delegatesTo ?? [])])].filter((a) => APPS[a].health !== null);
}

/** Warm-up deadline: three documented container starts (the slow end of "2–5 minutes") plus slack. */
export function warmUpDeadlineMs(app: AppName, timeScale: number, overheadMs: number): number {
  return Math.round(APPS[app].coldStartSec * 3 * 1000 * timeScale + overheadMs + 5000);
}

/**
 * Why a warm-up answer does not show a warm app, or undefined when it does: a 200 whose JSON body
 * names the app as the catalog's `health` says (a 200 from anything else — an edge page, another
 * app behind a misrouted URL — proves no container of this app is up). One rule for the gate and
 * the probes' Warmer.
 */
export function warmUpProblem(app: AppName, call: Pick<CallResult, 'status' | 'failure' | 'body'>): string | undefined {
  if (call.status !== 200) return call.failure ? `${call.failure.class}: ${call.failure.message}` : `GET /health answered ${call.status ?? 'nothing'}`;
  const expected = APPS[app].health ?? {};
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(call.body).toString('utf8'));
  } catch {
    return 'GET /health body is not JSON';
  }
  for (const [k, v] of Object.entries(expected)) {
    if ((body as Record<string, unknown>)?.[k] !== v) return `GET /health body ${k} is not ${JSON.stringify(v)}`;
  }
  return undefined;
}

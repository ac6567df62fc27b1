/**
 * Which apps a call needs warm and how long a warm-up may take. Shared by the gate (one warm-up
 * per app before its contracts) and the probe service's Warmer.
 */
import { APPS } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';

/** Apps a call of `entry` needs warm: its own and those it delegates to, if they have /health. */
export function appsToWarmFor(entry: EndpointEntry): AppName[] {
  return [...new Set<AppName>([entry.app, ...(entry.delegatesTo ?? [])])].filter((a) => APPS[a].health !== null);
}

/** Warm-up deadline: three documented container starts (the slow end of "2–5 minutes") plus slack. */
export function warmUpDeadlineMs(app: AppName, timeScale: number, overheadMs: number): number {
  return Math.round(APPS[app].coldStartSec * 3 * 1000 * timeScale + overheadMs + 5000);
}

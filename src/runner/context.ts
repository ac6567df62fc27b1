/**
 * The wiring of a contract run, built once from the config: the client (the target's body cap,
 * redirect rule and credentials), the retry budget, one lane semaphore per app and the global cap.
 * The gate, the generated suites and (through the gate) the selftest start from it and override
 * only what they plan differently (the gate's lanes, check slots and warm-up knowledge).
 */
import { APPS, type AppName } from '../catalog/index.ts';
import { ModalClient } from '../client/index.ts';
import type { GenprobeConfig } from '../config/index.ts';
import { RetryBudget } from './retry.ts';
import type { RunContext } from './run-endpoint.ts';
import { Semaphore } from './semaphore.ts';

/** One semaphore per app, created on first use with `size(app)` slots and shared by every later call. */
export function appLimits(size: (app: string) => number): (app: string) => Semaphore {
  const limits = new Map<string, Semaphore>();
  return (app) => {
    let s = limits.get(app);
    if (!s) limits.set(app, (s = new Semaphore(size(app))));
    return s;
  };
}

/** An app's `max_inputs` (calls one container takes at once), 1 for an app the catalog does not know. */
export const maxInputsOf = (app: string): number => APPS[app as AppName]?.maxInputs ?? 1;

/** What a caller overrides is never built (a client it brings opens no second connection pool). */
export function createRunContext(config: GenprobeConfig, overrides: Partial<RunContext> = {}): RunContext {
  return {
    ...overrides,
    client: overrides.client ?? ModalClient.forTarget(config.target),
    target: overrides.target ?? config.target,
    gate: overrides.gate ?? config.gate,
    face: overrides.face ?? config.face,
    retry: overrides.retry ?? new RetryBudget(config.gate.retryBudget, config.gate.retriesPerCall),
    appLimit: overrides.appLimit ?? appLimits(maxInputsOf),
    global: overrides.global ?? new Semaphore(config.gate.concurrency),
    // Nothing known about the containers: the first call to an app may be cold.
    startTypeFor: overrides.startTypeFor ?? (() => 'unknown'),
  };
}

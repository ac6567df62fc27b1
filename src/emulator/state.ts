/**
 * The emulator's state as the control API and in-process tests see it: a snapshot (settings,
 * containers, recent calls, rules, render cache), one call's record, scale-down and reset.
 */
import type { CallRecord } from './call-store.ts';
import type { EmulatorContext, EmulatorSettings } from './context.ts';
import type { FaultRules } from './faults.ts';
import type { Renderer } from './render.ts';
import type { AppRuntimeSnapshot } from './timing.ts';

export interface EmulatorStateSnapshot extends EmulatorSettings {
  apps: AppRuntimeSnapshot[];
  pendingCalls: number;
  calls: CallRecord[];
  faultRules: ReturnType<FaultRules['list']>;
  render: ReturnType<Renderer['stats']>;
}

export interface EmulatorState {
  snapshot(): EmulatorStateSnapshot;
  call(id: string): CallRecord | undefined;
  faults: FaultRules;
  /** Forces the app (or every app) cold. */
  scaleDown(app?: string): void;
  /** Clears fault rules, call records and pending results; every app becomes cold again. */
  reset(): void;
}

export function createState(ctx: EmulatorContext): EmulatorState {
  return {
    faults: ctx.faultRules,
    snapshot: () => ({
      ...ctx.settings,
      apps: [...ctx.runtimes.values()].map((r) => r.snapshot()),
      pendingCalls: ctx.calls.pendingCount,
      calls: ctx.calls.recent(),
      faultRules: ctx.faultRules.list(),
      render: ctx.renderer.stats(),
    }),
    call: (id) => ctx.calls.record(id),
    scaleDown(target) {
      for (const [name, rt] of ctx.runtimes) if (!target || target === name) rt.scaleDown();
    },
    reset() {
      ctx.faultRules.clear();
      ctx.slowdowns.clear();
      ctx.drift.reset();
      ctx.calls.clear();
      for (const rt of ctx.runtimes.values()) rt.reset();
    },
  };
}

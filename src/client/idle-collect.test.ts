import { PerformanceObserver, constants } from 'node:perf_hooks';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IdleCollector, youngGenerationCollector } from './idle-collect.ts';

/** An IdleCollector whose next-turn callbacks wait in a list until `turn()` runs them. */
function manual() {
  const queued: (() => void)[] = [];
  let collections = 0;
  const idle = new IdleCollector(() => collections++, (fn) => queued.push(fn));
  const turn = () => queued.splice(0).forEach((fn) => fn());
  return { idle, turn, collections: () => collections, queued: () => queued.length };
}

describe('IdleCollector', () => {
  it('collects on the turn after the last call in flight ends', () => {
    const m = manual();
    m.idle.begin();
    m.idle.end();
    expect(m.collections()).toBe(0);
    m.turn();
    expect(m.collections()).toBe(1);
  });

  it('does not collect while another call is in flight', () => {
    const m = manual();
    m.idle.begin();
    m.idle.begin();
    m.idle.end();
    expect(m.queued()).toBe(0);
    m.turn();
    expect(m.collections()).toBe(0);
    m.idle.end();
    m.turn();
    expect(m.collections()).toBe(1);
  });

  it('skips the collection when a call starts before its turn comes', () => {
    const m = manual();
    m.idle.begin();
    m.idle.end();
    m.idle.begin();
    m.turn();
    expect(m.collections()).toBe(0);
    expect(m.idle.inFlight).toBe(1);
  });
});

describe('youngGenerationCollector', () => {
  it('runs a scavenge of this thread, synchronously, and no full collection', async () => {
    const collectYoung = youngGenerationCollector();
    const entries: { kind: number; startTime: number }[] = [];
    const observer = new PerformanceObserver((list) => entries.push(...list.getEntries().map((e) => ({ kind: (e as PerformanceEntry & { detail: { kind: number } }).detail.kind, startTime: e.startTime }))));
    observer.observe({ entryTypes: ['gc'] });
    const from = performance.now();
    collectYoung();
    const to = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    observer.disconnect();
    // Only the collections that started inside the call: others of this busy test process may follow.
    const inside = entries.filter((e) => e.startTime >= from && e.startTime <= to).map((e) => e.kind);
    expect(inside).toContain(constants.NODE_PERFORMANCE_GC_MINOR);
    expect(inside).not.toContain(constants.NODE_PERFORMANCE_GC_MAJOR);
  });

  it('exposes gc() to no other context', () => {
    youngGenerationCollector();
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  });
});

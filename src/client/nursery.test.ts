import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { NurseryKeeper, nurseryUse, scavengeByFilling, type NurseryUse } from './nursery.ts';

const KB = 1024;

/** A keeper over a nursery the test sets by hand; turns run when the test says. */
function fakeKeeper(start: NurseryUse) {
  let use = { ...start };
  const scavenges: number[] = [];
  const turns: (() => void)[] = [];
  const keeper = new NurseryKeeper(
    () => use,
    (available) => scavenges.push(available),
    (fn) => turns.push(fn),
  );
  const allocate = (bytes: number) => (use = { used: use.used + bytes, available: use.available - bytes });
  const runTurns = () => turns.splice(0).forEach((fn) => fn());
  return { keeper, scavenges, allocate, runTurns };
}

describe('NurseryKeeper', () => {
  it('scavenges once the next call like the last ones would take the nursery past 80 %', () => {
    const n = fakeKeeper({ used: 0, available: 1024 * KB });
    const call = () => {
      n.keeper.begin();
      n.allocate(150 * KB);
      n.keeper.end();
      n.runTurns();
    };
    call(); // 150 KB used: 150 + 2 × 150 ≤ 819
    call(); // 300: 600 ≤ 819
    call(); // 450: 750 ≤ 819
    expect(n.scavenges).toEqual([]);
    call(); // 600: 900 > 819
    expect(n.scavenges).toEqual([424 * KB]);
  });

  it('does nothing while a call is in flight, nor when one starts before the turn comes', () => {
    const n = fakeKeeper({ used: 900 * KB, available: 124 * KB });
    n.keeper.begin();
    n.keeper.begin();
    n.keeper.end(); // the other is still in flight
    n.runTurns();
    expect(n.scavenges).toEqual([]);
    n.keeper.end();
    n.keeper.begin(); // posted before the turn
    n.runTurns();
    expect(n.scavenges).toEqual([]);
    n.keeper.end();
    n.runTurns();
    expect(n.scavenges).toHaveLength(1);
  });

  it('counts a period during which V8 scavenged as at least 64 KB', () => {
    const n = fakeKeeper({ used: 500 * KB, available: 524 * KB });
    n.keeper.begin();
    n.allocate(-400 * KB); // V8 scavenged during the call: used fell
    n.keeper.end();
    n.runTurns();
    expect(n.scavenges).toEqual([]); // 100 + 2 × 64 ≤ 819
    n.allocate(600 * KB);
    n.keeper.begin();
    n.keeper.end();
    n.runTurns();
    expect(n.scavenges).toHaveLength(1); // 700 + 2 × 64 > 819
  });

  it('sizes the next call by the largest of the last eight', () => {
    const n = fakeKeeper({ used: 0, available: 1024 * KB });
    const call = (bytes: number) => {
      n.keeper.begin();
      n.allocate(bytes);
      n.keeper.end();
      n.runTurns();
    };
    call(300 * KB); // 300 + 2 × 300 > 819
    expect(n.scavenges).toHaveLength(1);
    for (let i = 0; i < 7; i++) call(0); // the 300 KB call is still among the last eight
    expect(n.scavenges).toHaveLength(8);
    call(0); // now it is not: 300 + 2 × 64 ≤ 819
    expect(n.scavenges).toHaveLength(8);
  });
});

/** This thread's collections of the young generation, performance.now() start times. */
function watchScavenges() {
  const starts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) starts.push(e.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  return { starts, stop: () => observer.disconnect() };
}

/**
 * 300 calls as the client thread makes them: ~140 KB allocated in six parts with a loop turn between
 * (the socket's reads), the call's objects alive until it ends; then idle turns. Returns how many
 * calls had a scavenge start while they ran.
 */
async function callsWithAScavengeInside(keeper: NurseryKeeper | null): Promise<number> {
  const watch = watchScavenges();
  const windows: [number, number][] = [];
  for (let call = 0; call < 300; call++) {
    const from = performance.now();
    keeper?.begin();
    const live: unknown[] = [];
    for (let read = 0; read < 6; read++) {
      for (let i = 0; i < 30; i++) live.push({ read, i, text: `part ${read}.${i}`, list: new Array(90).fill(read) });
      await nextTurn();
    }
    windows.push([from, performance.now()]);
    keeper?.end();
    for (let i = 0; i < 3; i++) await nextTurn();
  }
  await sleep(20); // the observer's entries arrive asynchronously
  watch.stop();
  return windows.filter(([from, to]) => watch.starts.some((t) => t >= from && t <= to)).length;
}

describe('scavenging between calls, on a real V8 heap', () => {
  it('scavengeByFilling makes V8 scavenge now and leaves the nursery emptier', async () => {
    const watch = watchScavenges();
    const before = nurseryUse();
    scavengeByFilling(before.available);
    const after = nurseryUse();
    await sleep(20); // the observer's entries arrive asynchronously
    watch.stop();
    expect(watch.starts.length).toBeGreaterThanOrEqual(1);
    expect(after.used).toBeLessThan(before.used + before.available);
  });

  it('moves the scavenges out of the calls: none inside them with the keeper, several without', async () => {
    const without = await callsWithAScavengeInside(null);
    const withKeeper = await callsWithAScavengeInside(new NurseryKeeper());
    expect(without).toBeGreaterThanOrEqual(8);
    expect(withKeeper).toBeLessThanOrEqual(1);
  });
});

import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.ts';

describe('Semaphore', () => {
  it('never lets more than the limit run at once, and runs everything', async () => {
    const s = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
          done.push(i);
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.inFlight).toBe(0);
  });
  it('releases on error', async () => {
    const s = new Semaphore(1);
    await expect(s.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await s.run(async () => 'ok')).toBe('ok');
  });
  it('rejects a bad limit', () => {
    expect(() => new Semaphore(0)).toThrow(/positive integer/);
  });
  it('serves waiters by priority, FIFO among equals', async () => {
    const s = new Semaphore(1);
    const hold = await s.acquire();
    const order: string[] = [];
    const waiters = [
      s.run(async () => void order.push('low'), { priority: 1 }),
      s.run(async () => void order.push('high-a'), { priority: 9 }),
      s.run(async () => void order.push('high-b'), { priority: 9 }),
      s.run(async () => void order.push('none')),
    ];
    expect(s.waiting).toBe(4);
    hold();
    await Promise.all(waiters);
    expect(order).toEqual(['high-a', 'high-b', 'low', 'none']);
  });
  it('a waiter that runs out of patience gets null and leaves the queue; the slot is not lost', async () => {
    const s = new Semaphore(1);
    const hold = await s.acquire();
    expect(await s.acquireWithin({ timeoutMs: 10 })).toBeNull();
    expect(s.waiting).toBe(0);
    await expect(s.acquire({ timeoutMs: 5 })).rejects.toThrow(/timed out/);
    const later = s.acquireWithin({ timeoutMs: 10_000 });
    hold();
    const release = await later;
    expect(release).toBeTypeOf('function');
    expect(s.inFlight).toBe(1);
    release!();
    expect(s.inFlight).toBe(0);
  });
});

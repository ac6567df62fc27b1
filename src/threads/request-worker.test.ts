import v8 from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestWorker, ThreadRequestError } from './request-worker.ts';

const echo = new RequestWorker<unknown, string>(new URL('../../test/support/echo-thread.ts', import.meta.url), 'echo');

describe('RequestWorker', () => {
  afterAll(() => echo.close());

  it('matches each answer to its request', async () => {
    const words = ['a', 'b', 'c', 'd', 'e'];
    expect(await Promise.all(words.map((w) => echo.request({ echo: w })))).toEqual(words);
  });

  it("rebuilds the thread's error with its name, message and code", async () => {
    const err = await echo.request({ throw: 'bad thing' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThreadRequestError);
    expect(err).toMatchObject({ name: 'RangeError', message: 'bad thing', code: 'ECHO_ERR' });
  });

  it('passes an abort of the signal on as a cancel', async () => {
    const controller = new AbortController();
    const pending = echo.request({ wait: true }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toBe('cancelled');
  });

  it('fails pending requests when the thread dies, and starts a new one for the next', async () => {
    await expect(echo.request({ exit: true })).rejects.toThrow(/echo worker exited with code 3/);
    expect(await echo.request({ echo: 'again' })).toBe('again');
  });

  it('runs a full collection on the thread when the process exposes gc(), and says when it cannot', async () => {
    await echo.close();
    expect(await echo.collectGarbage(), 'no thread running').toBe(false);
    // The thread started below inherits the flag: V8's flags are the process's.
    v8.setFlagsFromString('--expose-gc');
    expect(await echo.request({ drop: true })).toBe('dropped');
    expect(await echo.collectGarbage()).toBe(true);
    expect(await echo.request({ dropped: true })).toBe('collected');
  });

  it('fails pending requests when closed', async () => {
    const pending = echo.request({ wait: true }).catch((e: unknown) => e);
    await echo.close();
    expect(await pending).toMatchObject({ message: 'echo worker closed' });
  });
});

import { describe, expect, it, vi } from 'vitest';

vi.mock('onnxruntime-node', () => {
  throw new Error('libonnxruntime.so.1: cannot open shared object file\nsecond line');
});

describe('onnxruntime-node load failure', () => {
  it('names the runtime, the platform and what to do, and retries on the next call', async () => {
    const { loadOrt } = await import('./onnx-runtime.ts');
    const first = loadOrt();
    await expect(first).rejects.toThrow(`face: onnxruntime-node could not be loaded on ${process.platform}/${process.arch} (`);
    const err = (await first.catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/\); it runs the face embedders, reinstall it with npm ci$/);
    expect(err.message).not.toContain('\n'); // the first line of the cause only
    expect(err.cause).toBeInstanceOf(Error);
    const second = loadOrt();
    expect(second).not.toBe(first);
    await expect(second).rejects.toThrow(/could not be loaded/);
  });
});

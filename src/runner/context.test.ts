import { describe, expect, it, vi } from 'vitest';
import { ModalClient } from '../client/index.ts';
import { APPS } from '../catalog/index.ts';
import { parseConfig } from '../config/index.ts';
import { appLimits, createRunContext, maxInputsOf } from './context.ts';

describe('createRunContext', () => {
  const config = parseConfig({ target: { url: 'http://127.0.0.1:9/{app}', maxBodyBytes: 1024 }, gate: { concurrency: 3, retryBudget: 2, retriesPerCall: 0 } });

  it('gives each app one lane semaphore sized by its max_inputs, shared by every call (a new one per call enforced nothing)', () => {
    const ctx = createRunContext(config);
    expect(ctx.appLimit('ryla-flux')).toBe(ctx.appLimit('ryla-flux'));
    expect(ctx.appLimit('ryla-flux').limit).toBe(APPS['ryla-flux'].maxInputs);
    expect(ctx.appLimit('ryla-wan22-i2v').limit).toBe(3);
    expect(ctx.appLimit('ryla-flux')).not.toBe(ctx.appLimit('ryla-wan26'));
    expect(ctx.global.limit).toBe(3);
  });

  it("reads the target, gate and face config, and builds the client from the target (its body cap, not the client's default)", () => {
    const forTarget = vi.spyOn(ModalClient, 'forTarget');
    const ctx = createRunContext(config);
    expect(forTarget).toHaveBeenCalledWith(config.target);
    expect(forTarget.mock.results[0]!.value).toBe(ctx.client);
    forTarget.mockRestore();
    expect(ctx.target.maxBodyBytes).toBe(1024);
    expect(ctx.gate).toBe(config.gate);
    expect(ctx.face).toBe(config.face);
    expect(ctx.startTypeFor('ryla-flux')).toBe('unknown');
  });

  it('lets a caller override what it plans differently', () => {
    const lanes = appLimits(() => 1);
    const ctx = createRunContext(config, { appLimit: lanes, startTypeFor: () => 'warm' });
    expect(ctx.appLimit('ryla-flux').limit).toBe(1);
    expect(ctx.startTypeFor('ryla-flux')).toBe('warm');
  });

  it('an app the catalog does not know gets one lane', () => {
    expect(maxInputsOf('no-such-app')).toBe(1);
  });
});

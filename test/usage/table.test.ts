import { describe, expect, it } from 'vitest';
import { formatUsageTable } from '../../src/usage/table.ts';
import { formatWindowLabel, summariseWindow, type UsageSnapshot } from '../../src/usage/summary.ts';

const base: UsageSnapshot = {
  up: false,
  windows: [],
  lastSuccessAt: null,
  lastAttemptAt: '2026-02-06T12:00:00.000Z',
  lastReadDurationSec: 0.01,
  lastError: { reason: 'connect', message: 'connect ECONNREFUSED 127.0.0.1:5432', at: '2026-02-06T12:00:00.010Z' },
  readErrors: { connect: 1, timeout: 0, schema: 0, query: 0 },
  reads: 1,
};

describe('formatWindowLabel', () => {
  it('uses the largest unit that divides the window', () => {
    expect([86_400, 3_600, 604_800, 5_400, 90, 1].map(formatWindowLabel)).toEqual(['1d', '1h', '7d', '90m', '90s', '1s']);
  });
  it('rejects windows that are not positive whole seconds', () => {
    expect(() => formatWindowLabel(0)).toThrow(/positive whole number/);
    expect(() => formatWindowLabel(1.5)).toThrow(/positive whole number/);
  });
});

describe('summariseWindow', () => {
  it('bounds unknown enum values to other and keeps every provider', () => {
    const w = summariseWindow(3_600, [
      { provider: 'modal', type: 'video_generation', status: 'completed', stored: 'comfyui', jobs: 2, timedJobs: 2, durationSumSec: 30 },
      { provider: 'modal', type: 'image_generation', status: 'paused', stored: 'modal', jobs: 1, timedJobs: 0, durationSumSec: 0 },
    ]);
    expect(w.jobs).toEqual([
      { provider: 'modal', type: 'image_generation', status: 'other', jobs: 1 },
      { provider: 'modal', type: 'other', status: 'completed', jobs: 2 },
    ]);
    expect(w.providers.map((p) => p.provider)).toEqual(['modal', 'comfyui', 'fal', 'runpod', 'unknown']);
    expect(w.providers[0]).toMatchObject({ jobs: 3, share: 1, mislabelled: 2, meanDurationSec: 15 });
    expect(w.mislabelled).toEqual([{ stored: 'comfyui', classified: 'modal', jobs: 2 }]);
  });
});

describe('formatUsageTable', () => {
  it('says plainly that nothing was read yet, with the reason', () => {
    expect(formatUsageTable(base)).toBe('No successful read of generation_jobs yet.\nLast error (connect): connect ECONNREFUSED 127.0.0.1:5432\n');
  });

  it('marks stale data when the last read failed', () => {
    const snap: UsageSnapshot = { ...base, lastSuccessAt: '2026-02-06T11:00:00.000Z', windows: [summariseWindow(86_400, [])] };
    const text = formatUsageTable(snap);
    expect(text).toContain('STALE: the last read failed (connect)');
    expect(text).toMatch(/^total\s+0\s+0\.0%\s+0\s+-\s+0$/m);
  });

  it('shows long means in minutes', () => {
    const snap: UsageSnapshot = {
      ...base,
      up: true,
      lastError: null,
      lastSuccessAt: '2026-02-06T12:00:00.000Z',
      windows: [summariseWindow(86_400, [{ provider: 'runpod', type: 'lora_training', status: 'completed', stored: 'none', jobs: 1, timedJobs: 1, durationSumSec: 1800 }])],
    };
    expect(formatUsageTable(snap)).toMatch(/^runpod\s+1\s+100\.0%\s+0\s+30\.0 min\s+1$/m);
  });
});

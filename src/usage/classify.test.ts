import { describe, expect, it } from 'vitest';
import {
  classifyProvider,
  isMislabelled,
  jobDurationSec,
  normaliseStoredProvider,
  storedLabel,
} from './classify.ts';
import { DURATION_CASES, PROVIDER_CASES } from '../../test/usage/classify-cases.ts';

const BASE = Date.UTC(2026, 1, 6, 12, 0, 0);
const at = (sec: number | null) => (sec === null ? null : new Date(BASE + sec * 1000));

describe('classifyProvider', () => {
  it.each(PROVIDER_CASES)('$why: ($provider, $jobId) → $expected', (c) => {
    expect(classifyProvider({ external_provider: c.provider, external_job_id: c.jobId })).toBe(c.expected);
  });
});

describe('storedLabel', () => {
  it.each(PROVIDER_CASES)('$why: $provider → $stored', (c) => {
    expect(storedLabel(c.provider)).toBe(c.stored);
  });

  it('normalises only case and ASCII blanks', () => {
    expect(normaliseStoredProvider(null)).toBeNull();
    expect(normaliseStoredProvider(' \t\r\n')).toBeNull();
    expect(normaliseStoredProvider(' FAL ')).toBe('fal');
  });
});

describe('isMislabelled', () => {
  it('flags the lies of docs/fleet.md §7.5 and nothing we cannot classify', () => {
    expect(isMislabelled('comfyui', 'modal')).toBe(true); // profile pictures
    expect(isMislabelled('none', 'modal')).toBe(true); // legacy Modal
    expect(isMislabelled('none', 'runpod')).toBe(true); // legacy RunPod
    expect(isMislabelled('modal', 'modal')).toBe(false);
    expect(isMislabelled('replicate', 'unknown')).toBe(false);
    expect(isMislabelled('none', 'unknown')).toBe(false);
  });
});

describe('jobDurationSec', () => {
  it.each(DURATION_CASES)('$why: $status → $expected', (c) => {
    const got = jobDurationSec({ status: c.status, started_at: at(c.started), completed_at: at(c.completed), updated_at: at(c.updated) });
    expect(got).toBe(c.expected);
  });
});

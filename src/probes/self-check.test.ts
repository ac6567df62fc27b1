import { describe, expect, it } from 'vitest';
import type { ModalClient } from '../client/index.ts';
import { isUnreachable, SelfCheck, SELF_CHECK_TTL_MS } from './self-check.ts';

const client = (status: number | null) => ({ call: async () => ({ status, failure: status === null ? { class: 'network', message: 'connect ECONNREFUSED' } : undefined }), redact: (s: string) => s }) as unknown as ModalClient;

describe('prober self-check', () => {
  it('is online when any canary gives any HTTP answer, offline when none does', async () => {
    expect((await new SelfCheck({ client: client(null), canaries: ['ryla-flux', 'https://example.invalid/'], fetchStatus: async () => 503 }).check()).online).toBe(true);
    const off = await new SelfCheck({ client: client(null), canaries: ['ryla-flux', 'https://example.invalid/'], fetchStatus: async () => { throw new Error('getaddrinfo ENOTFOUND'); } }).check();
    expect(off.online).toBe(false);
    expect(off.canaries.map((c) => c.error)).toEqual(['connect ECONNREFUSED', 'getaddrinfo ENOTFOUND']);
  });

  it('shares one check between concurrent callers and reuses it for a while', async () => {
    let calls = 0;
    let now = 0;
    const check = new SelfCheck({ client: client(200), canaries: ['https://a/'], fetchStatus: async () => (calls++, 200), now: () => now });
    await Promise.all([check.check(), check.check(), check.check()]);
    expect(calls).toBe(1);
    now += SELF_CHECK_TTL_MS + 1;
    await check.check();
    expect(calls).toBe(2);
  });

  it('only an unanswered call asks for a self-check', () => {
    expect(isUnreachable({ status: null, failure: { class: 'network' } })).toBe(true);
    expect(isUnreachable({ status: null, failure: { class: 'timeout' } })).toBe(true);
    expect(isUnreachable({ status: 500, failure: { class: 'app-error' } })).toBe(false);
    expect(isUnreachable({ status: 408, failure: { class: 'modal-platform' } })).toBe(false);
  });
});

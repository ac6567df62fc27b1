import { describe, expect, it } from 'vitest';
import { isAuthorized, resolveAuth } from './auth.ts';

describe('auth', () => {
  it('reads secrets from the named env vars and compares them exactly', () => {
    expect(() => resolveAuth({ bearerTokenEnv: 'NOT_SET_ANYWHERE' }, {})).toThrow(/server\.auth\.bearerTokenEnv: environment variable NOT_SET_ANYWHERE is not set/);
    const bearer = resolveAuth({ bearerTokenEnv: 'T' }, { T: 'abc' })!;
    expect(isAuthorized('Bearer abc', bearer)).toBe(true);
    expect(isAuthorized('bearer abc', bearer)).toBe(true);
    expect(isAuthorized('Bearer abcd', bearer)).toBe(false);
    expect(isAuthorized(undefined, bearer)).toBe(false);
    const basic = resolveAuth({ basicUserEnv: 'U', basicPasswordEnv: 'P' }, { U: 'u', P: 'p:w' })!;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(isAuthorized(`Basic ${b64('u:p:w')}`, basic)).toBe(true);
    expect(isAuthorized(`Basic ${b64('u:p')}`, basic)).toBe(false);
    expect(isAuthorized(`Bearer ${b64('u:p:w')}`, basic)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { classifyFailure, describeNetworkError, quoteBody } from './errors.ts';

describe('classifyFailure', () => {
  const platform: Array<[number, string]> = [
    [404, 'modal-http: invalid function call'],
    [404, 'modal-http: app for invoked web endpoint is stopped'],
    [404, 'modal-http: workspace ryla is disabled'],
    [500, 'modal-http: internal error: function execution timed out'],
    [500, 'modal-http: internal error: function was terminated by signal'],
    [401, 'modal-http: missing credentials for proxy authorization'],
    [408, 'Missing request, possibly due to expiry or cancellation'],
    [408, '<html>Request Timeout</html>'],
    [303, ''],
  ];
  it.each(platform)('%i %j is modal-platform', (status, body) => {
    const f = classifyFailure(status, {}, body);
    expect(f.class).toBe('modal-platform');
    expect(f.status).toBe(status);
    if (body) expect(f.message).toContain(JSON.stringify(body));
  });

  const app: Array<[number, string]> = [
    [500, '{"error":"\'prompt\'","details":"Traceback (most recent call last): …","type":"KeyError"}'],
    [400, '{"detail":"lora_id or lora_name is required"}'],
    [404, '{"detail":"Not Found"}'],
    [503, 'Service Unavailable'],
    [408, '{"detail":"app chose 408"}'],
  ];
  it.each(app)('%i %j is app-error', (status, body) => {
    const f = classifyFailure(status, { 'content-type': 'application/json' }, body);
    expect(f.class).toBe('app-error');
    expect(f.message).toContain(String(status));
  });

  it('names the exception type and quotes the body', () => {
    const f = classifyFailure(500, {}, '{"error":"\'prompt\'","details":"tb","type":"KeyError"}');
    expect(f.message).toContain('(KeyError)');
    expect(f.message).toContain("'prompt'");
  });

  it('truncates the quoted body to 300 characters', () => {
    const body = `{"detail":"${'x'.repeat(5000)}"}`;
    const f = classifyFailure(400, {}, body);
    const quoted = f.message.match(/"(.*)"/s)![0];
    expect(JSON.parse(quoted).length).toBe(300);
    expect(f.message).toMatch(/truncated, 5013 chars/);
  });

  it('refuses success statuses and non-statuses', () => {
    expect(() => classifyFailure(200, {}, '')).toThrow(/success status/);
    expect(() => classifyFailure(42, {}, '')).toThrow(/needs an HTTP status/);
  });
});

describe('quoteBody / describeNetworkError', () => {
  it('marks an empty body', () => expect(quoteBody('')).toBe('(empty body)'));
  it('explains errno and undici codes', () => {
    expect(describeNetworkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toMatch(/^connection refused \(ECONNREFUSED\)/);
    expect(describeNetworkError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toMatch(/socket closed unexpectedly \(UND_ERR_SOCKET\): other side closed/);
    const agg = Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''), {});
    expect(describeNetworkError(agg)).toMatch(/connection refused/);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidTargetUrlError } from './errors.ts';
import { DEFAULT_TARGET_TEMPLATE, joinPath, redactUrl, resolveTargetUrl } from './url.ts';

describe('resolveTargetUrl', () => {
  it('fills the Modal default template', () => {
    expect(resolveTargetUrl(DEFAULT_TARGET_TEMPLATE, { workspace: 'ryla', app: 'ryla-flux' })).toBe(
      'https://ryla--ryla-flux-comfyui-fastapi-app.modal.run',
    );
  });

  it('fills a local template that puts the app in the path', () => {
    expect(resolveTargetUrl('http://127.0.0.1:8787/{app}', { app: 'ryla-flux' })).toBe('http://127.0.0.1:8787/ryla-flux');
  });

  it('names an unknown placeholder', () => {
    expect(() => resolveTargetUrl('https://{workspace}--{app}-{env}.modal.run', { workspace: 'w', app: 'a' })).toThrow(/unknown placeholder\(s\) \{env\}/);
  });

  it('says which value is missing', () => {
    expect(() => resolveTargetUrl(DEFAULT_TARGET_TEMPLATE, { app: 'ryla-flux' })).toThrow(/needs \{workspace\} but no workspace was given/);
  });

  it('refuses values that would change the URL structure', () => {
    expect(() => resolveTargetUrl('http://127.0.0.1:1/{app}', { app: '../admin' })).toThrow(InvalidTargetUrlError);
    expect(() => resolveTargetUrl(DEFAULT_TARGET_TEMPLATE, { workspace: 'evil.com/x?', app: 'a' })).toThrow(/may only contain/);
  });

  it('refuses non-http schemes, broken URLs, credentials and unbalanced braces', () => {
    expect(() => resolveTargetUrl('ftp://{app}.example', { app: 'a' })).toThrow(/must be http or https/);
    expect(() => resolveTargetUrl('not a url {app}', { app: 'a' })).toThrow(/does not give a valid URL/);
    expect(() => resolveTargetUrl('https://u:p@{app}.example', { app: 'a' })).toThrow(/credentials/);
    expect(() => resolveTargetUrl('https://{app.example', { app: 'a' })).toThrow(/unbalanced/);
    expect(() => resolveTargetUrl('', { app: 'a' })).toThrow(/empty/);
  });
});

describe('joinPath', () => {
  it('keeps the base path', () => {
    expect(joinPath('http://127.0.0.1:8787/ryla-flux', '/flux')).toBe('http://127.0.0.1:8787/ryla-flux/flux');
    expect(joinPath('http://127.0.0.1:8787/ryla-flux/', 'health')).toBe('http://127.0.0.1:8787/ryla-flux/health');
    expect(joinPath('https://a.modal.run', '/x?y=1')).toBe('https://a.modal.run/x?y=1');
    expect(joinPath('https://a.modal.run', '')).toBe('https://a.modal.run');
  });

  it('refuses absolute URLs as paths', () => {
    expect(() => joinPath('https://a.modal.run', 'https://evil.example/x')).toThrow(/not an absolute URL/);
    expect(() => joinPath('https://a.modal.run', '//evil.example/x')).toThrow(/not an absolute URL/);
  });
});

describe('redactUrl', () => {
  it('keeps the Modal function-call id but hides secret-looking parameters and userinfo', () => {
    const out = redactUrl('https://u:pw@x.modal.run/flux?__modal_function_call_id=fc-01ABC&token=abc&Modal-Secret=ws-1&n=2');
    expect(out).toBe('https://x.modal.run/flux?__modal_function_call_id=fc-01ABC&token=[REDACTED]&Modal-Secret=[REDACTED]&n=2');
    expect(out).not.toContain('pw');
  });
});

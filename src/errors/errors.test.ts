import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, GenprobeClientError } from '../client/errors.ts';
import { ConfigError } from '../config/index.ts';
import { ConsumerFileError, parseConsumerFile } from '../consumers/contract.ts';
import { FaceError } from '../face/detect.ts';
import { MediaDecodeError } from '../media/errors.ts';
import { BudgetStateError } from '../probes/budget.ts';
import { SchemaMismatchError } from '../usage/collector.ts';
import { WaiverFileError, parseWaivers } from '../waivers/index.ts';
import { cliErrorLine, describeError, errorCode, exitCodeFor, GenprobeError, UsageError } from './index.ts';

describe('GenprobeError subclasses', () => {
  it.each([
    [new ConfigError('c'), 'ConfigError', 'GENPROBE_CONFIG'],
    [new WaiverFileError('w'), 'WaiverFileError', 'GENPROBE_WAIVERS'],
    [new ConsumerFileError('f'), 'ConsumerFileError', 'GENPROBE_CONSUMERS'],
    [new BudgetStateError('b'), 'BudgetStateError', 'GENPROBE_BUDGET_STATE'],
    [new SchemaMismatchError('s'), 'SchemaMismatchError', 'GENPROBE_USAGE_SCHEMA'],
    [new UsageError('u'), 'UsageError', 'GENPROBE_ERR_USAGE'],
    [new GenprobeClientError('x'), 'GenprobeClientError', 'GENPROBE_ERR_CLIENT'],
    [new DeadlineExceededError(5), 'DeadlineExceededError', 'GENPROBE_ERR_DEADLINE'],
    [new FaceError('no-face', 'none'), 'FaceError', 'no-face'],
    [new MediaDecodeError('truncated', 't'), 'MediaDecodeError', 'truncated'],
  ])('%s is a GenprobeError named %s with code %s', (err, name, code) => {
    expect(err).toBeInstanceOf(GenprobeError);
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
  });

  it('is what the file parsers throw for a bad file', () => {
    expect(() => parseWaivers('waivers: 3')).toThrow(WaiverFileError);
    expect(() => parseConsumerFile('{')).toThrow(ConsumerFileError);
  });
});

describe('errorCode', () => {
  it('walks causes and the first member of an AggregateError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(errorCode(new Error('fetch failed', { cause: new AggregateError([refused], '') }))).toBe('ECONNREFUSED');
    expect(errorCode(new Error('plain'))).toBeUndefined();
    expect(errorCode('a string')).toBeUndefined();
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = new Error('b', { cause: a });
    expect(errorCode(a)).toBeUndefined();
  });
});

describe('describeError', () => {
  it('gives the first line, the name for an empty message, and a library code the message lacks', () => {
    expect(describeError(new Error('first\nsecond'))).toBe('first');
    expect(describeError(new TypeError(''))).toBe('TypeError');
    expect(describeError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe('terminating connection (57P01)');
    expect(describeError(Object.assign(new Error('connect ECONNREFUSED x'), { code: 'ECONNREFUSED' }))).toBe('connect ECONNREFUSED x');
    expect(describeError(42)).toBe('42');
  });

  it("joins an AggregateError's members and leaves genprobe's own messages as written", () => {
    const members = [Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), new Error('b')];
    expect(describeError(new AggregateError(members, ''))).toBe('a (ECONNREFUSED); b');
    expect(describeError(new MediaDecodeError('truncated', 'box claims 9 bytes'))).toBe('box claims 9 bytes');
  });
});

describe('the CLI line and exit code', () => {
  it('prefixes the code except for config and usage errors, whose message says it all', () => {
    expect(cliErrorLine(new WaiverFileError('waivers.yaml: bad'))).toBe('GENPROBE_WAIVERS: waivers.yaml: bad');
    expect(cliErrorLine(new ConfigError('config: target.url: must contain {app}'))).toBe('config: target.url: must contain {app}');
    expect(cliErrorLine(new UsageError('--time-scale needs a value'))).toBe('--time-scale needs a value');
    expect(cliErrorLine(new Error('boom'))).toBe('boom');
  });

  it('exits 2 for every error that ends a command (a contract failure is a report, not an error)', () => {
    for (const err of [new UsageError('u'), new ConfigError('c'), new WaiverFileError('w'), new Error('bug')]) expect(exitCodeFor(err)).toBe(2);
  });
});

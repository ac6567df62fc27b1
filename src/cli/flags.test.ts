import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../errors/index.ts';
import { driftArgs, listFlag, parseFaultFlag, parseFlags, parseTimeScale, positiveNumberFlag, SELECT_FLAGS, TARGET_FLAGS, targetFlags } from './flags.ts';
import { main } from './main.ts';

describe('the shared flag parsers', () => {
  it('refuses an unknown flag, a missing value and a stray argument as UsageErrors naming the command', () => {
    expect(() => parseFlags('gate', ['--bogus'], TARGET_FLAGS)).toThrow(UsageError);
    expect(() => parseFlags('gate', ['--bogus'], TARGET_FLAGS)).toThrow(/^gate: Unknown option '--bogus'/);
    expect(() => parseFlags('gate', ['--target'], TARGET_FLAGS)).toThrow(UsageError);
    expect(() => parseFlags('gate', ['extra'], TARGET_FLAGS)).toThrow(/gate: Unexpected argument 'extra'/);
    expect(parseFlags('inventory', ['extra'], TARGET_FLAGS, true).positionals).toEqual(['extra']);
  });

  it('splits repeatable comma lists the same way for --only, --tag, --fault and --app', () => {
    const { values } = parseFlags('probe', ['--only', 'a, b', '--only', 'c', '--tag', ',x,'], SELECT_FLAGS);
    expect(listFlag(values.only)).toEqual(['a', 'b', 'c']);
    expect(listFlag(values.tag)).toEqual(['x']);
    expect(listFlag(undefined)).toEqual([]);
  });

  it('reads --time-scale as a number in (0, 1]', () => {
    expect(parseTimeScale('0.01')).toBe(0.01);
    expect(parseTimeScale('1')).toBe(1);
    for (const bad of ['0', '2', '', ' ', 'abc', '-0.5']) expect(() => parseTimeScale(bad)).toThrow(UsageError);
  });

  it('reads positive numbers and integers', () => {
    expect(positiveNumberFlag('concurrency', undefined, 2, true)).toBe(2);
    expect(positiveNumberFlag('concurrency', '3', 2, true)).toBe(3);
    expect(() => positiveNumberFlag('concurrency', '1.5', 2, true)).toThrow('--concurrency: "1.5" must be a positive integer');
    expect(() => positiveNumberFlag('overhead-ms', '', 1)).toThrow(UsageError);
  });

  it('checks --fault names against the emulator and needs --emulator (except where the emulator is implied)', () => {
    expect(parseFaultFlag(['no-face,slow'], true)).toEqual(['no-face', 'slow']);
    expect(parseFaultFlag(undefined, false)).toEqual([]);
    expect(() => parseFaultFlag(['slow'], false)).toThrow('--fault needs --emulator (faults are injected by the bundled emulator)');
    expect(() => parseFaultFlag(['slwo'], true)).toThrow(/--fault: unknown fault\(s\) slwo; known: .*slow/);
    expect(parseFaultFlag(['slow'], false, true)).toEqual(['slow']);
  });

  it('passes --drift to the emulator and refuses it without --emulator', () => {
    expect(driftArgs(['app-undeployed:ryla-flux'], true)).toEqual(['--drift', 'app-undeployed:ryla-flux']);
    expect(driftArgs(undefined, false)).toEqual([]);
    expect(() => driftArgs(['app-undeployed:ryla-flux'], false)).toThrow(UsageError);
  });

  it('maps the target flags onto withTarget', () => {
    const { values } = parseFlags('gate', ['--emulator', '--time-scale', '0.5', '--workspace', 'w'], TARGET_FLAGS);
    expect(targetFlags(values, ['--drift', 'x'])).toEqual({ emulator: true, timeScale: '0.5', target: undefined, workspace: 'w', emulatorArgs: ['--drift', 'x'] });
  });
});

describe('every command refuses a flag it does not know, and exits 2', () => {
  afterEach(() => vi.restoreAllMocks());
  const commands = [
    ['gate'],
    ['probe', '--once'],
    ['serve'],
    ['selftest'],
    ['emulate'],
    ['usage'],
    ['inventory'],
    ['maintenance', 'list'],
    ['waive'],
    ['report', 'merge'],
    ['consumers', 'verify'],
    ['consumers', 'import'],
    ['face', 'calibrate'],
  ];
  it.each(commands)('genprobe %s … --no-such-flag', async (...command) => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await main([...command, '--no-such-flag'])).toBe(2);
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^genprobe ${command[0]}: .*Unknown option '--no-such-flag'`))]);
  });

  it('says the same for the same mistake in gate and probe (--fault without --emulator)', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    expect(await main(['gate', '--fault', 'slow'])).toBe(2);
    expect(await main(['probe', '--once', '--fault', 'slow'])).toBe(2);
    expect(errors).toEqual([
      'genprobe gate: --fault needs --emulator (faults are injected by the bundled emulator)',
      'genprobe probe: --fault needs --emulator (faults are injected by the bundled emulator)',
    ]);
  });
});

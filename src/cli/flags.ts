/**
 * The flags several commands share, defined once (as checkly's CLI keeps its common flags in one
 * module), and the one parser every command goes through: strict (an unknown flag, a missing value
 * or a stray argument is an error, never ignored), and every mistake is a UsageError, which the
 * `genprobe` command prints as one line and exits 2 for.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FAULT_NAMES, parseFaultHeader, type FaultName } from '../emulator/faults.ts';
import { UsageError } from '../errors/index.ts';

/** The target flags as `withTarget` (src/cli/target.ts) reads them. */
export interface TargetFlags {
  emulator?: boolean;
  timeScale?: string;
  target?: string;
  workspace?: string;
  /** More src/emulator/main.ts flags for --emulator (e.g. `--drift route-removed:ryla-wan26/wan2.6-r2v`). */
  emulatorArgs?: string[];
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--help`, on every command. */
export const HELP_FLAG = { help: { type: 'boolean', default: false } } as const satisfies Options;
/** `--config FILE`. */
export const CONFIG_FLAG = { config: { type: 'string' } } as const satisfies Options;
/** Where calls go: the configured target, another URL, or a freshly started bundled emulator. */
export const TARGET_FLAGS = {
  emulator: { type: 'boolean', default: false },
  'time-scale': { type: 'string' },
  target: { type: 'string' },
  workspace: { type: 'string' },
} as const satisfies Options;
/** `--only ID[,ID…]` and `--tag TAG[,TAG…]`, each repeatable. */
export const SELECT_FLAGS = { only: { type: 'string', multiple: true }, tag: { type: 'string', multiple: true } } as const satisfies Options;
/** `--fault NAME[,NAME…]`, repeatable: faults the bundled emulator injects. */
export const FAULT_FLAG = { fault: { type: 'string', multiple: true } } as const satisfies Options;
/** `--drift SPEC`, repeatable: deploy drift the bundled emulator injects (src/emulator/drift.ts). */
export const DRIFT_FLAG = { drift: { type: 'string', multiple: true } } as const satisfies Options;
/** `--no-face`: skip face identity checks (no model load). */
export const FACE_FLAG = { 'no-face': { type: 'boolean', default: false } } as const satisfies Options;
/** `--no-inventory`: send every contract without first reading the apps' route lists (GET /openapi.json). */
export const INVENTORY_FLAG = { 'no-inventory': { type: 'boolean', default: false } } as const satisfies Options;

/** A command that runs contracts against a target: gate and probe. */
export const RUN_FLAGS = { ...TARGET_FLAGS, ...SELECT_FLAGS, ...FAULT_FLAG, ...FACE_FLAG, ...CONFIG_FLAG, ...HELP_FLAG } as const satisfies Options;
/** The probe service's own flags, for `serve` and `probe --once`: the budget's state file and the runner's identity. */
export const PROBE_SERVICE_FLAGS = { 'budget-state': { type: 'string' }, runner: { type: 'string' }, region: { type: 'string' } } as const satisfies Options;

/**
 * Parses `argv` against `options`, strictly. Node's own parse errors (unknown option, missing
 * value, unexpected positional) become UsageErrors naming the command.
 */
export function parseFlags<O extends Options, P extends boolean = false>(command: string, argv: string[], options: O, allowPositionals?: P) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: allowPositionals ?? false });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(`${command}: ${(err as Error).message}`);
    throw err;
  }
}

/** A repeatable, comma-separated list flag (`--only a,b --only c`) as its items, blanks dropped. */
export function listFlag(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** `--time-scale N`: a number in (0, 1]. */
export function parseTimeScale(flag: string): number {
  const n = flag.trim() === '' ? Number.NaN : Number(flag);
  if (!(n > 0 && n <= 1)) throw new UsageError(`--time-scale: "${flag}" must be a number in (0, 1]`);
  return n;
}

/** A flag that must be a positive number (an integer when asked), or its fallback when absent. */
export function positiveNumberFlag(flag: string, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag}: "${raw}" must be a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

/** `--fault` names, checked against the emulator's list; faults need `--emulator` unless `standalone`. */
export function parseFaultFlag(values: readonly string[] | undefined, emulator: boolean, standalone = false): FaultName[] {
  const names = listFlag(values);
  if (names.length === 0) return [];
  if (!emulator && !standalone) throw new UsageError('--fault needs --emulator (faults are injected by the bundled emulator)');
  const { faults, unknown } = parseFaultHeader(names.join(','));
  if (unknown.length) throw new UsageError(`--fault: unknown fault(s) ${unknown.join(', ')}; known: ${FAULT_NAMES.join(', ')}`);
  return faults;
}

/** `--drift` specs as the emulator's own arguments; drift needs `--emulator`. */
export function driftArgs(values: readonly string[] | undefined, emulator: boolean): string[] {
  if (!values?.length) return [];
  if (!emulator) throw new UsageError('--drift needs --emulator (deploy drift is injected by the bundled emulator)');
  return values.flatMap((d) => ['--drift', d]);
}

/** The parsed TARGET_FLAGS as TargetFlags. */
export function targetFlags(values: { emulator?: boolean; 'time-scale'?: string; target?: string; workspace?: string }, emulatorArgs?: string[]): TargetFlags {
  return { emulator: values.emulator, timeScale: values['time-scale'], target: values.target, workspace: values.workspace, emulatorArgs };
}

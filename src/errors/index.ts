/**
 * genprobe's errors in undici's style: one base class with a stable `code`, one subclass per cause
 * (in the module that throws it), and the helpers every module shares to read a thrown value —
 * `errorCode` (walking causes), `describeError` (one line), `exitCodeFor` (the CLI's exit code).
 * Nothing here imports genprobe, so every folder may throw and read these.
 */

/** The base of every error genprobe throws on purpose; `code` is stable, the message is for people. */
export class GenprobeError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A command line genprobe cannot run: an unknown flag, a missing or malformed value. */
export class UsageError extends GenprobeError {
  constructor(message: string) {
    super(message, 'GENPROBE_ERR_USAGE');
  }
}

/** What the `genprobe` process returns: the contract's outcome, or that genprobe itself could not run. */
export const EXIT = { passed: 0, contractFailed: 1, toolError: 2 } as const;

/**
 * Exit code for an error that ended a command. Every thrown error is a tool, config, usage or file
 * problem (a contract failure is a report, never an exception), so all map to 2; the table is here
 * so a future code that needs another exit status gets it in one place.
 */
export function exitCodeFor(_err: unknown): number {
  return EXIT.toolError;
}

/** Codes whose message already says everything: printed without the code in front. */
const SELF_EXPLAINING = new Set(['GENPROBE_ERR_USAGE', 'GENPROBE_CONFIG']);

/** The one line the CLI prints for an error that ended a command. */
export function cliErrorLine(err: unknown): string {
  const code = errorCode(err);
  const text = err instanceof Error ? err.message : String(err);
  return code && !SELF_EXPLAINING.has(code) && !text.includes(code) ? `${code}: ${text}` : text;
}

interface ErrorLike {
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * The most specific error code on an error, its cause chain, or (for Node's AggregateError from
 * happy-eyeballs connects, whose own message is empty) its first member.
 */
export function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as ErrorLike;
    if (typeof e.code === 'string' && e.code !== '') return e.code;
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      current = e.errors[0];
      continue;
    }
    current = e.cause;
  }
  return undefined;
}

/**
 * A one-line reason for any thrown value: the first line of its message (or its name when the
 * message is empty), an AggregateError as its members joined, and a library's code (`ECONNREFUSED`,
 * `57P01`) appended when the message does not say it. genprobe's own errors carry their code in
 * `code` for programs; their messages are already written for people and stay as they are.
 */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map((e) => describeError(e)).join('; ');
  }
  if (!(err instanceof Error)) return String(err);
  const text = err.message.split('\n')[0] || err.name;
  if (err instanceof GenprobeError) return text;
  const code = (err as ErrorLike).code;
  return typeof code === 'string' && code !== '' && !text.includes(code) ? `${text} (${code})` : text;
}

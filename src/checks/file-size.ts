import { fail, pass, type CheckResult } from './types.ts';
import { always, type CheckDefinition } from './definition.ts';

/** A body below the smallest plausible size of a healthy output is a failure (blank/empty renders). */
export function checkFileSize(bytes: number, minBytes: number): CheckResult {
  const text = `${bytes} bytes, minimum ${minBytes}`;
  return bytes >= minBytes ? pass('file-size', text, bytes, minBytes) : fail('file-size', `body too small: ${text}`, bytes, minBytes);
}

export const fileSizeCheck: CheckDefinition = {
  name: 'file-size',
  needs: 'bytes',
  appliesTo: always,
  run: ({ input }) => checkFileSize(input.response.body.length, input.output.minBytes),
};

/**
 * The face worker thread's side of ./off-thread.ts: one Human instance and one reference-embedding cache for
 * the thread; each request is one faceMatchCheck.
 */
import { serveRequests } from '../threads/serve.ts';
import type { CheckResult } from '../checks/types.ts';
import { faceMatchCheck, type FaceMatchOptions } from './check.ts';

serveRequests<FaceMatchOptions, CheckResult[]>(async (opts) => {
  // Structured cloning turns a Buffer into a Uint8Array; the checks read Buffers (sharp, ffmpeg pipes).
  const input: FaceMatchOptions = { ...opts, output: Buffer.from(opts.output), reference: Buffer.from(opts.reference) };
  return { result: await faceMatchCheck(input) };
});

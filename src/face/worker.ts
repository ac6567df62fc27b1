/**
 * The face worker thread's side of ./off-thread.ts: one Human instance and one reference-embedding cache for
 * the thread; each request is one faceMatchCheck, answered with its results or its error's message and code.
 */
import { parentPort } from 'node:worker_threads';
import { faceMatchCheck, type FaceMatchOptions } from './check.ts';
import type { FaceRequest, FaceResponse } from './off-thread.ts';

const port = parentPort;
if (!port) throw new Error('src/face/worker.ts runs only as a worker thread (see off-thread.ts)');

port.on('message', async (req: FaceRequest) => {
  // Structured cloning turns a Buffer into a Uint8Array; the checks read Buffers (sharp, ffmpeg pipes).
  const opts: FaceMatchOptions = { ...req.opts, output: Buffer.from(req.opts.output), reference: Buffer.from(req.opts.reference) };
  let res: FaceResponse;
  try {
    res = { id: req.id, results: await faceMatchCheck(opts) };
  } catch (err) {
    const e = err as Error & { code?: string };
    res = { id: req.id, error: { message: e.message, code: typeof e.code === 'string' ? e.code : undefined } };
  }
  port.postMessage(res);
});

/**
 * The client's worker thread (./off-thread.ts): one ModalClient per distinct set of options, each
 * running the calls posted to it on this thread; the body goes back moved, not copied.
 */
import os from 'node:os';
import { serveRequests } from '../threads/serve.ts';
import { ModalClient, type ModalClientOptions } from './modal-client.ts';
import { NurseryKeeper } from './nursery.ts';
import { sharedNow, type ThreadCall } from './off-thread.ts';
import type { CallResult } from './types.ts';

const clients = new Map<string, ModalClient>();

/**
 * This thread's scheduling priority, where the system allows it (root or CAP_SYS_NICE): on a busy box
 * its wake-ups at a call's bytes then go ahead of the caller's own checks and of other jobs (overhead
 * p95 ÷ blackbox with one core taken: 1.14–1.31 → 1.00–1.17). Linux keeps a nice value per thread and
 * setpriority(PRIO_PROCESS, 0) sets the calling thread's, so the caller's threads keep theirs.
 * Elsewhere, or unprivileged, the thread runs at the process's priority, as any other.
 */
const TIMING_THREAD_NICE = -10;
try {
  os.setPriority(0, TIMING_THREAD_NICE);
} catch {
  // EACCES without the privilege: the calls are timed the same way, only without the head start.
}

function clientFor(options: object): ModalClient {
  const key = JSON.stringify(options);
  let client = clients.get(key);
  if (!client) clients.set(key, (client = new ModalClient({ ...(options as ModalClientOptions), offThread: false })));
  return client;
}

/** A buffer of its own to move: a small Buffer may be a view into Node's shared pool, which must not be moved. */
function ownBuffer(body: Buffer): ArrayBuffer {
  const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
  return whole ? (body.buffer as ArrayBuffer) : (new Uint8Array(body).buffer as ArrayBuffer);
}

/** Scavenges between calls, not inside their clocks (./nursery.ts). */
const nursery = new NurseryKeeper();

serveRequests<ThreadCall, CallResult>(async ({ options, call, postedAt }, signal) => {
  nursery.begin();
  const result = await clientFor(options)
    .callPrepared(call, signal, Math.max(0, sharedNow() - postedAt))
    .finally(() => nursery.end());
  const moved = ownBuffer(result.body);
  return { result: { ...result, body: Buffer.from(moved) }, transfer: [moved] };
});

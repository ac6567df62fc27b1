/**
 * The client's worker thread (./off-thread.ts): one ModalClient per distinct set of options, each
 * running the calls posted to it on this thread; the body goes back moved, not copied.
 */
import { serveRequests } from '../threads/serve.ts';
import { ModalClient, type ModalClientOptions } from './modal-client.ts';
import { sharedNow, type ThreadCall } from './off-thread.ts';
import type { CallResult } from './types.ts';

const clients = new Map<string, ModalClient>();

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

serveRequests<ThreadCall, CallResult>(async ({ options, call, postedAt }, signal) => {
  const result = await clientFor(options).callPrepared(call, signal, Math.max(0, sharedNow() - postedAt));
  const moved = ownBuffer(result.body);
  return { result: { ...result, body: Buffer.from(moved) }, transfer: [moved] };
});

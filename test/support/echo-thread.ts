/**
 * A thread for src/threads/request-worker.test.ts: echoes, throws with a code, waits for a cancel,
 * or drops an object it keeps only a WeakRef to and says later whether it is still there.
 */
import { serveRequests } from '../../src/threads/serve.ts';

type Req = { echo: string } | { throw: string } | { wait: true } | { exit: true } | { drop: true } | { dropped: true };

/** An object held only by a WeakRef: gone once a full collection has run on this thread. */
let weak: WeakRef<object> | undefined;

serveRequests<Req, string>(async (req, signal) => {
  if ('echo' in req) return { result: req.echo };
  if ('throw' in req) throw Object.assign(new RangeError(req.throw), { code: 'ECHO_ERR' });
  if ('exit' in req) process.exit(3);
  if ('drop' in req) {
    weak = new WeakRef({ payload: new Array(1000).fill('x') });
    return { result: 'dropped' };
  }
  if ('dropped' in req) return { result: weak?.deref() === undefined ? 'collected' : 'alive' };
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  return { result: 'cancelled' };
});

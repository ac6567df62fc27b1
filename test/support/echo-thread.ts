/** A thread for src/threads/request-worker.test.ts: echoes, throws with a code, or waits for a cancel. */
import { serveRequests } from '../../src/threads/serve.ts';

type Req = { echo: string } | { throw: string } | { wait: true } | { exit: true };

serveRequests<Req, string>(async (req, signal) => {
  if ('echo' in req) return { result: req.echo };
  if ('throw' in req) throw Object.assign(new RangeError(req.throw), { code: 'ECHO_ERR' });
  if ('exit' in req) process.exit(3);
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  return { result: 'cancelled' };
});

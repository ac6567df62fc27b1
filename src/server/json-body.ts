/**
 * A JSON request body checked against its zod schema, for the service's write routes (maintenance
 * windows, the review matrix): 415 when it is not JSON, 400 naming each bad field, else the data.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';

/** JSON bodies up to 4 KiB; a malformed (400) or oversized (413) body is the caller's mistake, not the server's. */
export function jsonBodyParser(limit = '4kb'): RequestHandler {
  const parse = express.json({ limit, type: 'application/json' });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const status = (err as { status?: number }).status === 413 ? 413 : 400;
      res.status(status).json({ error: status === 413 ? 'body too large' : 'body is not valid JSON' });
    });
}

export function parseJsonBody<T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined {
  if (!req.is('application/json')) {
    res.status(415).json({ error: 'send the body as application/json' });
    return undefined;
  }
  const r = schema.safeParse(req.body);
  if (r.success) return r.data;
  res.status(400).json({ error: 'invalid request', issues: r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
  return undefined;
}

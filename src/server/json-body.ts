/**
 * A JSON request body checked against its zod schema, for the service's write routes (maintenance
 * windows, the review matrix): 415 when it is not JSON, 400 naming each bad field, else the data.
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';

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

/**
 * Optional auth for the probe service: a bearer token or HTTP basic credentials, read from the
 * environment variables the config names (the secrets never live in the config file). Compared in
 * constant time; failures answer 401 with a WWW-Authenticate challenge and never echo what was sent.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ConfigError, type ServerConfig } from '../config/index.ts';

export type ResolvedAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

const REALM = 'genprobe';

/** Read the secrets named by server.auth; a named variable that is unset or empty is a config error. */
export function resolveAuth(auth: ServerConfig['auth'], env: NodeJS.ProcessEnv = process.env): ResolvedAuth | undefined {
  if (!auth) return undefined;
  const read = (field: string, name: string): string => {
    const v = env[name];
    if (!v) throw new ConfigError(`server.auth.${field}: environment variable ${name} is not set`);
    return v;
  };
  if ('bearerTokenEnv' in auth) return { kind: 'bearer', token: read('bearerTokenEnv', auth.bearerTokenEnv) };
  return { kind: 'basic', user: read('basicUserEnv', auth.basicUserEnv), password: read('basicPasswordEnv', auth.basicPasswordEnv) };
}

/** Constant-time string equality (hashing first makes the lengths equal, so length leaks nothing). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

export function isAuthorized(header: string | undefined, auth: ResolvedAuth): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (auth.kind === 'bearer') return scheme === 'bearer' && safeEqual(value, auth.token);
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Evaluate both halves so a wrong user takes as long as a wrong password.
  const userOk = safeEqual(decoded.slice(0, colon), auth.user);
  const passOk = safeEqual(decoded.slice(colon + 1), auth.password);
  return userOk && passOk;
}

export function authMiddleware(auth: ResolvedAuth) {
  const challenge = auth.kind === 'bearer' ? `Bearer realm="${REALM}"` : `Basic realm="${REALM}", charset="UTF-8"`;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isAuthorized(req.headers.authorization, auth)) return next();
    res.setHeader('WWW-Authenticate', challenge);
    res.status(401).json({ error: 'unauthorized' });
  };
}

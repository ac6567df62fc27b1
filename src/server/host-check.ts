/**
 * DNS-rebinding guard for `genprobe serve`: a web page whose name rebinds to 127.0.0.1 can make a
 * browser read an unauthenticated server, but the browser still sends the page's own name as Host.
 * So a request is served only when its Host is a name the server is known by: an IP literal (it
 * cannot be rebound), `localhost`/`*.localhost` (browsers resolve those to loopback themselves),
 * the bind address, or one of server.allowedHosts.
 */
import net from 'node:net';
import type { NextFunction, Request, Response } from 'express';

/** The host part of a Host header, lower-cased, without port or IPv6 brackets; null when unparseable. */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : null;
  }
  const name = h.replace(/:\d*$/, '').replace(/\.$/, '');
  return /^[a-z0-9.-]+$/.test(name) ? name : null;
}

export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  if (net.isIP(host)) return true;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === '*') return true;
    if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
    return host === p;
  });
}

/** Express middleware answering 421 Misdirected Request for a Host the server is not known by. */
export function hostCheck(allowedHosts: readonly string[], bindHost: string) {
  const allowed = net.isIP(bindHost) ? [...allowedHosts] : [...allowedHosts, bindHost];
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = hostOf(req.headers.host);
    if (host !== null && isAllowedHost(host, allowed)) return next();
    res.status(421).json({
      error: 'misdirected request',
      message: `Host ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))} is not a name this server answers to; add it to server.allowedHosts (IP literals and localhost names are always served)`,
    });
  };
}

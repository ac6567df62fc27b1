import type dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { classifyAddress, isLocalhostName, type AddressClass } from './address-class.ts';
import { redactUrl } from './url.ts';

/**
 * The redirect step of a call, one hop at a time: is this response a redirect, where does it
 * lead, may the call go there. Like undici's redirect handler, it knows nothing of bodies.
 */

/**
 * Requests per call, the first included. Modal answers each request for at most 150 s, then 303s to
 * a result URL; the fleet's longest function timeout is 1800 s
 * (jatidevelopments/ryla@57209b5:apps/modal/apps/flux/app.py:52, the same in every web app), so a
 * call that is still running needs at most 1800 / 150 = 12 redirects. 16 leaves room for result
 * URLs that answer early; a longer chain is a loop, not a long job.
 */
export const MAX_HOPS = 16;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** A redirect's body is drained up to this many bytes, so its connection serves the next hop. */
export const REDIRECT_BODY_DRAIN_BYTES = 64 * 1024;

/** A response the call should follow rather than read: a redirect status with a Location. */
export function isRedirect(status: number, headers: Record<string, string>): boolean {
  return REDIRECT_STATUSES.has(status) && Boolean(headers['location']);
}

/**
 * Where redirect `status` from `base` leads, or why it cannot be followed (bad Location, not http,
 * hop budget spent). `hopNumber` counts the hops so far; `redact` scrubs what the message quotes.
 */
export function redirectTarget(status: number, location: string, base: string, hopNumber: number, redact: (text: string) => string): URL | string {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    return `redirect ${status} on hop ${hopNumber} has an invalid Location ${JSON.stringify(redact(location).slice(0, 200))}`;
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return `redirect ${status} on hop ${hopNumber} points to a non-http URL (${next.protocol})`;
  }
  if (hopNumber >= MAX_HOPS) {
    return `redirect loop: ${hopNumber} hops without a final response (last ${status} to ${redact(redactUrl(next.href))})`;
  }
  return next;
}

/** Thrown by the connect-time lookup when a name resolves outside the classes a call may reach. */
class RedirectRefusedError extends Error {
  readonly code = 'GENPROBE_ERR_REDIRECT_REFUSED';
}

/**
 * Which address classes one call may connect to. Until a redirect leaves the target's host there is
 * no restriction (the target is what the user configured); after one, every new connection must
 * resolve into the target's class or a configured extra one, checked again at connect time so that
 * a name re-resolved between the check and the connection (DNS rebinding) cannot slip through.
 */
export class ReachGuard {
  allowed: ReadonlySet<AddressClass> | null = null;

  constructor(private readonly lookup: LookupFunction) {}

  /** The lookup the call's own Agent connects with. */
  readonly connectLookup: LookupFunction = (hostname, options, callback) => {
    this.lookup(hostname, options, (err, address, family) => {
      if (err || !this.allowed) return callback(err, address as string, family as number);
      const list = Array.isArray(address) ? address : [{ address: address as string, family: family as number }];
      const outside = list.find((a) => !this.allowed!.has(classifyAddress(a.address) ?? 'public'));
      if (outside) {
        const cls = classifyAddress(outside.address) ?? 'public';
        return callback(new RedirectRefusedError(`${hostname} resolved to ${outside.address} (${cls}) when connecting, outside the ${[...this.allowed].join('/')} addresses this call may reach`), '', 0);
      }
      callback(null, address as string, family as number);
    });
  };
}

/**
 * Why a redirect to `next` must not be followed, or null. The target's own host is always fine
 * (Modal's result URLs stay on it); another host must resolve, every address of it, into the
 * target's class or one the caller allowed. A name that does not resolve now is left to the request (and the connect-time check).
 */
export async function refuseRedirect(target: URL, next: URL, guard: ReachGuard, lookup: LookupFunction, allowRedirectsTo: ReadonlySet<AddressClass>): Promise<string | null> {
  if (next.hostname === target.hostname) return null;
  const targetClasses = await classesOf(target.hostname, lookup);
  if (!targetClasses) return null;
  const allowed = new Set<AddressClass>([...targetClasses, ...allowRedirectsTo]);
  // From here on every new connection of this call is checked again when it resolves.
  guard.allowed = allowed;
  const nextClasses = await classesOf(next.hostname, lookup);
  if (!nextClasses) return null;
  const outside = nextClasses.find((c) => !allowed.has(c));
  if (!outside) return null;
  return `${next.hostname} is a ${outside} address, outside the target's ${targetClasses.join('/')} class (target.allowRedirectsTo can allow ${outside})`;
}

/** Address classes a host name stands for: literal, localhost name, or every DNS answer; null if it does not resolve. */
async function classesOf(hostname: string, lookup: LookupFunction): Promise<AddressClass[] | null> {
  const literal = classifyAddress(hostname);
  if (literal) return [literal];
  if (isLocalhostName(hostname)) return ['loopback'];
  const addresses = await new Promise<dns.LookupAddress[] | null>((resolve) => {
    lookup(hostname, { all: true }, (err, address) => resolve(err ? null : (address as unknown as dns.LookupAddress[])));
  });
  if (!addresses || addresses.length === 0) return null;
  return [...new Set(addresses.map((a) => classifyAddress(a.address) ?? 'public'))];
}

/**
 * Which kind of network an address belongs to, so that a redirect cannot walk the client from the
 * target's network into another one: from the public Modal edge to 169.254.169.254 (cloud metadata),
 * 10.x (the CI runner's LAN) or 127.0.0.1 (services on the box), or from a loopback stand-in out
 * to the internet.
 */
import net from 'node:net';

export const ADDRESS_CLASSES = ['loopback', 'link-local', 'private', 'public'] as const;
export type AddressClass = (typeof ADDRESS_CLASSES)[number];

type Range = readonly [base: bigint, bits: number, cls: AddressClass];

function v4(a: string): bigint {
  return a.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** IPv4 ranges, longest prefix first is not needed: they do not overlap. */
const V4_RANGES: readonly Range[] = [
  [v4('127.0.0.0'), 8, 'loopback'],
  // "This host": connecting to 0.0.0.0 reaches the local machine on Linux.
  [v4('0.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.168.0.0'), 16, 'private'],
  // Carrier-grade NAT, benchmarking, multicast and reserved space are not the public internet either.
  [v4('100.64.0.0'), 10, 'private'],
  [v4('198.18.0.0'), 15, 'private'],
  [v4('224.0.0.0'), 4, 'private'],
  [v4('240.0.0.0'), 4, 'private'],
];

function inRange(value: bigint, width: number, base: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

function classifyV4(address: string): AddressClass {
  const value = v4(address);
  for (const [base, bits, cls] of V4_RANGES) if (inRange(value, 32, base, bits)) return cls;
  return 'public';
}

/** 128-bit value of an IPv6 address (`::` and a dotted IPv4 tail handled). */
function v6(address: string): bigint {
  let text = address.toLowerCase().split('%')[0];
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const n = v4(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headParts : [...headParts, ...Array(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function classifyV6(address: string): AddressClass {
  const value = v6(address);
  if (value === 1n || value === 0n) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses reach the embedded IPv4 one.
  if (value >> 32n === 0xffffn || value >> 32n === 0x64ff9b0000000000000000n) {
    const n = value & 0xffffffffn;
    return classifyV4([24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.'));
  }
  if (inRange(value, 128, 0xfe80n << 112n, 10)) return 'link-local';
  if (inRange(value, 128, 0xfc00n << 112n, 7)) return 'private';
  if (inRange(value, 128, 0xff00n << 112n, 8)) return 'private';
  return 'public';
}

/** Class of an IP literal (brackets allowed); null when `address` is not an IP address. */
export function classifyAddress(address: string): AddressClass | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = net.isIP(bare.split('%')[0]);
  if (family === 4) return classifyV4(bare);
  if (family === 6) return classifyV6(bare);
  return null;
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761 §6.3), whatever DNS says. */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/** Whether a URL's host is this machine: a loopback literal or a localhost name. No DNS. */
export function isLoopbackHost(hostname: string): boolean {
  return isLocalhostName(hostname) || classifyAddress(hostname) === 'loopback';
}

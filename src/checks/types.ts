/**
 * Every check is a small pure function: bytes (+ the request and the catalog's expectation) in,
 * a CheckResult out. Checks never import the client; they judge what they are handed.
 */
export type Verdict = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  /** Stable name (see CHECK_NAMES) used in reports, metrics labels, waivers and fault mapping. */
  check: CheckName;
  verdict: Verdict;
  /** One line a person can act on: what was expected, what was measured. */
  message: string;
  measured?: unknown;
  expected?: unknown;
  /**
   * What genprobe decided, machine-readable: a stable code and fixed parameters chosen by the
   * check (never text taken from the response). Waivers match on this, not on `message`, so an
   * endpoint cannot word its way into a waiver (issue 13.8).
   */
  finding?: Finding;
}

export interface Finding {
  code: string;
  params?: Record<string, string | number>;
}

export const CHECK_NAMES = [
  'transport', // the call itself: network, timeout, too-large, modal-platform
  'status', // HTTP status vs the contract
  'media-type', // sniffed bytes vs the catalog's output kind
  'declared-type', // Content-Type vs sniffed bytes (PNG under image/jpeg is its own finding)
  'decodable', // the bytes decode as the format they claim
  'image-size', // width/height vs request
  'frame-count', // WebP/MP4 frames vs request
  'frame-timing', // WebP delays / MP4 fps vs request
  'duration', // MP4 duration vs frames/fps
  'codec', // MP4 codec / audio
  'blank-output', // near-uniform / near-black frames
  'motion', // video frames change over time (a still dressed as a video fails)
  'detail', // the picture has texture and edges (an upscaled tiny image fails)
  'pixel-format', // H.264 profile and pixel format browsers and phones play (yuv420p, ≤ High)
  'file-size', // tiny bodies
  'cost-headers', // X-Cost-USD & co present and well-formed (or dropped as known)
  'surviving-headers', // X-NSFW-Mode / X-Style
  'error-body', // negative requests: documented body shape and message
  'golden-drift', // pixelmatch vs stored golden image (fixed seed)
  'face-present', // a face is found in the output
  'face-match', // identity vs reference at the catalog's target
  'latency', // call time vs documented budget
  'health', // GET /health body
  'consumer-contract', // a consumer's call vs the catalog / the deployed fleet (src/consumers; the finding code says which drift)
  'error-status', // bad input answered with a 5xx (or another status than the promised 4xx)
  'route-broken', // a registered route whose happy path fails
  'doc-drift', // a removed route the fleet's docs or client still list (warning)
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export function pass(check: CheckName, message: string, measured?: unknown, expected?: unknown): CheckResult {
  return { check, verdict: 'pass', message, measured, expected };
}
export function fail(check: CheckName, message: string, measured?: unknown, expected?: unknown): CheckResult {
  return { check, verdict: 'fail', message, measured, expected };
}
export function warn(check: CheckName, message: string, measured?: unknown, expected?: unknown): CheckResult {
  return { check, verdict: 'warn', message, measured, expected };
}
export function skip(check: CheckName, message: string): CheckResult {
  return { check, verdict: 'skip', message };
}
/** The same result with genprobe's machine-readable finding attached. */
export function withFinding(result: CheckResult, code: string, params?: Finding['params']): CheckResult {
  return { ...result, finding: params ? { code, params } : { code } };
}

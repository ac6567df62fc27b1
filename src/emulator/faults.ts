/**
 * Injectable faults: every way the real fleet (or Modal in front of it) has been seen to fail, or
 * plausibly could, so genprobe's checks can be shown to catch each one. Faults are chosen per
 * request (`x-genprobe-fault: a,b`) or by rules from the control API (`POST /__emulator/faults`).
 */
import type { OutputPlan } from './fleet/index.ts';
import type { RenderPlan } from './render.ts';

export const FAULTS = [
  { name: 'wrong-dims', description: 'output is half the requested width and height' },
  { name: 'wrong-frames', description: 'video has 8 frames fewer than requested (at least 1 left)' },
  { name: 'wrong-fps', description: 'video plays at half the requested fps (WebP delay doubled, MP4 rate halved)' },
  { name: 'wrong-format', description: 'a still JPEG where video is expected; a still WebP where a PNG/JPEG image is expected' },
  { name: 'blank', description: 'near-black output (pixel values 0–4) with the right size and frame count' },
  { name: 'tiny', description: 'degenerate uniform-grey output, a few KB (like the 2,765-byte 33-frame faceswap MP4)' },
  { name: 'truncated', description: 'correct Content-Length, body cut mid-way, then the connection is destroyed' },
  { name: 'oversized', description: 'endless chunked body (the real bytes, then random bytes) until the client hangs up' },
  { name: 'slow-drip', description: 'body trickles at 2.5 KB/s' },
  { name: 'app-5xx', description: '500 JSON from the app global exception handler (ComfyUI server is not healthy)' },
  { name: 'modal-5xx', description: '500 text `modal-http: internal error: function execution timed out`' },
  { name: 'modal-408', description: '408 text `Missing request, possibly due to expiry or cancellation` (after the cold start)' },
  { name: 'modal-404', description: '404 text `modal-http: invalid function call`, immediately' },
  { name: 'slow', description: 'the call runs until the 1800 s function timeout (scaled): 303s, then modal-5xx' },
  { name: 'redirect-loop', description: '303 to the result URL forever, the result never comes' },
  { name: 'missing-cost-headers', description: '/flux-pulid answers without X-Cost-USD / X-Execution-Time-Sec / X-GPU-Type' },
  { name: 'wrong-face', description: 'another identity (grace_hopper) is composited instead of the reference face' },
  { name: 'no-face', description: 'face-less output: a scene with the coffee picture where the face should be' },
  { name: 'invalid-gzip', description: '`Content-Encoding: gzip` on a body that is not gzip' },
  { name: 'lying-length', description: 'Content-Length declares 60 % of the body and only that much is sent: a clean-looking but cut file' },
  { name: 'frozen', description: 'video whose frames are all the first one (a still dressed as a video; WebP frames differ in one 4×4 patch so the encoder keeps them)' },
  { name: 'no-detail', description: 'output rendered at 8×8 and scaled up to the requested size (a failed decode of a tiny latent): normal brightness, no detail' },
  { name: 'yuv444', description: 'MP4 encoded as H.264 High 4:4:4 Predictive, yuv444p: ffmpeg decodes it, browsers and phones do not' },
  { name: 'frame-bomb', description: 'animated WebP of 100,000 one-pixel frames on the requested canvas (~5 MB): a frame-count bomb' },
] as const;

export type FaultName = (typeof FAULTS)[number]['name'];
export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((f) => f.name);

export const FAULT_HEADER = 'x-genprobe-fault';

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Parses `x-genprobe-fault: a, b`; unknown names are returned separately so the caller can refuse them. */
export function parseFaultHeader(value: string | string[] | undefined): { faults: FaultName[]; unknown: string[] } {
  const raw = (Array.isArray(value) ? value.join(',') : value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const faults: FaultName[] = [];
  const unknown: string[] = [];
  for (const name of raw) (isFaultName(name) ? faults : unknown).push(name as FaultName);
  return { faults, unknown };
}

export interface FaultRule {
  id: number;
  match: { app?: string; path?: string };
  fault: FaultName;
  /** Remaining applications; undefined = until cleared. */
  times?: number;
  /** "1 in N": the rule applies to every Nth matching request only (the Nth, 2Nth, …); default every one. */
  every?: number;
  /** Matching requests seen so far (what `every` counts). */
  seen?: number;
  /**
   * app-5xx only: the app's error text instead of "ComfyUI server is not healthy…", so consumers can be
   * shown an arbitrary (e.g. hostile HTML/script) error body and proven to treat it as untrusted text.
   */
  message?: string;
}

/** Longest custom app-5xx message the control API accepts. */
export const MAX_FAULT_MESSAGE_CHARS = 2000;

/** What one request draws from the rules: the faults, and a custom app-5xx message if a rule set one. */
export interface TakenFaults {
  faults: FaultName[];
  appErrorMessage?: string;
}

/** Control-API fault rules, consumed per matching request. */
export class FaultRules {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: unknown): FaultRule {
    if (!input || typeof input !== 'object') throw new Error('fault rule must be a JSON object {match?, fault, times?}');
    const { match = {}, fault, times, message, every } = input as { match?: unknown; fault?: unknown; times?: unknown; message?: unknown; every?: unknown };
    if (typeof fault !== 'string' || !isFaultName(fault)) throw new Error(`unknown fault ${JSON.stringify(fault)}; known: ${FAULT_NAMES.join(', ')}`);
    if (!match || typeof match !== 'object') throw new Error('match must be an object {app?, path?}');
    const m = match as { app?: unknown; path?: unknown };
    if (m.app !== undefined && typeof m.app !== 'string') throw new Error('match.app must be a string');
    if (m.path !== undefined && typeof m.path !== 'string') throw new Error('match.path must be a string');
    if (times !== undefined && (typeof times !== 'number' || !Number.isInteger(times) || times < 1)) throw new Error('times must be a positive integer');
    if (every !== undefined && (typeof every !== 'number' || !Number.isInteger(every) || every < 1)) throw new Error('every must be a positive integer (1 in N matching requests)');
    if (message !== undefined) {
      if (fault !== 'app-5xx') throw new Error(`message is only supported with fault app-5xx, not ${fault}`);
      if (typeof message !== 'string' || message.length === 0 || message.length > MAX_FAULT_MESSAGE_CHARS) throw new Error(`message must be a non-empty string of at most ${MAX_FAULT_MESSAGE_CHARS} characters`);
    }
    const rule: FaultRule = { id: this.nextId++, match: { app: m.app as string | undefined, path: m.path as string | undefined }, fault, times: times as number | undefined };
    if (message !== undefined) rule.message = message as string;
    if (every !== undefined) Object.assign(rule, { every, seen: 0 });
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r, match: { ...r.match } }));
  }

  /** Faults for this request; rules with a `times` budget are decremented and dropped at zero. */
  take(app: string, path: string): FaultName[] {
    return this.takeWithMessage(app, path).faults;
  }

  /** Like take(), also returning the custom app-5xx message of the first matching rule that has one. */
  takeWithMessage(app: string, path: string): TakenFaults {
    const out: TakenFaults = { faults: [] };
    for (const rule of this.rules) {
      if (rule.match.app !== undefined && rule.match.app !== app) continue;
      if (rule.match.path !== undefined && rule.match.path !== path) continue;
      if (rule.every !== undefined && (rule.seen = (rule.seen ?? 0) + 1) % rule.every !== 0) continue;
      out.faults.push(rule.fault);
      if (rule.message !== undefined && out.appErrorMessage === undefined) out.appErrorMessage = rule.message;
      if (rule.times !== undefined) rule.times--;
    }
    this.rules = this.rules.filter((r) => r.times === undefined || r.times > 0);
    return out;
  }
}

/** Frames of the `frame-bomb` WebP: the ~100,000 that kept a gate busy for minutes (issue 18). */
export const FRAME_BOMB_FRAMES = 100_000;

export interface FaultFixtures {
  /** Another identity for wrong-face. */
  otherFace: Buffer;
  /** A face-less picture for no-face. */
  faceless: Buffer;
}

/** Rewrites what the renderer will draw; output faults on JSON answers are ignored by the caller. */
export function applyOutputFaults(plan: OutputPlan, faults: readonly FaultName[], fx: FaultFixtures): RenderPlan {
  const out: RenderPlan = { ...plan };
  const video = plan.kind === 'webp-anim' || plan.kind === 'mp4';
  for (const f of faults) {
    switch (f) {
      case 'wrong-dims':
        out.width = Math.max(16, Math.round(plan.width / 4) * 2);
        out.height = Math.max(16, Math.round(plan.height / 4) * 2);
        break;
      case 'wrong-frames':
        if (video) out.frameDelta = -Math.min(8, Math.max(0, plan.frames - 1)) || 1;
        break;
      case 'wrong-fps':
        if (video) out.fps = plan.fps / 2;
        break;
      case 'wrong-format':
        out.kind = video ? 'jpeg' : 'webp';
        out.frames = 1;
        break;
      case 'blank':
        out.quality = 'blank';
        break;
      case 'tiny':
        out.quality = 'tiny';
        break;
      case 'wrong-face':
        if (plan.face) out.face = fx.otherFace;
        break;
      case 'no-face':
        if (plan.face || plan.base.type !== 'scene') {
          out.base = { type: 'scene' };
          out.face = fx.faceless;
        }
        break;
      case 'frozen':
        if (video) out.frozen = true;
        break;
      case 'no-detail':
        out.noDetail = true;
        break;
      case 'yuv444':
        if (plan.kind === 'mp4') out.yuv444 = true;
        break;
      case 'frame-bomb':
        if (plan.kind === 'webp-anim') out.frameBomb = FRAME_BOMB_FRAMES;
        break;
      default:
        break;
    }
  }
  return out;
}

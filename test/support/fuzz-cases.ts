/**
 * The media fuzz run shared by test/trust/fuzz.test.ts and bench/fuzz.bench.ts: real outputs the
 * way the fleet encodes them (the emulator's ComfyUI PNG with its tEXt prompt, PIL-style JPEG,
 * animated WebP, H.264 MP4, plus the fixtures' portrait WebP/MP4), mutated from a fixed seed and
 * fed to every output check (decodable, sizes, frames, codec, pixel-format, blank, motion, detail).
 * A case passes when the checks return a verdict for it; a throw or a hang is a crash.
 */
import { readFileSync } from 'node:fs';
import type { HeaderSpec, OutputSpec } from '../../src/catalog/types.ts';
import { runOutputChecks } from '../../src/checks/index.ts';
import type { CheckResult } from '../../src/checks/types.ts';
import { Renderer } from '../../src/emulator/render.ts';
import { mutate, seededRandom, type FuzzKind } from '../../src/media/fuzz.ts';

export interface FuzzSeed {
  name: string;
  kind: FuzzKind;
  bytes: Buffer;
  output: OutputSpec;
  request: Record<string, unknown>;
}

const spec = (kind: FuzzKind, width: number, height: number, frames?: number): OutputSpec => ({
  kind,
  declaredType: kind === 'png' ? 'image/png' : kind === 'jpeg' ? 'image/jpeg' : kind === 'mp4' ? 'video/mp4' : 'image/webp',
  size: { kind: 'request', widthField: 'width', heightField: 'height', defaultWidth: width, defaultHeight: height },
  ...(frames ? { frames: { kind: 'request' as const, field: 'length', defaultValue: frames }, fps: { field: 'fps', defaultValue: 16 } } : {}),
  ...(kind === 'mp4' ? { codec: 'avc1' as const, audio: 'none' as const } : {}),
  minBytes: 500,
});

/** The seed files: small, so thousands of cases fit in a test run. */
export async function fuzzSeeds(root: URL): Promise<FuzzSeed[]> {
  const r = new Renderer();
  const plan = (kind: 'png' | 'jpeg' | 'webp-anim' | 'mp4', width: number, height: number, frames: number) =>
    r.render({ kind, width, height, frames, fps: 16, seed: 1813, base: { type: 'scene' }, face: null, comfyPrompt: kind === 'png' ? { '3': { class_type: 'KSampler', inputs: { seed: 1813 } } } : undefined });
  const fixture = (p: string) => readFileSync(new URL(p, root));
  return [
    { name: 'comfyui-png', kind: 'png', bytes: await plan('png', 160, 120, 1), output: spec('png', 160, 120), request: {} },
    { name: 'pil-jpeg', kind: 'jpeg', bytes: await plan('jpeg', 160, 120, 1), output: spec('jpeg', 160, 120), request: {} },
    { name: 'emulator-webp', kind: 'webp-animated', bytes: await plan('webp-anim', 96, 64, 17), output: spec('webp-animated', 96, 64, 17), request: {} },
    { name: 'portrait-webp', kind: 'webp-animated', bytes: fixture('fixtures/media/portrait.webp'), output: spec('webp-animated', 256, 256, 33), request: {} },
    { name: 'emulator-mp4', kind: 'mp4', bytes: await plan('mp4', 96, 64, 17), output: spec('mp4', 96, 64, 17), request: {} },
    { name: 'portrait-mp4', kind: 'mp4', bytes: fixture('fixtures/media/portrait.mp4'), output: spec('mp4', 512, 512, 33), request: {} },
  ];
}

export interface FuzzOutcome {
  seed: string;
  caseSeed: number;
  mutation: string;
  description: string;
  ms: number;
  /** Set when the checks threw or did not answer within the hang guard. */
  crash?: string;
  decodable?: CheckResult['verdict'];
}

const HEADERS: HeaderSpec = { cost: 'none' };
/**
 * Which seed file each case mutates, by index into fuzzSeeds(): the stills and WebPs decode in
 * milliseconds, an MP4 that still decodes costs an ffmpeg run, so MP4s are 2 of every 16 cases.
 */
const SCHEDULE = [0, 1, 2, 3, 0, 1, 2, 4, 0, 1, 2, 3, 0, 1, 2, 5];

/** Case `i` of a run with base seed `base`: which seed file, which mutation — all from the seed. */
export async function runFuzzCase(seeds: readonly FuzzSeed[], base: number, i: number, hangGuardMs: number): Promise<FuzzOutcome> {
  const caseSeed = (base + Math.imul(i, 0x9e3779b1)) >>> 0;
  const rnd = seededRandom(caseSeed);
  const seed = seeds[SCHEDULE[i % SCHEDULE.length] % seeds.length];
  const mutant = mutate(seed.bytes, seed.kind, rnd);
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no verdict within ${hangGuardMs} ms`)), hangGuardMs);
    });
    const results = await Promise.race([
      runOutputChecks({
        output: seed.output,
        headers: HEADERS,
        request: seed.request,
        response: { status: 200, headers: { 'content-type': seed.output.declaredType }, body: mutant.bytes, declaredType: seed.output.declaredType },
        options: { blank: { samples: 3, timeoutMs: 10_000 } },
      }),
      hang,
    ]);
    const bad = results.find((res) => !['pass', 'fail', 'warn', 'skip'].includes(res.verdict) || typeof res.message !== 'string');
    const verdictOf = results.find((res) => res.check === 'decodable' || (res.check === 'media-type' && res.verdict === 'fail'));
    return {
      seed: seed.name,
      caseSeed,
      mutation: mutant.mutation ?? '?',
      description: mutant.description,
      ms: performance.now() - t0,
      crash: bad ? `malformed result ${JSON.stringify(bad)}` : verdictOf ? undefined : 'no decodable or media-type verdict',
      decodable: verdictOf?.verdict,
    };
  } catch (err) {
    return { seed: seed.name, caseSeed, mutation: mutant.mutation ?? '?', description: mutant.description, ms: performance.now() - t0, crash: (err as Error).stack ?? String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs cases [from, to) two at a time (ffmpeg runs in a child, so two overlap well on two cores). */
export async function runFuzz(seeds: readonly FuzzSeed[], base: number, from: number, to: number, hangGuardMs: number, onCase?: (o: FuzzOutcome) => void): Promise<FuzzOutcome[]> {
  const out: FuzzOutcome[] = new Array(to - from);
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      out[i - from] = await runFuzzCase(seeds, base, i, hangGuardMs);
      onCase?.(out[i - from]);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

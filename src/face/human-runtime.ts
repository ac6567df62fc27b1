/**
 * One @vladmandic/human instance per process, on the tfjs WASM backend, models read from node_modules.
 *
 * Two shims (feasibility.md §2.1, both measured on this machine):
 *  1. Human's package `exports` keys lack the leading "./", so `@vladmandic/human/dist/human.node-wasm.js`
 *     cannot be imported by name; it is loaded by file path. The default entry needs tfjs-node, which
 *     cannot install here.
 *  2. Human fetches models with the global `fetch`, and Node's fetch rejects file:// URLs; file:// is
 *     answered from disk, every other URL goes to the real fetch untouched.
 * Human runs BlazeFace and FaceMesh only: FaceRes, the descriptor, runs on onnxruntime-node (./faceres.ts) on
 * the face crop Human returns (`detector.return`), so Human never loads it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Human, Config } from '@vladmandic/human';

const require = createRequire(import.meta.url);

export type HumanInstance = Human;

/** Minimum face confidence (Human's detector score) for a face to count. */
export const DETECTOR_MIN_CONFIDENCE = 0.5;

/** The Human package version, reported with every score (the detector and FaceRes ship inside it). */
export function humanVersion(): string {
  const pkgPath = path.join(humanDistDir(), '..', 'package.json');
  return (require(pkgPath) as { version: string }).version;
}

function humanDistDir(): string {
  // require.resolve gives .../@vladmandic/human/dist/human.node.js (the "require" condition).
  return path.dirname(require.resolve('@vladmandic/human'));
}

/** Human's model files (BlazeFace, FaceMesh, FaceRes), inside the package. */
export function humanModelsDir(): string {
  return path.join(humanDistDir(), '..', 'models');
}

let fetchShimInstalled = false;
function installFileFetchShim(): void {
  if (fetchShimInstalled) return;
  const realFetch = globalThis.fetch;
  const shim: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file://')) {
      const bytes = await readFile(fileURLToPath(url));
      return new Response(new Uint8Array(bytes), { status: 200 });
    }
    return realFetch(input, init);
  };
  globalThis.fetch = shim;
  fetchShimInstalled = true;
}

/** `{ name: { enabled: false } }` for each of Human's modules genprobe does not run. */
function disabled(...names: string[]): Record<string, { enabled: false }> {
  return Object.fromEntries(names.map((n) => [n, { enabled: false as const }]));
}

/** Detection config: everything but BlazeFace + FaceMesh is off; the face crop is returned for FaceRes when asked per call. */
function humanConfig(): Partial<Config> {
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  return {
    backend: 'wasm',
    wasmPath: wasmDir + path.sep,
    modelBasePath: pathToFileURL(humanModelsDir() + path.sep).href,
    debug: false,
    // No frame-to-frame caching: every call is an independent image (video frames too).
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      // 0.5 instead of Human's 0.2: at 0.2 the cat in fixtures/scenes/chelsea.png is a "face"; the cost is that
      // strong profiles (fixtures/faces/camera.png scores 0.55) drop out under some augmentations.
      // Not Human's own `square` option: its pad offsets are off (a face pasted into 1024×600 came back 70 px too
      // high); detectFaces pads to a square itself.
      detector: { rotation: true, square: false, maxDetected: 10, minConfidence: DETECTOR_MIN_CONFIDENCE, iouThreshold: 0.1, return: false },
      mesh: { enabled: true },
      ...disabled('description', 'attention', 'iris', 'emotion', 'antispoof', 'liveness', 'gear'),
    },
    ...disabled('body', 'hand', 'object', 'gesture', 'segmentation'),
  } as Partial<Config>;
}

/**
 * Runs `load` (synchronous requires) with Node's source-map support off, then restores it. tsx turns it on for
 * the whole process, so every file required afterwards has its `.map` read and kept parsed for the process's
 * life: tfjs-core's, tfjs-converter's and tfjs-backend-wasm's maps (5.4 MB of JSON) held 5.9 MB of the 24.9 MB
 * live heap after loading, and the mark-compact the face check causes every 2–3 images traced them each time
 * (1–4 ms per 1024² image, bench/README.md face section). Only stack frames inside tfjs and Human's bundle
 * lose their original positions.
 */
function withoutSourceMaps<T>(load: () => T): T {
  const enabled = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    return load();
  } finally {
    process.setSourceMapsEnabled(enabled);
  }
}

let loading: Promise<Human> | undefined;

/**
 * The shared Human instance. Concurrent first callers share one promise, so models load once; a failed
 * load is forgotten so the next call retries instead of caching the error forever.
 */
export function getHuman(): Promise<Human> {
  if (!loading) {
    loading = loadHuman().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
  }
  return loading;
}

async function loadHuman(): Promise<Human> {
  installFileFetchShim();
  const mod = withoutSourceMaps(() => {
    require('@tensorflow/tfjs-backend-wasm');
    return require(path.join(humanDistDir(), 'human.node-wasm.js')) as { Human: new (cfg: Partial<Config>) => Human };
  });
  const human = new mod.Human(humanConfig());
  await human.init();
  await human.load();
  if (human.tf.getBackend() !== 'wasm') {
    throw new Error(`face: expected the tfjs wasm backend, got "${human.tf.getBackend()}"`);
  }
  return human;
}

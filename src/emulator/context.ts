/**
 * The emulator's options and the state its parts share: the fleet's apps and their container
 * runtimes, the call store, the fault and drift rules, the slowdowns and the renderer. Built once
 * per emulator; the router, the executor and the control API read it.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CallStore } from './call-store.ts';
import { DriftState, type DriftRule } from './drift.ts';
import { FaultRules, type FaultFixtures } from './faults.ts';
import { buildFleet, DEFAULT_TRAINED_LORAS, type AppName, type AppSpec, type FleetOptions } from './fleet/index.ts';
import { prng, Renderer } from './render.ts';
import { Slowdowns } from './slowdowns.ts';
import { AppRuntime, scaledMs } from './timing.ts';

export interface EmulatorOptions {
  /** Wall seconds per fleet second (default 1). 0.01 ⇒ a 425 s call takes 4.25 s. */
  timeScale?: number;
  /** Modal's per-request HTTP limit in fleet seconds (default 150). */
  httpLimitSec?: number;
  /** Idle fleet seconds before an app scales to zero (default 300). */
  scaledownWindowSec?: number;
  /** Pay cold starts (default true). */
  coldStart?: boolean;
  /**
   * One request executes at a time per container (default true: the fleet's handlers block their
   * event loop, see timing.ts); false runs `max_inputs` requests at once.
   */
  serialContainers?: boolean;
  /** Seed for "random" default seeds, so whole runs are reproducible. */
  seed?: number;
  /** Trained LoRA stems installed on every app (default: the genprobe-probe character LoRAs). */
  loras?: string[];
  /** Override which apps are deployed (default: the fleet's DEFAULT_DEPLOYED). */
  deployed?: Partial<Record<AppName, boolean>>;
  /** Face drawn by trained character LoRAs (default fixtures/faces/astronaut.png). */
  characterFace?: Buffer | null;
  /** Upper bound for cached rendered outputs in bytes (default 256 MB). */
  renderCacheBytes?: number;
  /** Deploy-drift faults in force from the start (route removed, app undeployed, field renamed; drift.ts). */
  drift?: DriftRule[];
}

/** The options with their defaults applied (what the state snapshot reports). */
export interface EmulatorSettings {
  timeScale: number;
  httpLimitSec: number;
  scaledownWindowSec: number;
  coldStart: boolean;
  serialContainers: boolean;
}

export interface EmulatorContext {
  settings: EmulatorSettings;
  /** Modal's HTTP limit in wall ms: after it, a call is answered 303 to its result URL. */
  limitMs: number;
  apps: Map<string, AppSpec>;
  runtimes: Map<string, AppRuntime>;
  fleetOptions: FleetOptions;
  fixtures: FaultFixtures;
  /** A default seed for routes whose seed is random: seeded by `seed` when given. */
  randomSeed(max: number): number;
  renderer: Renderer;
  faultRules: FaultRules;
  drift: DriftState;
  calls: CallStore;
  slowdowns: Slowdowns;
}

const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function settingsOf(opts: EmulatorOptions): EmulatorSettings {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  return {
    timeScale,
    httpLimitSec: opts.httpLimitSec ?? 150,
    scaledownWindowSec: opts.scaledownWindowSec ?? 300,
    coldStart: opts.coldStart ?? true,
    serialContainers: opts.serialContainers ?? true,
  };
}

function randomSeedSource(seed: number | undefined): (max: number) => number {
  const seeded = seed === undefined ? null : prng(seed);
  return (max) => (seeded ? Math.floor(seeded() * (max + 1)) : randomInt(0, Math.min(max, 2 ** 48 - 2) + 1));
}

export function createContext(opts: EmulatorOptions): EmulatorContext {
  const settings = settingsOf(opts);
  const { timeScale, scaledownWindowSec, coldStart, serialContainers } = settings;
  const fleet = buildFleet(opts.deployed);
  const limitMs = scaledMs(settings.httpLimitSec, timeScale);
  return {
    settings,
    limitMs,
    apps: new Map(fleet.map((a) => [a.name, a])),
    runtimes: new Map(fleet.map((a) => [a.name, new AppRuntime(a, { timeScale, scaledownWindowSec, coldStart, serial: serialContainers })])),
    fleetOptions: {
      loras: opts.loras ?? DEFAULT_TRAINED_LORAS,
      characterFace: opts.characterFace === undefined ? readFileSync(`${fixturesDir}faces/astronaut.png`) : opts.characterFace,
    },
    fixtures: {
      otherFace: readFileSync(`${fixturesDir}faces/grace_hopper.jpg`),
      faceless: readFileSync(`${fixturesDir}scenes/coffee.png`),
    },
    randomSeed: randomSeedSource(opts.seed),
    renderer: new Renderer(opts.renderCacheBytes),
    faultRules: new FaultRules(),
    drift: new DriftState(opts.drift),
    // Unretrieved results are kept for a while (Modal keeps them; clients may come back late).
    calls: new CallStore(Math.max(60_000, 10 * limitMs)),
    slowdowns: new Slowdowns(),
  };
}

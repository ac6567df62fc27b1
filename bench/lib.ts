/**
 * Shared pieces of the benchmarks: the result shape every benchmark returns, order statistics,
 * the machine description, and a fleet emulator started in its own process (so its rendering and
 * event loop do not share a thread with the genprobe code being measured).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulatorProcess } from '../src/emulator/process.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One benchmark's entry in bench/results.json. */
export interface BenchResult {
  /** What is measured, in one sentence. */
  measures: string;
  unit: string;
  /** The numbers (medians, percentiles, counts), named. */
  values: Record<string, unknown>;
  /** What the numbers are compared to (a reference clock, another tool, a solo run…). */
  comparedTo: string;
  /** The goal in words, or null when the benchmark only reports. */
  goal: string | null;
  /** Whether the goal is met (null when there is no goal). */
  met: boolean | null;
  /** Parameters that shape the numbers (N, time scale, sizes). */
  setup: Record<string, unknown>;
  notes: string[];
}

export interface BenchContext {
  /** Reduced counts for a smoke run. */
  quick: boolean;
  log: (msg: string) => void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

export const round = (x: number, dp = 1): number => Math.round(x * 10 ** dp) / 10 ** dp;

/** Nearest-rank quantile of an unsorted sample. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new Error('quantile of an empty sample');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty sample');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function summarize(xs: readonly number[], dp = 2): Summary {
  return { n: xs.length, median: round(median(xs), dp), p95: round(quantile(xs, 0.95), dp), min: round(Math.min(...xs), dp), max: round(Math.max(...xs), dp) };
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    // glibc's arena cap changes resident memory and, with several allocating threads, malloc's locking;
    // the runtime image sets it (deploy/Dockerfile), a bare `npm run bench` does not.
    mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? 'glibc default',
  };
}

export const loadAvg = (): number[] => os.loadavg().map((x) => round(x, 2));

/** A free loopback port (for tools that cannot be told to pick one, like blackbox_exporter). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface BenchEmulator {
  url: string;
  /** GET a control-API path (`/state`, `/calls/:id`) as JSON. */
  control<T>(p: string, method?: 'GET' | 'POST'): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The bundled fleet emulator in a child process (src/emulator/process.ts) with its control API.
 * `args` are src/emulator/main.ts flags; `--time-scale` among them is honoured.
 */
export async function startBenchEmulator(args: string[]): Promise<BenchEmulator> {
  const i = args.indexOf('--time-scale');
  const timeScale = i >= 0 ? Number(args[i + 1]) : 1;
  const rest = i >= 0 ? [...args.slice(0, i), ...args.slice(i + 2)] : args;
  const emu = await startEmulatorProcess({ timeScale, args: rest, startTimeoutMs: 30_000 });
  // An interrupted benchmark must not leave its emulator behind (run.ts turns signals into exit).
  const kill = () => {
    try {
      process.kill(emu.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', kill);
  return {
    url: emu.url,
    async control<T>(p: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
      const res = await fetch(`${emu.url}/__emulator${p}`, { method });
      if (!res.ok) throw new Error(`emulator control ${method} ${p}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    stop: async () => {
      process.off('exit', kill);
      await emu.close();
    },
  };
}

/** Run `fn` with a started emulator process, stopping it whatever happens. */
export async function withEmulatorProcess<T>(args: string[], fn: (emu: BenchEmulator) => Promise<T>): Promise<T> {
  const emu = await startBenchEmulator(args);
  try {
    return await fn(emu);
  } finally {
    await emu.stop();
  }
}

function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${cmd} exited ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`))));
  });
}

/**
 * Runs a bench child script (under tsx) in its own process and returns the JSON of its last stdout
 * line with its peak RSS as /usr/bin/time -v reports it ("Maximum resident set size (kbytes)").
 */
export async function measureChildPeakRss(script: string, args: string[]): Promise<{ child: Record<string, unknown>; maxRssKb: number }> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-v', process.execPath, '--import', import.meta.resolve('tsx'), path.join(ROOT, script), ...args]);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (!m) throw new Error(`/usr/bin/time -v printed no maximum RSS: ${stderr.slice(-500)}`);
  return { child: JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, maxRssKb: Number(m[1]) };
}

/**
 * Run `fn` with a fresh directory under the system temp dir (named `prefix` and a random tail) for
 * the inputs a benchmark generates, deleting it whatever happens: they are never kept or committed.
 */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Shared pieces of the probe-service tests: the real emulator, the real service behind the real
 * HTTP server, and small readers for the Prometheus text format and the emulator's control API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as netServer } from 'node:net';
import { createEmulator } from '../../src/emulator/index.ts';
import { parseConfig, type GenprobeConfigInput } from '../../src/config/index.ts';
import { createProbeService, type ProbeService } from '../../src/probes/service.ts';
import { createServer, listen } from '../../src/server/app.ts';
import { stopChild } from '../support/child-process.ts';

export const EMULATOR_TIME_SCALE = 0.01;

export async function startEmulator(timeScale = EMULATOR_TIME_SCALE) {
  const emulator = createEmulator({ timeScale, seed: 7 });
  const server = await emulator.listen(0);
  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/__emulator${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`emulator ${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  return { url: server.url, close: server.close, control };
}

export type LogLine = Record<string, unknown>;

export interface RunningService {
  service: ProbeService;
  url: string;
  logs: LogLine[];
  close(): Promise<void>;
}

/** The real service + HTTP server on an ephemeral loopback port, logging into an array. */
export async function startService(emulatorUrl: string, input: Omit<GenprobeConfigInput, 'target'> & { target?: GenprobeConfigInput['target'] } = {}, env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
  const config = parseConfig({
    ...input,
    target: { url: `${emulatorUrl}/{app}`, timeScale: EMULATOR_TIME_SCALE, overheadMs: 1500, ...(input.target ?? {}) },
    server: { host: '127.0.0.1', port: 0, ...(input.server ?? {}) },
  });
  const logs: LogLine[] = [];
  const service = await createProbeService({ config, log: (l) => void logs.push(l), env });
  const app = await createServer({ config, registry: service.metrics.registry, extraRegistries: [service.metrics.defaults], statusSource: service.status, env });
  const http = await listen(app, '127.0.0.1', 0);
  return {
    service,
    url: http.url,
    logs,
    close: async () => {
      await service.stop(true);
      await http.close();
    },
  };
}

export async function getText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Value of one sample in Prometheus text format, matching every given label; undefined if absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{ ]+)(\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      if (!a || typeof a === 'string') return reject(new Error('no port'));
      s.close(() => resolve(a.port));
    });
  });
}

/** A child process whose stdout JSON lines are collected. */
export interface Child {
  proc: ChildProcess;
  lines: LogLine[];
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function spawnChild(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let err = '';
  let buf = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ text: line });
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (err = (err + c).slice(-8000)));
  // 'exit' can come before the last of stdout has been read: wait for the pipe's end too (bounded,
  // as a grandchild holding the pipe open must not hang the test), so `lines` is complete.
  const stdoutClosed = new Promise<void>((r) => proc.stdout!.once('close', () => r()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => void Promise.race([stdoutClosed, new Promise((r) => setTimeout(r, 2000))]).then(() => resolve(code))),
  );
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    stop: () => stopChild(proc),
  };
}

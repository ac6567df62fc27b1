/**
 * A real, throwaway Debian `prometheus` for tests: listens on 127.0.0.1 on a free port, keeps its
 * TSDB in a temp directory, scrapes the given targets and optionally loads rule files. A missing
 * binary is an error, not a skip (the project's setup installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

export interface StartPrometheusOptions {
  /** `host:port` (scraped at /metrics over http) or full URLs such as `http://127.0.0.1:9464/metrics`. */
  scrapeTargets: string[];
  scrapeIntervalSec: number;
  /** Rule files to load; rules are evaluated every scrapeIntervalSec. */
  ruleFiles?: string[];
  /** Binary to run; defaults to `prometheus` on PATH. */
  binary?: string;
  /** How long to wait for /-/ready. */
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Stops the process (SIGTERM, then SIGKILL) and deletes its data directory. */
  stop(): Promise<void>;
}

export interface PromApiResponse<T = unknown> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('could not read the ephemeral port'));
      server.close(() => resolvePort(address.port));
    });
  });
}

interface ScrapeConfig {
  job_name: string;
  scheme: string;
  metrics_path: string;
  static_configs: { targets: string[] }[];
}

/** Groups targets by scheme and path, since a Prometheus scrape job has one of each. */
export function scrapeConfigs(targets: readonly string[]): ScrapeConfig[] {
  const jobs = new Map<string, ScrapeConfig>();
  for (const target of targets) {
    const url = new URL(target.includes('://') ? target : `http://${target}/metrics`);
    if (url.search || url.hash) throw new Error(`scrape target ${target}: query strings and fragments are not supported`);
    const scheme = url.protocol.replace(':', '');
    const key = `${scheme} ${url.pathname}`;
    const job = jobs.get(key) ?? {
      job_name: `genprobe-${jobs.size}`,
      scheme,
      metrics_path: url.pathname,
      static_configs: [{ targets: [] }],
    };
    job.static_configs[0].targets.push(url.host);
    jobs.set(key, job);
  }
  return [...jobs.values()];
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 10_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
}

/** Starts Prometheus and resolves once /-/ready answers 200. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  if (!(options.scrapeIntervalSec > 0)) throw new Error(`scrapeIntervalSec must be positive, got ${options.scrapeIntervalSec}`);
  const dir = await mkdtemp(join(tmpdir(), 'genprobe-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  const interval = `${options.scrapeIntervalSec}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: (options.ruleFiles ?? []).map((f) => resolve(f)),
    scrape_configs: scrapeConfigs(options.scrapeTargets),
  };
  await writeFile(configFile, stringify(config));

  // The port is free when picked but another process could take it before Prometheus binds it:
  // retry a few times on "address already in use".
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      const running = await launch(options, configFile, join(dir, `data-${attempt}`), port);
      return {
        url: running.url,
        stop: async () => {
          await stopChild(running.child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error as Error;
      if (!/address already in use/.test(lastError.message)) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError ?? new Error('prometheus did not start');
}

async function launch(
  options: StartPrometheusOptions,
  configFile: string,
  dataDir: string,
  port: number,
): Promise<{ url: string; child: ChildProcess }> {
  const binary = options.binary ?? 'prometheus';
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const spawnError = new Promise<Error>((done) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      done(
        e.code === 'ENOENT'
          ? new Error(`${binary} not found on PATH: install Debian's prometheus package (npm run setup)`)
          : new Error(`could not start ${binary}: ${e.message}`),
      ),
    );
    child.once('exit', (code, signal) => done(new Error(`${binary} exited (code ${code}, signal ${signal}) before it was ready:\n${stderr}`)));
  });

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  const ready = (async () => {
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
        await res.body?.cancel();
        if (res.status === 200) return true;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  })();

  const outcome = await Promise.race([ready, spawnError]);
  if (outcome === true) return { url, child };
  await stopChild(child);
  if (outcome instanceof Error) throw outcome;
  throw new Error(`${binary} on ${url} was not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${stderr}`);
}

/** GET an API path of a running Prometheus and return its JSON (also for status "error" answers). */
export async function prometheusApi<T = unknown>(baseUrl: string, path: string, params: Record<string, string | string[]>): Promise<PromApiResponse<T>> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  const res = await fetch(`${baseUrl}${path}?${search}`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  try {
    return JSON.parse(text) as PromApiResponse<T>;
  } catch {
    throw new Error(`${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
}

export interface InstantVectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through /api/v1/query. */
export function instantQuery(baseUrl: string, expr: string, time?: number): Promise<PromApiResponse<{ resultType: string; result: unknown[] }>> {
  return prometheusApi(baseUrl, '/api/v1/query', time === undefined ? { query: expr } : { query: expr, time: String(time) });
}

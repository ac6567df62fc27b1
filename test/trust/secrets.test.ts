/**
 * Secrets (issue 7 item 5): marker secrets are planted — the Modal proxy-auth pair, a jobs database
 * URL with a password (pointing at a closed port so every usage read fails), a bearer token for the
 * serve API — and the real CLI is run as users run it: `gate` (error paths forced by faults, every
 * report format, GITHUB_STEP_SUMMARY), `probe --once`, `serve` (scraped with and without auth) and
 * `usage`. Every byte they produce — stdout, stderr, report files, the step summary, /metrics,
 * /api/status, the status page, /healthz, 401 bodies — is searched for each marker, raw and
 * base64/URL-encoded.
 *
 * Absence alone proves nothing if the secrets were never used, so a recording proxy in front of
 * the emulator asserts that the Modal-Key/Modal-Secret headers really were sent with the markers'
 * values, and the serve API is shown to accept the planted bearer token and refuse its absence.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/genprobe.mjs');

const MODAL_KEY = 'wk-MARKERKEY1234567890abcdef';
const MODAL_SECRET = 'ws-MARKERSECRET0987654321fedcba';
const DB_PASSWORD = 'MARKERPASSWORD5550123';
const BEARER = 'MARKERBEARER-token-7e1f0c2b9a';

let closedPort: number;
let dbUrl: string;
let emu: { url: string; close(): Promise<void> };
let emuControl: (method: string, p: string, body?: unknown) => Promise<void>;
let proxy: { url: string; received: IncomingHttpHeaders[]; close(): Promise<void> };
let work: string;

/** Every output collected, by where it came from, for the final grep. */
const outputs: { source: string; text: string }[] = [];
const collect = (source: string, text: string) => outputs.push({ source, text });

function markerForms(): { name: string; value: string }[] {
  const raw = { MODAL_KEY, MODAL_SECRET, DB_PASSWORD, BEARER, DB_URL: dbUrl };
  const forms: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(raw)) {
    forms.push({ name, value });
    forms.push({ name: `${name} (base64)`, value: Buffer.from(value).toString('base64') });
    forms.push({ name: `${name} (base64url)`, value: Buffer.from(value).toString('base64url') });
    forms.push({ name: `${name} (URL-encoded)`, value: encodeURIComponent(value) });
  }
  // Basic-auth style pairs and the bare marker stems (a truncated secret is still a leak).
  forms.push({ name: 'MODAL_KEY:MODAL_SECRET (base64)', value: Buffer.from(`${MODAL_KEY}:${MODAL_SECRET}`).toString('base64') });
  for (const stem of ['MARKERKEY', 'MARKERSECRET', 'MARKERPASSWORD', 'MARKERBEARER']) forms.push({ name: `stem ${stem}`, value: stem });
  return forms;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A loopback proxy in front of the emulator that records every request's headers. */
async function startRecordingProxy(upstream: string): Promise<typeof proxy> {
  const target = new URL(upstream);
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    received.push({ ...req.headers });
    // Host is forwarded unchanged so the emulator's 303 Location points back at the proxy.
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MODAL_KEY, MODAL_SECRET, GENPROBE_DATABASE_URL: dbUrl, GP_BEARER: BEARER, NO_COLOR: '1', ...extra };
  delete env.GENPROBE_MODAL_KEY;
  delete env.GENPROBE_MODAL_SECRET;
  delete env.GITHUB_STEP_SUMMARY;
  return { ...env, ...extra };
}

/** Spawn the CLI, collect stdout/stderr (both kept for the grep), resolve on exit. */
function runCli(label: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 150_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not exit within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      collect(`${label} stdout`, stdout);
      collect(`${label} stderr`, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'genprobe-secrets-'));
  closedPort = await freePort();
  dbUrl = `postgres://genprobe:${DB_PASSWORD}@127.0.0.1:${closedPort}/jobs`;
  emu = await createEmulator({ timeScale: 0.01 }).listen(0);
  emuControl = async (method, p, body) => {
    const res = await fetch(`${emu.url}/__emulator${p}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`emulator ${method} ${p}: ${res.status}`);
  };
  proxy = await startRecordingProxy(emu.url);
  // The working directory has no genprobe.config.*; the serve test writes its own.
  writeFileSync(path.join(work, 'waivers.yaml'), readFileSync(path.join(ROOT, 'waivers.yaml')));
});

afterAll(async () => {
  await proxy?.close();
  await emu?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('marker secrets never leave genprobe', () => {
  it('gate --emulator with a fault: stdout, stderr, JSON/JUnit/Markdown reports and the step summary', async () => {
    const summary = path.join(work, 'step-summary.md');
    const files = ['json', 'junit', 'md'].map((f) => path.join(work, `gate-emulator.${f === 'junit' ? 'xml' : f}`));
    const run = await runCli(
      'gate --emulator',
      ['gate', '--emulator', '--fault', 'app-5xx', '--only', 'flux,wan2.6', '--no-face', '--report', `json=${files[0]},junit=${files[1]},md=${files[2]}`],
      baseEnv({ GITHUB_STEP_SUMMARY: summary }),
    );
    expect(run.code, run.stderr).toBe(1); // the fault fails the contract: the error paths ran
    for (const f of [...files, summary]) {
      expect(existsSync(f), f).toBe(true);
      collect(`gate --emulator ${path.basename(f)}`, readFileSync(f, 'utf8'));
    }
    expect(readFileSync(files[0], 'utf8')).toMatch(/ComfyUI server is not healthy/);
  });

  it('gate through a recording proxy: Modal-Key/Modal-Secret were sent, and appear in no output', async () => {
    await emuControl('POST', '/reset', {});
    await emuControl('POST', '/faults', { match: { app: 'ryla-flux' }, fault: 'app-5xx' });
    await emuControl('POST', '/faults', { match: { app: 'ryla-wan26' }, fault: 'invalid-gzip' });
    const before = proxy.received.length;
    const summary = path.join(work, 'step-summary-proxy.md');
    const files = ['json', 'junit', 'md'].map((f) => path.join(work, `gate-proxy.${f === 'junit' ? 'xml' : f}`));
    const run = await runCli(
      'gate --target',
      ['gate', '--target', `${proxy.url}/{app}`, '--only', 'flux,wan2.6', '--no-face', '--report', `json=${files[0]},junit=${files[1]},md=${files[2]}`],
      baseEnv({ GITHUB_STEP_SUMMARY: summary }),
    );
    await emuControl('DELETE', '/faults');
    expect(run.code, run.stderr).toBe(1);
    for (const f of [...files, summary]) collect(`gate --target ${path.basename(f)}`, readFileSync(f, 'utf8'));
    const got = proxy.received.slice(before);
    expect(got.length).toBeGreaterThan(2);
    for (const h of got) {
      expect(h['modal-key'], `request headers ${Object.keys(h).join(', ')}`).toBe(MODAL_KEY);
      expect(h['modal-secret']).toBe(MODAL_SECRET);
    }
  });

  it('probe --once: stdout JSON lines and stderr', async () => {
    await emuControl('POST', '/faults', { match: { app: 'ryla-flux', path: '/flux' }, fault: 'modal-5xx' });
    const before = proxy.received.length;
    const run = await runCli('probe --once', ['probe', '--once', '--target', `${proxy.url}/{app}`, '--only', 'flux,loras', '--kind', 'smoke', '--no-face'], baseEnv());
    await emuControl('DELETE', '/faults');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/"event":"summary"/);
    const got = proxy.received.slice(before);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((h) => h['modal-key'] === MODAL_KEY && h['modal-secret'] === MODAL_SECRET)).toBe(true);
  });

  it('serve with auth and a failing usage database: /metrics, /api/status, /, /healthz, 401s, logs', async () => {
    const configFile = path.join(work, 'serve.config.mjs');
    writeFileSync(
      configFile,
      `export default ${JSON.stringify({
        target: { url: `${proxy.url}/{app}`, timeScale: 0.01, overheadMs: 5000 },
        server: { host: '127.0.0.1', port: 0, auth: { bearerTokenEnv: 'GP_BEARER' } },
        probes: { schedules: [{ match: 'flux', cron: '* * * * * *', kind: 'smoke' }, { match: 'loras', cron: '* * * * * *', kind: 'health' }] },
        usage: { databaseUrlEnv: 'GENPROBE_DATABASE_URL', intervalSec: 1, statementTimeoutMs: 1000 },
      })};\n`,
    );
    await emuControl('POST', '/faults', { match: { app: 'ryla-flux' }, fault: 'app-5xx', times: 2 });
    const before = proxy.received.length;
    const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--no-face'], { cwd: work, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await waitFor('serve to listen', async () => /"event":"listening","url":"([^"]+)"/.exec(stdout)?.[1], 60_000);
      const auth = { authorization: `Bearer ${BEARER}` };
      const get = async (p: string, headers: Record<string, string> = {}) => {
        const res = await fetch(`${url}${p}`, { headers, signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        collect(`serve GET ${p}${headers.authorization ? ' (auth)' : ''} → ${res.status}`, `${JSON.stringify([...res.headers])}\n${text}`);
        return { status: res.status, text };
      };
      // Wait until a failed probe (the fault) and a failed usage read have both happened.
      const status = await waitFor(
        'a failed probe and a failed usage read in /api/status',
        async () => {
          const s = JSON.parse((await get('/api/status', auth)).text);
          const flux = s.endpoints.find((e: { endpoint: string }) => e.endpoint === 'flux');
          const usageFailed = s.usage && s.usage.up === false;
          return flux?.lastProbe?.result === 'fail' && usageFailed && s;
        },
        90_000,
      );
      expect(status.usage.up).toBe(false);
      expect((await get('/metrics', auth)).status).toBe(200);
      expect((await get('/metrics')).status).toBe(401);
      expect((await get('/api/status')).status).toBe(401);
      expect((await get('/api/status', { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await get('/healthz')).status).toBe(200);
      await get('/healthz', auth);
      const page = await get('/', auth);
      expect([200, 404]).toContain(page.status);
      await get('/');
    } finally {
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
      if (code === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
      await emuControl('DELETE', '/faults');
      collect('serve stdout', stdout);
      collect('serve stderr', stderr);
    }
    expect(stdout).toMatch(/"event":"probe"/);
    const got = proxy.received.slice(before);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((h) => h['modal-key'] === MODAL_KEY && h['modal-secret'] === MODAL_SECRET)).toBe(true);
  });

  it('usage against an unreachable database: the error says what failed, without the URL', async () => {
    const run = await runCli('usage', ['usage'], baseEnv());
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/ECONNREFUSED|connect|refused|database/i);
  });

  it('no output contains any marker, raw or encoded', () => {
    const sources = new Set(outputs.map((o) => o.source.split(' ')[0]));
    for (const cmd of ['gate', 'probe', 'serve', 'usage']) expect(sources.has(cmd), `outputs from ${cmd}`).toBe(true);
    // The grep itself can fail: an encoded marker in a synthetic output is found.
    expect(leaksIn('self-check', `token=${Buffer.from(MODAL_SECRET).toString('base64')};`).length).toBeGreaterThan(0);
    const leaks = outputs.flatMap(({ source, text }) => leaksIn(source, text));
    expect(leaks, leaks.join('\n')).toEqual([]);
    expect(outputs.reduce((n, o) => n + o.text.length, 0)).toBeGreaterThan(10_000);
  });
});

function leaksIn(source: string, text: string): string[] {
  const leaks: string[] = [];
  for (const m of markerForms()) {
    const at = text.indexOf(m.value);
    if (at >= 0) leaks.push(`${m.name} in ${source}: …${text.slice(Math.max(0, at - 80), at + m.value.length + 40)}…`);
  }
  return leaks;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

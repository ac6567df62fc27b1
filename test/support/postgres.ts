/**
 * A real, throwaway PostgreSQL for tests: Debian's postgresql 15 server binaries (installed by
 * scripts/setup-system.sh), a fresh data directory in a temp dir, TCP on 127.0.0.1 only, a free
 * port, fsync off. initdb/pg_ctl refuse to run as root, so when the test runs as root they run as
 * the `postgres` system user through runuser. A missing server is a loud failure, never a skip.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PG_BIN_DIR = process.env.GENPROBE_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SYSTEM_USER = 'postgres';

export interface TestPostgres {
  /** Superuser URL with a random password (tests use it to grep for leaks). */
  readonly connectionString: string;
  readonly password: string;
  readonly port: number;
  readonly dataDir: string;
  /** URL of another database in the same cluster. */
  connectionStringFor(database: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server (if running) and removes the temp directory. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port from listen(0)'));
      srv.close(() => resolve(addr.port));
    });
  });
}

async function systemUserIds(): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await execFileAsync('id', ['-u', SYSTEM_USER]);
  const { stdout: gid } = await execFileAsync('id', ['-g', SYSTEM_USER]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary, as `postgres` when we are root; failures carry the command's stderr. */
async function runPg(binary: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const path = join(PG_BIN_DIR, binary);
  const [cmd, argv] = runningAsRoot ? ['runuser', ['-u', SYSTEM_USER, '--', path, ...args]] : [path, args];
  try {
    const { stdout } = await execFileAsync(cmd, argv, { timeout: timeoutMs, cwd: tmpdir() });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${binary} ${args[0] ?? ''} failed: ${e.message}\nstderr: ${e.stderr ?? ''}\nstdout: ${e.stdout ?? ''}`);
  }
}

export async function startTestPostgres(opts: { database?: string } = {}): Promise<TestPostgres> {
  for (const bin of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(PG_BIN_DIR, bin))) {
      throw new Error(
        `PostgreSQL server binary ${join(PG_BIN_DIR, bin)} is missing: run \`npm run setup\` (scripts/setup-system.sh installs Debian's postgresql)`,
      );
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'genprobe-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const pwFile = join(dir, 'pw');
  // Hex keeps the URL free of characters that need escaping; '-x-' makes it easy to grep for.
  const password = `pw-x-${randomBytes(12).toString('hex')}`;
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (runningAsRoot) {
    const { uid, gid } = await systemUserIds();
    await chown(dir, uid, gid);
    await chown(pwFile, uid, gid);
  }
  await chmod(dir, 0o700);

  await runPg('initdb', [
    '-D', dataDir, '-U', 'postgres', `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=trust',
    '-E', 'UTF8', '--locale=C', '--no-sync',
  ]);
  await rm(pwFile, { force: true });

  let port = 0;
  let running = false;
  const serverOptions = () =>
    [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${port}`,
      `-c unix_socket_directories=${dir}`,
      `-c fsync=off`,
      `-c synchronous_commit=off`,
      `-c full_page_writes=off`,
      `-c timezone=UTC`,
      `-c max_connections=40`,
      `-c shared_buffers=16MB`,
    ].join(' ');

  async function serverLog(): Promise<string> {
    return readFile(logFile, 'utf8').catch(() => '');
  }

  async function start(): Promise<void> {
    if (running) return;
    const fixedPort = port !== 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!fixedPort) port = await freePort();
      try {
        await runPg('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions()]);
        running = true;
        return;
      } catch (err) {
        // Another process may have taken the probed port between close() and postgres' bind().
        if (fixedPort || attempt === 2) {
          throw new Error(`${(err as Error).message}\nserver log:\n${(await serverLog()).slice(-4000)}`);
        }
      }
    }
  }

  async function stop(): Promise<void> {
    if (!running) return;
    await runPg('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
    running = false;
  }

  await start();
  if (opts.database !== undefined) {
    await runPg('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE "${opts.database}"`]);
  }

  const url = (database: string) => `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    get connectionString() {
      return url(opts.database ?? 'postgres');
    },
    password,
    get port() {
      return port;
    },
    dataDir,
    connectionStringFor: url,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async destroy() {
      try {
        await stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The bundled emulator in a child process. The fault matrix runs hundreds of gates whose checks
 * (face model inference, pixel statistics) keep the main thread busy; an emulator sharing that
 * event loop answers late, and the late answers look like timeouts. In its own process it serves
 * like the real fleet would, on the other core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const EMULATOR_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export interface EmulatorProcess {
  url: string;
  pid: number;
  close(): Promise<void>;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `src/emulator/main.ts` on an ephemeral loopback port; rejects if it is not up in `startTimeoutMs`. */
export function startEmulatorProcess(opts: { timeScale: number; startTimeoutMs?: number; /** more src/emulator/main.ts flags */ args?: string[] }): Promise<EmulatorProcess> {
  // tsx resolved from here, not from the caller's cwd (genprobe may run anywhere).
  const child = spawn(process.execPath, ['--import', TSX_LOADER, EMULATOR_MAIN, '--port', '0', '--host', '127.0.0.1', '--time-scale', String(opts.timeScale), ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GENPROBE_EMULATOR_CHILD: '1' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop(child).then(() => reject(new Error(`emulator process: ${why}${err.trim() ? `\n${err.trim().slice(-2000)}` : ''}`)));
    };
    const timer = setTimeout(() => fail(`not listening after ${opts.startTimeoutMs ?? 60_000} ms`), opts.startTimeoutMs ?? 60_000);
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-8000)));
    child.on('error', (e) => fail(e.message));
    child.on('exit', (code, signal) => fail(`exited (${signal ?? code}) before listening`));
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      const m = LISTENING.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // keep draining so the child never blocks on a full pipe
      resolve({ url: m[1], pid: child.pid!, close: () => stop(child) });
    };
    child.stdout!.on('data', onData);
  });
}

/**
 * Stopping a child process a test started (the CLI, the emulator, the service): politely first, so it
 * can flush and close its servers, then for certain, so a hung child cannot outlive the test run.
 */
import type { ChildProcess } from 'node:child_process';

/** SIGTERM, then SIGKILL if `child` has not exited within `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Attached in the same tick as the check above: Node sets exitCode and emits 'exit' together.
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

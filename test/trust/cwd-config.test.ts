/**
 * A config and waivers picked up from the working directory are announced (issue 13.9): on an
 * untrusted checkout a `genprobe.config.*` is code genprobe runs and a `waivers.yaml` silences
 * findings, so neither may apply without the run saying so.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { genprobe } from '../gate/helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/genprobe.mjs');
const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'genprobe-cwd-')));
writeFileSync(path.join(dir, 'genprobe.config.mjs'), 'export default { gate: { negativeCases: false } };\n');
writeFileSync(path.join(dir, 'waivers.yaml'), 'waivers: []\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files taken from the working directory are announced', () => {
  it('gate prints the config file and the waivers file it applies', async () => {
    const r = await genprobe(['gate', '--emulator', '--only', 'flux', '--no-face', '--time-scale', '0.002'], { cwd: dir, timeoutMs: 120_000 });
    expect(r.stdout).toContain(`config: ${path.join(dir, 'genprobe.config.mjs')}`);
    expect(r.stdout).toContain(`waivers: ${path.join(dir, 'waivers.yaml')}`);
  }, 130_000);

  it('serve logs them before listening', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--emulator', '--port', '0', '--no-face', '--time-scale', '0.002'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not listen:\n${out}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('"event":"listening"')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`serve exited:\n${out}`)));
      });
    } finally {
      child.kill('SIGTERM');
    }
    const event = out.split('\n').map((l) => (l.startsWith('{') ? JSON.parse(l) : null)).find((e) => e?.event === 'config');
    expect(event).toMatchObject({ file: path.join(dir, 'genprobe.config.mjs'), waivers: path.join(dir, 'waivers.yaml') });
  }, 70_000);
});

/**
 * Runs the Playwright browser suite (test/browser, see playwright.config.ts) from vitest, so
 * `npm test` covers it and its summary stays the last line CI prints. The suite's own output is
 * shown when it fails.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function runPlaywright(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['playwright', 'test'], { cwd: ROOT, env: { ...process.env, CI: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('status page in Chromium (Playwright)', () => {
  it('passes every browser test', { timeout: 600_000 }, async () => {
    const { code, output } = await runPlaywright();
    if (code !== 0) console.error(output);
    expect(code, `npx playwright test exited ${code}:\n${output.slice(-20_000)}`).toBe(0);
    expect(output).toMatch(/\d+ passed/);
    expect(output).not.toMatch(/\d+ (failed|flaky|skipped)/);
  });
});

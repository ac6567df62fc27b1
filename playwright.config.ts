/**
 * Browser tests of the status page (test/browser) on Debian's Chromium. No browser is downloaded:
 * `npx playwright install` is never needed (and fails offline); /usr/bin/chromium comes from the
 * project's system setup (scripts/setup-system.sh). vitest runs this suite via test/browser.test.ts.
 */
import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env.GENPROBE_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/browser',
  outputDir: 'test-results/playwright',
  // The spec starts the emulator and `genprobe serve` itself and waits for real probes: one worker.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 240_000,
  expect: { timeout: 60_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});

import { defineConfig } from 'vitest/config';

const shared = {
  testTimeout: 60_000,
  hookTimeout: 300_000,
};

export default defineConfig({
  test: {
    // Two cores on CI: keep parallelism modest so timing-sensitive emulator tests are not starved.
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'dashboards/**/*.test.ts', 'probes/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/browser/**'],
        },
      },
      {
        test: {
          ...shared,
          name: 'suites',
          include: ['suites/**/*.test.ts'],
          globalSetup: ['suites/support/global-setup.ts'],
        },
      },
    ],
  },
});

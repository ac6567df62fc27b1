import { defineConfig } from 'vitest/config';
import { runtimeEnv } from './test/support/runtime-image.ts';

const shared = {
  testTimeout: 60_000,
  hookTimeout: 300_000,
  // Test processes start with the allocator setting the runtime image ships (deploy/Dockerfile says
  // why); glibc reads it only at process start, so it is set here, where vitest spawns its forks.
  env: { MALLOC_ARENA_MAX: runtimeEnv().MALLOC_ARENA_MAX ?? '' },
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

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/vitest-global-setup.ts'],
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // qemu boots are CPU-heavy; two cores cannot run many at once.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});

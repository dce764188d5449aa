import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests bind real sockets and share one Redis: a few files at a time keeps 2 cores honest.
    maxWorkers: 2,
  },
});

// Benchmarks that need the TypeScript test helpers run under vitest, outside `npm test`:
//   npx vitest run --config test/bench/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/bench/**/*.bench.test.ts'], testTimeout: 600_000, maxWorkers: 1 },
});

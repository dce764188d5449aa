// `npm run test:unit`: the tests that need no Redis, PostgreSQL, chromium or built binary, for a quick
// loop while contributing. CI runs the whole suite (vitest.config.ts).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts', 'test/contract/memory.test.ts', 'test/fuzz/**/*.test.ts'],
    // test/fuzz/reference-server.test.ts fuzzes the reference server on the shared Redis too.
    exclude: ['test/fuzz/reference-server.test.ts', 'node_modules/**'],
  },
});

import { defineConfig } from 'vitest/config';

/** `npm run test:e2e`: real nginx, Prometheus and a FastAPI backend around the built sidecar. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

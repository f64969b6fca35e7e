import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: faults, load that must lose nothing, and security probes, against
 * real sockets and the built sidecar as its own process. One file at a time: several of them put
 * the two CI cores under full load on purpose.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

import { defineConfig } from 'rolldown';

/**
 * The program the container runs: dist/src compiled by tsc, bundled into dist/bundle. One
 * module instead of ~1,000 keeps ~8 MB of resident memory that Node's module loader would
 * otherwise touch, and tree-shaking keeps only the parts of the Sentry SDK the sidecar calls
 * (docs/PERFORMANCE.md). The Sentry part stays its own chunk, loaded only when SENTRY_DSN is set.
 */
const output = {
  dir: 'dist/bundle',
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: '[name].js',
};

export default defineConfig([
  {
    input: { main: 'dist/src/main.js' },
    platform: 'node',
    // Loaded only when Sentry is reached through an HTTP proxy; it stays a package in node_modules.
    external: ['@sentry/node'],
    output,
  },
  {
    // The OpenAPI parser, a program of its own that main.js runs as a child process
    // (src/routes/openapi/parse-in-child.ts). Built apart so that it shares no chunk with
    // main.js: each loads only its own code.
    input: { 'openapi-parser': 'dist/src/routes/openapi/openapi-parser.js' },
    platform: 'node',
    output,
  },
]);

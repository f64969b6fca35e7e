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
  // OpenAPI discovery runs beside main.js: a worker thread (src/routes/openapi/look-in-worker.ts)
  // that starts a parser process (parse-in-child.ts). Each is built apart, so that no chunk is
  // shared and each loads only its own code (the YAML parser only in the parser).
  {
    input: { 'openapi-discovery': 'dist/src/routes/openapi/openapi-discovery.js' },
    platform: 'node',
    output,
  },
  {
    input: { 'openapi-parser': 'dist/src/routes/openapi/openapi-parser.js' },
    platform: 'node',
    output,
  },
]);

import { RouteWindows } from '../src/status/route-windows.js';

/**
 * `npm run bench:status`: what the status page's windows cost per proxied request, in ns per
 * request: `started()` and `ended()` (the in-flight count of a declared route) and `record()`
 * (the finished request), over 200 routes and four methods with
 * an error in every twentieth request, and the time `figures()` takes for them (each
 * /status.json). Results in docs/PERFORMANCE.md. Options (environment): BENCH_STATUS_RECORDS.
 */
const RECORDS = Number(process.env.BENCH_STATUS_RECORDS ?? 2_000_000);
const routes = Array.from({ length: 200 }, (_, i) => `/api/v1/res${i}/{id}`);
const methods = ['GET', 'POST', 'PUT', 'DELETE'];

const windows = new RouteWindows();
let best = Number.POSITIVE_INFINITY;
for (let run = 0; run < 6; run++) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < RECORDS; i++) {
    windows.started(methods[i & 3]!, routes[i % 200]!);
    windows.ended(methods[i & 3]!, routes[i % 200]!);
    windows.record(methods[i & 3]!, routes[i % 200]!, 0.001 + (i % 97) / 1000, i % 20 === 0 ? '503' : '');
  }
  const ns = Number(process.hrtime.bigint() - started) / RECORDS;
  if (run > 0) best = Math.min(best, ns); // the first run warms the JIT
}
const started = performance.now();
const figures = windows.figures();
const figuresMs = performance.now() - started;
console.log(
  `RouteWindows, ${RECORDS.toLocaleString('en')} records per run, best of 5 (Node ${process.version}): ` +
    `${best.toFixed(0)} ns per request; figures() for ${figures.length} route and method pairs: ${figuresMs.toFixed(1)} ms`,
);

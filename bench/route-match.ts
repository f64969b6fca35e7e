import { RouteLabeler } from '../src/routes/index.js';
import { routeTemplates } from './route-templates.js';

/**
 * `npm run bench:routes`: CPU per request of route labelling, in ns per lookup (template() at
 * request start plus label() once the status is known), with 0, 100 and 1,000 document
 * templates, for cached targets (the same 1,000 paths again and again) and uncached ones (a new
 * id in every path, as a backend's real traffic has). Also the time setDocumentTemplates takes.
 * Results in docs/PERFORMANCE.md. Options (environment): BENCH_ROUTE_LOOKUPS (200000).
 */

const LOOKUPS = Number(process.env.BENCH_ROUTE_LOOKUPS ?? 200_000);
/** A request path for template `i` of a document of `count` (or the same shapes, undocumented). */
function target(i: number, id: number, count: number): string {
  const resource = `res${Math.floor((i % Math.max(count, 100)) / 5)}`;
  switch (i % 5) {
    case 0:
      return `/api/v1/${resource}?page=${id % 7}`;
    case 1:
      return `/api/v1/${resource}/${id}`;
    case 2:
      return `/api/v1/${resource}/${id}/history`;
    case 3:
      return `/api/v1/${resource}/${id}/export.csv`;
    default:
      return `/api/v1/${resource}/search`;
  }
}

function labeler(count: number): { routes: RouteLabeler; buildMs: number } {
  const routes = new RouteLabeler({
    patterns: [],
    maxRoutes: 1_000,
    idleEvictMs: 600_000,
    onEvict: () => {},
    onOverflow: () => {},
  });
  const started = performance.now();
  if (count > 0) routes.setDocumentTemplates(routeTemplates(count));
  return { routes, buildMs: performance.now() - started };
}

/** Best of five runs of LOOKUPS lookups, in ns per lookup. */
function measure(routes: RouteLabeler, path: (n: number) => string): number {
  let best = Number.POSITIVE_INFINITY;
  let n = 0;
  for (let run = 0; run < 6; run++) {
    const paths = Array.from({ length: LOOKUPS }, () => path(n++));
    const started = process.hrtime.bigint();
    for (const p of paths) routes.label(routes.template(p), 200);
    const ns = Number(process.hrtime.bigint() - started) / LOOKUPS;
    if (run > 0) best = Math.min(best, ns); // the first run warms the JIT and the caches
  }
  return best;
}

const rows: string[] = [];
for (const count of [0, 100, 1_000]) {
  const { routes, buildMs } = labeler(count);
  const cached = measure(routes, (n) => target(n % 1_000, n % 1_000, count));
  const uncached = measure(routes, (n) => target(n % 1_000, 1_000_000 + n, count));
  rows.push(
    `| ${count.toLocaleString('en')} | ${buildMs.toFixed(1)} | ${cached.toFixed(0)} | ${uncached.toFixed(0)} |`,
  );
}
const big = labeler(5_000);
console.log(
  `Route labelling, ${LOOKUPS.toLocaleString('en')} lookups per run, best of 5 (Node ${process.version})`,
);
console.log(
  '| document templates | setDocumentTemplates ms | ns per lookup, cached | ns per lookup, uncached |',
);
console.log('| ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
console.log(`setDocumentTemplates with 5,000 templates: ${big.buildMs.toFixed(0)} ms`);

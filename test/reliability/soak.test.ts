import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildSidecar, memoryOf } from '../helpers/child-sidecar.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { inspectorUrl, liveHeapBytes } from './support/inspector.js';
import { runLoad, summary } from './support/load.js';
import {
  type BackendProcess,
  productionNodeOptions,
  spawnProductionSidecar,
  startBackendProcess,
} from './support/processes.js';

/**
 * A soak over 100,000 distinct paths. CI runs RELIABILITY_SOAK_REQUESTS (default 200,000); the
 * figures in docs/PERFORMANCE.md come from a run with 1,000,000. Every path is a distinct literal
 * route shape (letters only, so templating keeps it), the worst case for the route budget: the
 * series count must stay within MAX_ROUTES, the live heap must stop growing after warm-up, and
 * resident memory must stay inside the container limit. The sidecar runs with the Docker image's
 * Node.js flags; its resident memory rises until V8's first full collections of a heap with a 4 MB
 * young generation, then stays flat (docs/PERFORMANCE.md has both curves).
 */

const TOTAL = Number(process.env.RELIABILITY_SOAK_REQUESTS ?? 200_000);
const DISTINCT = 100_000;
const CONCURRENCY = 64;
const MAX_ROUTES = 200;
const CHECKPOINTS = 10;
const MiB = 1024 * 1024;

/** i → a letters-only slug, distinct for every i below DISTINCT. */
function slug(i: number): string {
  let s = '';
  let n = i % DISTINCT;
  do {
    s += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return `page${s}`;
}

/** Request i goes to path i mod 100,000: one pass over every distinct path per 100,000 requests. */
function path(i: number): string {
  const j = i % DISTINCT;
  const kind = j % 10;
  // Distinct shapes the backend answers 200: each would be a route of its own without the budget.
  if (kind < 6) return `/api/catalog/${slug(j)}`;
  // Distinct shapes the backend answers 404: scanners and typos.
  if (kind < 8) return `/${slug(j)}/missing`;
  // Values in the path, templated to {id} (the backend answers 404 above id 1000).
  return `/api/users/${j}`;
}

describe(`soak: ${TOTAL} requests over ${DISTINCT} distinct paths`, () => {
  let backend: BackendProcess;
  let sidecar: ChildSidecar;

  beforeAll(async () => {
    backend = await startBackendProcess();
    sidecar = await spawnProductionSidecar({
      UPSTREAM_URL: backend.url,
      MAX_ROUTES: String(MAX_ROUTES),
      // The inspector, only to force a full garbage collection before measuring the live heap.
      NODE_OPTIONS: `${productionNodeOptions()} --inspect=127.0.0.1:0`,
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
  });

  it(
    'keeps the series count within the route budget and memory flat after warm-up',
    async () => {
      const pid = sidecar.child.pid!;
      const inspector = inspectorUrl(sidecar.output());
      // Resident memory as it comes (what the container's limit sees), and the live heap after a
      // full collection (what a leak would grow), at the start and after each tenth of the run.
      const rss: number[] = [memoryOf(pid).rss];
      const live: number[] = [await liveHeapBytes(inspector)];
      const statuses = new Map<number, number>();
      const per = Math.ceil(TOTAL / CHECKPOINTS);
      let elapsedMs = 0;
      for (let c = 0; c < CHECKPOINTS; c++) {
        const offset = c * per;
        const tally = await runLoad(sidecar.proxyUrl, {
          total: Math.min(per, TOTAL - offset),
          concurrency: CONCURRENCY,
          spec: (i) => ({ path: path(offset + i) }),
        });
        expect(tally.errors.size).toBe(0);
        for (const [status, n] of tally.byStatus) statuses.set(status, (statuses.get(status) ?? 0) + n);
        elapsedMs += tally.elapsedMs;
        rss.push(memoryOf(pid).rss);
        live.push(await liveHeapBytes(inspector));
        if (c === 0) console.log(`soak, first tenth: ${summary(tally)}`);
      }
      const mib = (values: number[]) => values.map((b) => (b / MiB).toFixed(1)).join(' ');
      const peak = memoryOf(pid).peak;
      console.log(
        `soak: ${TOTAL} requests in ${(elapsedMs / 1000).toFixed(1)} s (${((TOTAL / elapsedMs) * 1000).toFixed(0)}/s); ` +
          `at the start and after each tenth, RSS MiB: ${mib(rss)}; live heap after a full GC, MiB: ${mib(live)}; ` +
          `peak RSS ${(peak / MiB).toFixed(1)} MiB`,
      );

      const samples = await scrape(sidecar.adminUrl);
      const series = samples.filter((s) => s.name === 'http_server_request_duration_seconds_count');
      const routes = new Set(series.map((s) => s.labels.http_route));
      console.log(
        `soak: ${series.length} request-duration series, ${routes.size} http_route values, ` +
          `${valueOf(samples, 'sidecar_route_overflow_total')} requests recorded as __overflow__`,
      );
      // Reserved labels (__overflow__, __not_found__, __unconfirmed__) come on top of the budget.
      expect(routes.size).toBeLessThanOrEqual(MAX_ROUTES + 3);
      expect(valueOf(samples, 'sidecar_routes')).toBeLessThanOrEqual(MAX_ROUTES);
      // 60,000 distinct catalog slugs answered 200 fold into one learned label.
      expect(routes.has('/api/catalog/{param}')).toBe(true);
      expect(routes.has('__not_found__')).toBe(true);
      // Each request recorded as __overflow__ (if any) is counted once as an overflow.
      expect(valueOf(samples, 'sidecar_route_overflow_total')).toBe(
        valueOf(samples, 'http_server_request_duration_seconds_count', { http_route: '__overflow__' }) || 0,
      );

      const recorded: Record<string, number> = {};
      for (const s of series) {
        const status = s.labels.http_response_status_code!;
        recorded[status] = (recorded[status] ?? 0) + s.value;
      }
      expect(recorded).toEqual(Object.fromEntries([...statuses].map(([status, n]) => [String(status), n])));

      // Flat after warm-up (one pass over the distinct paths): the live heap grows by less than
      // 2 MiB over the rest of the run, whatever its length (a leak of 20 bytes per request would
      // add 2 MiB per 100,000 requests).
      const warm = Math.ceil(DISTINCT / per);
      console.log(
        `soak: live heap after warm-up ${(live[warm]! / MiB).toFixed(1)} MiB, at the end ${(live.at(-1)! / MiB).toFixed(1)} MiB`,
      );
      expect((live.at(-1)! - live[warm]!) / MiB).toBeLessThan(2);
      // And the process stays well inside the 256 MiB limit of deploy/kubernetes/deployment.yaml.
      expect(peak / MiB).toBeLessThan(256);
    },
    60_000 + TOTAL, // about 5,000 requests a second on two cores: a generous millisecond per request
  );
});

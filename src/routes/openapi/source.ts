import type { Registry } from 'prom-client';
import type { OpenApiConfig } from '../../config/openapi.js';
import type { Logger } from '../../log/logger.js';
import { LoadLog } from './load-log.js';
import type { GoodDocument, Known, Look, LookRequest } from './look.js';
import { placeLook } from './look-here.js';
import type { LookJob } from './look-job.js';
import { OpenApiMetrics } from './metrics.js';

export interface OpenApiSource {
  /** Looks for the document now, then every OPENAPI_REFRESH_S; never waits for it. */
  start(): void;
  /** Stops the timer and ends a look under way (its fetch and parse). */
  stop(): Promise<void>;
}

export interface OpenApiSourceDeps {
  readonly config: OpenApiConfig;
  /** UPSTREAM_URL: document paths are requested under it. */
  readonly upstream: URL;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Shared by the sources of several documents (OPENAPI_URL naming more than one). */
  readonly metrics?: OpenApiMetrics;
  /**
   * Called with the `paths` keys of each new good document, verbatim, deduplicated, in document
   * order, and the document's own path prefix (`servers[0].url`'s path or `basePath`).
   */
  onTemplates(
    templates: readonly string[],
    info: { readonly source: string; readonly serverPrefix: string },
  ): void;
}

/** Backoff while the backend is unreachable or has no document: 1 s, doubling, at most a minute. */
export const RETRY = Object.freeze({ firstMs: 1_000, maxMs: 60_000 });
/** Beyond the fetch and parse time limits, for starting the worker and the parser. */
const LOOK_SLACK_MS = 10_000;

/** A path on the backend, requested as a client of the proxy would: under UPSTREAM_URL's base path. */
export function onUpstream(upstream: URL, target: string): URL {
  const query = target.indexOf('?');
  const url = new URL(upstream.href);
  url.pathname = upstream.pathname.replace(/\/+$/, '') + (query < 0 ? target : target.slice(0, query));
  url.search = query < 0 ? '' : target.slice(query);
  url.hash = '';
  return url;
}

function candidates(config: OpenApiConfig, upstream: URL): string[] {
  const { location } = config;
  if (location.kind === 'url') return [location.url.href];
  if (location.kind === 'paths') return location.paths.map((path) => onUpstream(upstream, path).href);
  return [];
}

/**
 * How long to wait before the next look, after the one just made: the refresh interval after a
 * good document; sooner, with backoff, while the backend is down or has none.
 */
function retrySchedule(refreshMs: number): (look: Look) => number {
  let failures = 0;
  return (look) => {
    if (look.outcome === 'success' || look.outcome === 'unchanged') {
      failures = 0;
      return refreshMs;
    }
    const everyRefresh = refreshMs || RETRY.maxMs;
    if (look.outcome !== 'fetch_error' && look.outcome !== 'not_found') return everyRefresh;
    failures++;
    // A backend that is down comes back soon; one without a document rarely grows one.
    const cap = look.outcome === 'fetch_error' ? Math.min(everyRefresh, RETRY.maxMs) : everyRefresh;
    return Math.min(RETRY.firstMs * 2 ** Math.min(failures - 1, 20), cap);
  };
}

/**
 * Keeps the backend's route templates up to date from its API description: looks at start,
 * again every OPENAPI_REFRESH_S, sooner (with backoff) while the backend is down or has none.
 * A small JSON document is fetched and parsed on this thread; a larger one, or YAML, is looked
 * at in a worker thread and parsed in a child process (look.ts), so that no long step of it
 * happens on the proxy's thread. A document that cannot be used is logged once per change of
 * reason and counted; the last good one stays in force.
 */
export function createOpenApiSource(deps: OpenApiSourceDeps): OpenApiSource {
  const { config } = deps;
  if (config.location.kind === 'off') return { start() {}, async stop() {} };
  const metrics = deps.metrics ?? new OpenApiMetrics(deps.registry);
  const log = new LoadLog(deps.logger);
  const where = candidates(config, deps.upstream);
  // Each candidate may be fetched and parsed once in a look; a look handed from the main thread
  // to the worker (look-here.ts) keeps within the same bound.
  const lookDeadlineMs = (config.timeoutMs + config.parseTimeoutMs) * where.length + LOOK_SLACK_MS;
  let known: Record<string, Known> = {};
  let inForce: GoodDocument | undefined;
  let remembered: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let job: LookJob | undefined;
  let running: Promise<void> | undefined;
  let started = false;
  let stopped = false;

  const delayAfter = retrySchedule(config.refreshMs);

  function apply(document: GoodDocument): void {
    try {
      deps.onTemplates(document.templates, { source: document.url, serverPrefix: document.serverPrefix });
    } catch (error) {
      deps.logger.error({ err: error, url: document.url }, 'applying the OpenAPI route templates failed');
      return;
    }
    inForce = document;
    metrics.inForce(document.url, document.templates.length, document.refusedCount, Date.now());
    log.loaded(document);
  }

  function settle(look: Look, delayMs: number): void {
    if (look.outcome === 'success') {
      remembered = look.document.url;
      apply(look.document);
    } else if (look.outcome === 'unchanged' && inForce) {
      remembered = look.url;
      metrics.stillGood(Date.now());
      log.unchanged(inForce);
    } else if ('reason' in look) {
      log.failed(look, inForce, delayMs);
    }
  }

  async function once(): Promise<void> {
    const request: LookRequest = {
      candidates: where,
      backend: onUpstream(deps.upstream, '/').href,
      settings: {
        timeoutMs: config.timeoutMs,
        maxBytes: config.maxBytes,
        maxRoutes: config.maxRoutes,
        serverPrefix: config.serverPrefix,
        parseMemoryMb: config.parseMemoryMb,
        parseTimeoutMs: config.parseTimeoutMs,
      },
      known,
      remembered,
      inForce: inForce?.hash,
    };
    job = placeLook(request, lookDeadlineMs);
    const reply = await job.result;
    job = undefined;
    if (stopped) return;
    known = reply.known;
    for (const parse of reply.parses) {
      deps.logger.debug(
        parse,
        `Parsed the OpenAPI document at ${parse.url} (${parse.bytes} bytes) in ${parse.ms} ms ${parse.where === 'inline' ? 'on the main thread' : 'in a parser process'}`,
      );
    }
    metrics.loaded(reply.look.outcome);
    const delayMs = delayAfter(reply.look);
    settle(reply.look, delayMs);
    if (delayMs > 0) timer = setTimeout(tick, delayMs).unref();
  }

  function tick(): void {
    timer = undefined;
    running = once()
      .catch((error: unknown) => deps.logger.error({ err: error }, 'OpenAPI discovery failed'))
      .finally(() => {
        running = undefined;
      });
  }

  return {
    start() {
      if (started) return;
      started = true;
      timer = setTimeout(tick, 0).unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      job?.cancel();
      await running;
    },
  };
}

import type http from 'node:http';
import type { Registry } from 'prom-client';
import type { OpenApiConfig } from '../../config/openapi.js';
import type { Logger } from '../../log/logger.js';
import { Discovery, found, type GoodDocument, type Look } from './discover.js';
import { OpenApiMetrics } from './metrics.js';

export interface OpenApiSource {
  /** Looks for the document now, then every OPENAPI_REFRESH_S; never waits for it. */
  start(): void;
  /** Stops the timer and ends a fetch or parse under way. */
  stop(): Promise<void>;
}

export interface OpenApiSourceDeps {
  readonly config: OpenApiConfig;
  /** UPSTREAM_URL: document paths are requested under it. */
  readonly upstream: URL;
  /** Lent for requests to the upstream's origin; without one each fetch has its own connection. */
  readonly agent?: http.Agent | undefined;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Called with the templates of each new good document, deduplicated, in document order. */
  onTemplates(templates: readonly string[], info: { readonly source: string }): void;
}

/** Backoff while the backend is unreachable or has no document: 1 s, doubling, at most a minute. */
export const RETRY = Object.freeze({ firstMs: 1_000, maxMs: 60_000 });

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * Keeps the backend's route templates up to date from its API description: looks at start,
 * again every OPENAPI_REFRESH_S, sooner (with backoff) while the backend is down or has none.
 * A document that cannot be used is logged once per change of reason and counted; the last good
 * one stays in force. Nothing here is on the request path.
 */
export function createOpenApiSource(deps: OpenApiSourceDeps): OpenApiSource {
  const { config, logger } = deps;
  if (config.location.kind === 'off') return { start() {}, async stop() {} };
  const metrics = new OpenApiMetrics(deps.registry);
  const discovery = new Discovery(deps);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let started = false;
  let stopped = false;
  let failures = 0;
  /** What the last log line said, so each state is logged once. */
  let logged: string | undefined;
  let inForce: GoodDocument | undefined;

  function delayAfter(look: Look): number {
    if (found(look)) {
      failures = 0;
      return config.refreshMs;
    }
    const everyRefresh = config.refreshMs || RETRY.maxMs;
    if (look.outcome !== 'fetch_error' && look.outcome !== 'not_found') return everyRefresh;
    failures++;
    // A backend that is down comes back soon; one without a document rarely grows one.
    const cap = look.outcome === 'fetch_error' ? Math.min(everyRefresh, RETRY.maxMs) : everyRefresh;
    return Math.min(RETRY.firstMs * 2 ** Math.min(failures - 1, 20), cap);
  }

  function apply(document: GoodDocument): void {
    try {
      deps.onTemplates(document.templates, { source: document.url });
    } catch (error) {
      logger.error({ err: error, url: document.url }, 'applying the OpenAPI route templates failed');
      return;
    }
    inForce = document;
    metrics.inForce(document.templates.length, document.refusedCount, Date.now());
    const n = document.templates.length;
    logger.info(
      { url: document.url, templates: n, version: document.version },
      `OpenAPI document at ${document.url}: ${n} route template${n === 1 ? '' : 's'} (${document.version})`,
    );
    if (document.refusedCount > 0) {
      const named = document.refused.map((r) => `${r.key} ${r.reason}`).join('; ');
      logger.warn(
        { url: document.url, refused: document.refusedCount },
        `OpenAPI document at ${document.url}: ${document.refusedCount} path${document.refusedCount === 1 ? ' is' : 's are'} not a path template and left out: ${named}`,
      );
    }
  }

  function report(look: Look, delayMs: number): void {
    if (found(look)) {
      const state = `good ${look.document.hash}`;
      if (look.outcome === 'success') apply(look.document);
      else {
        metrics.stillGood(Date.now());
        if (logged !== state) {
          logger.info(
            { url: look.document.url },
            `OpenAPI document at ${look.document.url} is served again, unchanged`,
          );
        }
      }
      logged = state;
      return;
    }
    const state = `${look.outcome} ${look.url} ${look.reason}`;
    if (logged === state) return;
    logged = state;
    const kept = inForce
      ? `the last good document (${inForce.templates.length} route templates) stays in force`
      : 'no document is in force';
    const retry = `; looking again in ${seconds(delayMs)}, less often while this lasts`;
    const fields = { url: look.url, outcome: look.outcome, reason: look.reason };
    if (look.outcome === 'not_found') {
      // A backend without a document is normal (routes are then learned from traffic).
      const level = inForce ? 'warn' : 'info';
      logger[level](fields, `No OpenAPI document at ${look.url}: ${look.reason}; ${kept}${retry}`);
    } else if (look.outcome === 'fetch_error') {
      logger.warn(
        fields,
        `OpenAPI document at ${look.url} could not be fetched: ${look.reason}; ${kept}${retry}`,
      );
    } else {
      const again = delayMs > 0 ? `; looking again in ${seconds(delayMs)}` : '';
      logger.warn(fields, `OpenAPI document at ${look.url} refused: ${look.reason}; ${kept}${again}`);
    }
  }

  async function once(): Promise<void> {
    controller = new AbortController();
    let look: Look;
    try {
      look = await discovery.look(controller.signal);
    } catch (error) {
      // Discovery reports every expected failure as a result; this is a bug, logged and counted.
      look = {
        outcome: 'fetch_error',
        url: deps.upstream.href,
        reason: `unexpected failure: ${(error as Error).message}`,
      };
    }
    if (stopped) return;
    metrics.loaded(look.outcome);
    const delayMs = delayAfter(look);
    report(look, delayMs);
    if (delayMs > 0) timer = setTimeout(tick, delayMs).unref();
  }

  function tick(): void {
    timer = undefined;
    running = once().finally(() => {
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
      controller?.abort();
      discovery.cancel();
      await running;
    },
  };
}

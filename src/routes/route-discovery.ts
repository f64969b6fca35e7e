import type { Registry } from 'prom-client';
import type { OpenApiConfig, SingleLocation } from '../config/openapi.js';
import type { Logger } from '../log/logger.js';
import { createOpenApiSource, OpenApiMetrics, type OpenApiSource } from './openapi/index.js';
import type { DocumentRoutes, RouteLabeler } from './route-labeler.js';

export interface RouteDiscovery {
  start(): void;
  stop(): Promise<void>;
}

/** Refused templates named in a log line; the rest are only counted. */
const REFUSED_EXAMPLES = 5;

/**
 * Feeds the route labeller with the backend's OpenAPI documents: one source per document that
 * OPENAPI_URL names (`auto` is one source trying the usual paths), each loaded and refreshed on
 * its own; whenever one changes, the templates of all of them, in OPENAPI_URL's order, replace
 * the labeller's at once.
 */
export function createRouteDiscovery(deps: {
  config: OpenApiConfig;
  upstream: URL;
  registry: Registry;
  logger: Logger;
  routes: RouteLabeler;
}): RouteDiscovery {
  const { config, logger, routes } = deps;
  const { location } = config;
  if (location.kind === 'off') return { start() {}, async stop() {} };
  const locations: readonly SingleLocation[] = location.kind === 'each' ? location.locations : [location];
  const metrics = new OpenApiMetrics(deps.registry);
  const documents: (DocumentRoutes | undefined)[] = locations.map(() => undefined);

  const sources: OpenApiSource[] = locations.map((one, index) =>
    createOpenApiSource({
      config: { ...config, location: one },
      upstream: deps.upstream,
      registry: deps.registry,
      logger,
      metrics,
      onTemplates(templates, info) {
        documents[index] = { templates, serverPrefix: info.serverPrefix };
        const inForce = documents.filter((d): d is DocumentRoutes => d !== undefined);
        const { refused } = routes.setDocuments(inForce, config.pathPrefix);
        if (refused.length > 0) {
          logger.warn(
            { url: info.source, refused: refused.length, examples: refused.slice(0, REFUSED_EXAMPLES) },
            `OpenAPI documents: ${refused.length} template(s) left out by the route matcher; the others serve`,
          );
        }
      },
    }),
  );

  return {
    start() {
      for (const source of sources) source.start();
    },
    async stop() {
      await Promise.all(sources.map((source) => source.stop()));
    },
  };
}

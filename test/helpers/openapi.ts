import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/config.js';
import { createOpenApiSource, type OpenApiSource } from '../../src/routes/openapi/index.js';
import { captureLogs, type LogCapture } from './sidecar.js';

/** A backend on port 0 that serves API descriptions (or fails to), and records each request. */

export interface Answer {
  readonly status?: number;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
}

export type Route = Answer | ((req: http.IncomingMessage, res: http.ServerResponse) => void);

export interface DocumentBackend {
  readonly url: string;
  readonly port: number;
  readonly requests: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  /** What `path` answers from now on; unset paths answer 404. */
  serve(path: string, route: Route): void;
  unserve(path: string): void;
  /** Requests for `path` so far. */
  count(path: string): number;
  close(): Promise<void>;
}

export async function startDocumentBackend(port = 0): Promise<DocumentBackend> {
  const routes = new Map<string, Route>();
  const requests: DocumentBackend['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    const route = routes.get(req.url ?? '');
    if (typeof route === 'function') return route(req, res);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers });
    res.end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    serve: (path, route) => void routes.set(path, route),
    unserve: (path) => void routes.delete(path),
    count: (path) => requests.filter((r) => r.path === path).length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RunningSource {
  readonly source: OpenApiSource;
  readonly registry: Registry;
  readonly logs: LogCapture;
  /** Every onTemplates call, in order. */
  readonly deliveries: Array<{ templates: readonly string[]; serverPrefix: string; source: string }>;
  /** sidecar_openapi_loads_total for one outcome. */
  loads(outcome: string): Promise<number>;
  /** The value of an unlabelled gauge. */
  gauge(name: string): Promise<number>;
  /** Log lines about OpenAPI documents, as `level: msg`, debug lines left out. */
  lines(): string[];
  /** How many documents were parsed. */
  parses(): number;
  stop(): Promise<void>;
}

/** An OpenAPI source configured through the same env variables users set, started. */
export function startSource(upstream: string, env: Record<string, string> = {}): RunningSource {
  const config = loadConfig({ UPSTREAM_URL: upstream, ...env });
  const registry = new Registry();
  const { logger, logs } = captureLogs();
  const deliveries: RunningSource['deliveries'] = [];
  const source = createOpenApiSource({
    config: config.openapi,
    upstream: config.upstream.url,
    registry,
    logger,
    onTemplates: (templates, info) =>
      void deliveries.push({ templates, serverPrefix: info.serverPrefix, source: info.source }),
  });
  source.start();
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = registry.getSingleMetric(name);
    if (!metric) throw new Error(`${name} is not registered`);
    const { values } = await metric.get();
    const sample = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return sample?.value ?? Number.NaN;
  };
  return {
    source,
    registry,
    logs,
    deliveries,
    loads: (outcome) => value('sidecar_openapi_loads_total', { outcome }),
    gauge: (name) => value(name),
    lines: () =>
      logs.lines
        .filter((l) => l.level !== 'debug' && /OpenAPI/.test(String(l.msg)))
        .map((l) => `${String(l.level)}: ${String(l.msg)}`),
    parses: () => logs.lines.filter((l) => /^Parsed the OpenAPI document/.test(String(l.msg))).length,
    stop: () => source.stop(),
  };
}

/** A FastAPI-shaped OpenAPI 3.1 document (what FastAPI 0.100 and later serve). */
export function fastapiDocument(paths: readonly string[], more: Record<string, unknown> = {}): string {
  const operation = (path: string) => ({
    get: {
      summary: `Read ${path}`,
      operationId: `read${path.replace(/\W/g, '_')}_get`,
      parameters: [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string', title: m[1] },
      })),
      responses: {
        '200': { description: 'Successful Response', content: { 'application/json': { schema: {} } } },
        '422': {
          description: 'Validation Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } } },
        },
      },
    },
  });
  return JSON.stringify({
    openapi: '3.1.0',
    info: { title: 'FastAPI', version: '0.1.0' },
    paths: Object.fromEntries(paths.map((p) => [p, operation(p)])),
    components: {
      schemas: {
        HTTPValidationError: {
          properties: { detail: { items: { $ref: '#/components/schemas/ValidationError' }, type: 'array' } },
          type: 'object',
          title: 'HTTPValidationError',
        },
        ValidationError: {
          properties: { loc: { type: 'array' }, msg: { type: 'string' }, type: { type: 'string' } },
          type: 'object',
          required: ['loc', 'msg', 'type'],
          title: 'ValidationError',
        },
      },
    },
    ...more,
  });
}

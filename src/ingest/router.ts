import express, { type Request, type Response, type Router } from 'express';
import { sendError } from '../http/error-response.js';
import { drainRequestBody } from '../http/linger.js';
import type { Logger } from '../log/logger.js';
import type { IngestAuth } from './auth.js';
import { IngestError, REQUEST_ERRORS } from './errors.js';
import { mediaTypeOf, parseBody } from './parse.js';
import type { IngestPipeline } from './pipeline.js';
import { ClientGoneError, contentEncodingOf, readBody } from './read-body.js';
import type { IngestSelfMetrics } from './self-metrics.js';

export interface IngestRouterDeps {
  auth: IngestAuth;
  pipeline: IngestPipeline;
  metrics: IngestSelfMetrics;
  logger: Logger;
  maxBodyBytes: number;
  maxEvents: number;
  /** Built on first request: generating it costs a few milliseconds that start-up need not pay. */
  jsonSchema: () => Record<string, unknown>;
}

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** An ingest error. `error` holds the code too, as it always has: the clients compare it. */
function sendIngestError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details?: object,
): void {
  // A 413 comes before the body is all in: the connection closes after the answer, once the rest
  // is read and discarded, so that the client, still sending, can read the answer.
  sendError(res, status, { error: code, code, message, details }, code === 'body_too_large');
  if (code === 'body_too_large') drainRequestBody(res.req);
}

/** POST /v1/events and GET /v1/events/schema, mounted on the admin port. */
export function createIngestRouter(deps: IngestRouterDeps): Router {
  const { auth, pipeline, metrics, logger } = deps;
  const router = express.Router();
  let schema: string | undefined;

  const refuse = (res: Response, error: IngestError): void => {
    metrics.request(error.status);
    metrics.rejection(error.code, error.message);
    logger.debug({ code: error.code, status: error.status }, 'ingest request refused');
    if (error.code === 'unauthorized' && !res.headersSent) {
      res.set('www-authenticate', 'Bearer realm="observability-sidecar"');
    }
    sendIngestError(res, error.status, error.code, error.message);
  };

  router.post('/', async (req: Request, res: Response) => {
    try {
      const denied = auth.check(req.headers.authorization, req.socket.remoteAddress);
      if (denied !== undefined) throw new IngestError(denied);
      const media = mediaTypeOf(req.headers['content-type']);
      if (media === undefined) throw new IngestError('unsupported_media_type');
      const encoding = contentEncodingOf(req.headers['content-encoding']);
      const body = await readBody(req, encoding, deps.maxBodyBytes);
      const parsed = parseBody(body, media, deps.maxEvents);
      const result = pipeline.process(parsed.items, parsed.lineErrors);
      if (result.accepted === 0 && result.duplicates === 0) {
        metrics.request(400);
        metrics.rejection('no_valid_events', REQUEST_ERRORS.no_valid_events.message);
        return sendIngestError(res, 400, 'no_valid_events', REQUEST_ERRORS.no_valid_events.message, result);
      }
      metrics.request(200);
      sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof IngestError) return refuse(res, error);
      if (error instanceof ClientGoneError) return void logger.debug('ingest client left mid-body');
      metrics.request(500);
      logger.error({ err: error }, 'ingest request failed');
      sendIngestError(res, 500, 'internal_error', 'the sidecar failed to process the request');
    }
  });

  router.get('/schema', (_req, res) => {
    schema ??= JSON.stringify(deps.jsonSchema(), null, 2);
    res.type('application/schema+json').send(schema);
  });

  router.all('/', (_req, res) => {
    metrics.request(405);
    res.set('allow', 'POST');
    sendIngestError(res, 405, 'method_not_allowed', 'use POST /v1/events');
  });

  return router;
}

import express, { type Request, type Response, type Router } from 'express';
import type { OtlpConfig } from '../config/ingest.js';
import { drainRequestBody } from '../http/linger.js';
import type { IngestAuth } from '../ingest/auth.js';
import { IngestError } from '../ingest/errors.js';
import { ClientGoneError, contentEncodingOf, readBody } from '../ingest/read-body.js';
import type { Logger } from '../log/logger.js';
import {
  decodeRequest,
  encodeResponse,
  encodeStatus,
  encodingOf,
  MalformedBody,
  OTLP_CONTENT_TYPES,
  type OtlpEncoding,
  RPC_CODES,
} from './codec.js';
import type { OtlpMetrics } from './otlp-metrics.js';
import type { TranslateResult, Translator } from './translate.js';

export interface OtlpRouterDeps {
  readonly auth: IngestAuth;
  readonly translator: Translator;
  readonly metrics: OtlpMetrics;
  readonly logger: Logger;
  readonly config: OtlpConfig;
}

/** How long an exporter should wait before retrying a request the sidecar shed. */
const RETRY_AFTER_S = 2;
/** Reasons partial_success names, most frequent first. */
const REASONS_NAMED = 3;

/** "5 data points rejected: personal_data ×3 (attribute user.email looks like …); …". */
function partialMessage(result: TranslateResult): string {
  const reasons = [...result.reasons].sort((a, b) => b[1].count - a[1].count).slice(0, REASONS_NAMED);
  const named = reasons.map(([reason, { count, message }]) => `${reason} ×${count} (${message})`).join('; ');
  return `${result.rejected} data point${result.rejected === 1 ? '' : 's'} rejected: ${named}`;
}

interface Refusal {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

/** Who may send, and in what: the body's encoding, or the refusal before any byte of it is read. */
function admission(
  req: Request,
  auth: IngestAuth,
  encoding: OtlpEncoding | undefined,
): OtlpEncoding | Refusal {
  const denied = auth.check(req.headers.authorization, req.socket.remoteAddress);
  if (denied === 'unauthorized')
    return {
      status: 401,
      code: RPC_CODES.unauthenticated,
      message:
        'a valid bearer token is required: set OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<INGEST_TOKEN>',
    };
  if (denied === 'forbidden')
    return {
      status: 403,
      code: RPC_CODES.permissionDenied,
      message: 'INGEST_TOKEN is not set, so only loopback clients may send metrics; set it to accept others',
    };
  if (encoding === undefined)
    return {
      status: 415,
      code: RPC_CODES.invalidArgument,
      message: 'Content-Type must be application/x-protobuf or application/json',
    };
  return encoding;
}

/**
 * POST /v1/metrics: OTLP/HTTP as the specification describes it. 200 with an
 * ExportMetricsServiceResponse (partial_success when points were refused), 400 for a body that
 * is not a request, 401/403 as the ingest API, 413, 415, and 503 with Retry-After when more
 * bodies are being read than OTLP_MAX_PENDING_BYTES allows: exporters retry those. Error bodies
 * are google.rpc.Status in the request's encoding.
 */
export function createOtlpRouter(deps: OtlpRouterDeps): Router {
  const { auth, translator, metrics, logger, config } = deps;
  const router = express.Router();
  let pending = 0;

  const answer = async (res: Response, encoding: OtlpEncoding, status: number, body: Promise<Buffer>) => {
    const bytes = await body;
    metrics.request(status);
    res.status(status).type(OTLP_CONTENT_TYPES[encoding]).send(bytes);
  };
  const refuse = (res: Response, encoding: OtlpEncoding, status: number, code: number, message: string) => {
    if (status === 413 || status === 503) {
      // Answer before the body is in, then read and discard the rest, so the sender sees the answer.
      res.set('connection', 'close');
      drainRequestBody(res.req);
    }
    return answer(res, encoding, status, encodeStatus(encoding, code, message));
  };

  router.post('/', async (req: Request, res: Response) => {
    const sent = encodingOf(req.headers['content-type']);
    const encoding = admission(req, auth, sent);
    if (typeof encoding !== 'string') {
      if (encoding.status === 401) res.set('www-authenticate', 'Bearer realm="observability-sidecar"');
      return refuse(res, sent ?? 'json', encoding.status, encoding.code, encoding.message);
    }
    const declared = Number(req.headers['content-length']);
    const reserve =
      Number.isFinite(declared) && declared >= 0
        ? Math.min(declared, config.maxBodyBytes)
        : config.maxBodyBytes;
    if (pending + reserve > config.maxPendingBytes) {
      res.set('retry-after', String(RETRY_AFTER_S));
      return refuse(
        res,
        encoding,
        503,
        RPC_CODES.unavailable,
        `the sidecar is reading OTLP_MAX_PENDING_BYTES of bodies already; retry after ${RETRY_AFTER_S} s`,
      );
    }
    pending += reserve;
    try {
      const body = await readBody(
        req,
        contentEncodingOf(req.headers['content-encoding']),
        config.maxBodyBytes,
        'OTLP_MAX_BODY_BYTES',
      );
      const result = await translator.translate(await decodeRequest(body, encoding));
      if (result.accepted > 0) metrics.accepted(result.accepted);
      for (const [reason, { count }] of result.reasons) metrics.refused(reason, count);
      const partial =
        result.rejected > 0
          ? { rejectedDataPoints: result.rejected, errorMessage: partialMessage(result) }
          : undefined;
      await answer(res, encoding, 200, encodeResponse(encoding, partial));
    } catch (error) {
      if (error instanceof MalformedBody)
        return refuse(res, encoding, 400, RPC_CODES.invalidArgument, error.message);
      if (error instanceof IngestError)
        return refuse(res, encoding, error.status, RPC_CODES.invalidArgument, error.message);
      if (error instanceof ClientGoneError) return void logger.debug('OTLP client left mid-body');
      logger.error({ err: error }, 'OTLP metrics request failed');
      await refuse(res, encoding, 500, 13, 'the sidecar failed to process the request');
    } finally {
      pending -= reserve;
    }
  });

  router.all('/', (_req, res) => {
    res.set('allow', 'POST');
    return answer(res, 'json', 405, encodeStatus('json', 12, 'use POST /v1/metrics'));
  });

  return router;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { drainRequestBody } from '../http/linger.js';
import type { ProxyContext } from './context.js';
import { clearDeadline } from './deadlines.js';
import { type Exchange, labelRoute } from './exchange.js';
import { type ExchangeOutcome, outcomeOf, upgradeAnswerOf } from './outcome.js';

/**
 * The end of an exchange, once its client connection is done: the outcome decided
 * (outcome.ts), recorded in the metrics, handed to the observers and the access log, and the
 * exchange's place in flight given up.
 */

/** An HTTP exchange whose response closed, complete or not. */
export function finishRequest(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  ex: Exchange,
): void {
  const { metrics } = ctx;
  ex.closed = true;
  clearDeadline(ex);
  // Answered before its body was all read (a refusal, a timeout): the backend request is
  // abandoned rather than left waiting for the rest of a body that will never come, and the
  // rest is read and discarded, so that a client still sending it can read the answer.
  if (!req.complete && ex.backendStatus === undefined) {
    ex.proxyReq?.destroy();
    drainRequestBody(req);
  }
  const route = labelRoute(ex, ctx.routes);
  const outcome = outcomeOf(ex, res, route, (performance.now() - ex.startedAt) / 1000);
  // A broken body noticed only now is an upstream failure not counted yet.
  if (outcome.errorType === 'upstream_reset' && !ex.failure) metrics.upstreamFailed(outcome.errorType);
  if (ex.stream) metrics.streamFinished(route, ex.stream, outcome.errorType, outcome.durationSeconds);
  record(ctx, ex, outcome);
  ctx.observers.finished(req, ex, outcome);
  if (ctx.config.accessLog) logAccess(ctx, req, ex, outcome);
  ctx.traffic.leave();
}

/** A WebSocket exchange whose client socket closed: refused, failed or after its conversation. */
export function finishUpgrade(ctx: ProxyContext, req: IncomingMessage, ex: Exchange): void {
  ex.closed = true;
  const route = labelRoute(ex, ctx.routes);
  const outcome = outcomeOf(ex, upgradeAnswerOf(ex), route, (performance.now() - ex.startedAt) / 1000);
  ctx.metrics.streamFinished(route, 'websocket', outcome.errorType, outcome.durationSeconds);
  record(ctx, ex, outcome);
  ctx.observers.finished(req, ex, outcome);
  ctx.traffic.leave();
}

/** Every exchange once in http_server_request_duration_seconds, streams with their whole duration. */
function record(ctx: ProxyContext, ex: Exchange, outcome: ExchangeOutcome): void {
  ctx.metrics.requestFinished(
    {
      method: ex.method,
      route: outcome.route,
      startRoute: ex.route,
      status: outcome.status,
      errorType: outcome.errorType,
      durationSeconds: outcome.durationSeconds,
      requestBytes: ex.requestBytes,
      responseBytes: ex.responseBytes,
      exemplar: ctx.observers.exemplar(ex),
    },
    ex.stream !== undefined,
  );
}

function logAccess(ctx: ProxyContext, req: IncomingMessage, ex: Exchange, outcome: ExchangeOutcome): void {
  ctx.logger.info(
    {
      request_id: ex.requestId,
      method: req.method,
      route: outcome.route,
      status: outcome.status,
      error_type: outcome.errorType || undefined,
      duration_ms: Math.round(outcome.durationSeconds * 1e4) / 10,
      request_bytes: ex.requestBytes,
      response_bytes: ex.responseBytes,
    },
    'request',
  );
}

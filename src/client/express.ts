import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SidecarClient } from './client.js';
import { requestIds } from './request-ids.js';

type Next = (error?: unknown) => void;

/**
 * Express error middleware: reports the error with the request's ids, so that the sidecar sends
 * it and the 5xx it sees for that request as one Sentry event, then hands the error on to the
 * app's own error handling (`next(error)`), which answers as it did before. Register it after the
 * routes: `app.use(sidecarErrorHandler(client))`.
 */
export function sidecarErrorHandler(
  client: SidecarClient,
  options: { component?: string } = {},
): (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (error, req, _res, next) => {
    client.captureError(error, {
      ...requestIds(req.headers),
      ...(options.component ? { component: options.component } : {}),
    });
    next(error);
  };
}

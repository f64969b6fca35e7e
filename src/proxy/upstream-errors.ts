import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorBody, rawErrorResponse, sendError } from '../http/error-response.js';

/**
 * The catalog of failures the sidecar itself answers for: each has the status the client gets,
 * a stable code for the JSON body, and the `error_type` label value used in metrics.
 */

export interface UpstreamFailure {
  readonly errorType: string;
  readonly status: 502 | 504;
  readonly code: string;
  readonly message: string;
}

const FAILURES = {
  connection_refused: {
    status: 502,
    code: 'UPSTREAM_CONNECTION_REFUSED',
    message: 'The backend refused the connection.',
  },
  dns_failure: {
    status: 502,
    code: 'UPSTREAM_DNS_FAILURE',
    message: 'The backend host name could not be resolved.',
  },
  upstream_reset: {
    status: 502,
    code: 'UPSTREAM_RESET',
    message: 'The backend closed the connection before answering.',
  },
  upstream_protocol_error: {
    status: 502,
    code: 'UPSTREAM_PROTOCOL_ERROR',
    message: 'The backend answered with something that is not valid HTTP.',
  },
  upstream_unreachable: {
    status: 502,
    code: 'UPSTREAM_UNREACHABLE',
    message: 'The backend could not be reached.',
  },
  connect_timeout: {
    status: 504,
    code: 'UPSTREAM_CONNECT_TIMEOUT',
    message: 'The backend did not accept the connection in time.',
  },
  timeout: { status: 504, code: 'UPSTREAM_TIMEOUT', message: 'The backend did not answer in time.' },
} as const satisfies Record<string, Omit<UpstreamFailure, 'errorType'>>;

export type UpstreamErrorType = keyof typeof FAILURES;

/** Error codes the sidecar sets on errors it raises itself when a deadline passes. */
export const TIMEOUT_CODE = 'SIDECAR_UPSTREAM_TIMEOUT';
export const CONNECT_TIMEOUT_CODE = 'SIDECAR_UPSTREAM_CONNECT_TIMEOUT';
const UPGRADE_TIMEOUT_CODE = 'ERR_UPSTREAM_UPGRADE_TIMEOUT';

export function failure(errorType: UpstreamErrorType): UpstreamFailure {
  return { errorType, ...FAILURES[errorType] };
}

/** Maps a Node.js socket or parser error from the upstream request onto the catalog. */
export function classifyUpstreamError(error: NodeJS.ErrnoException): UpstreamFailure {
  const code = error.code ?? '';
  // http-proxy-middleware's deadline for a WebSocket upgrade, which is UPSTREAM_TIMEOUT_MS too.
  if (code === TIMEOUT_CODE || code === UPGRADE_TIMEOUT_CODE) return failure('timeout');
  if (code === CONNECT_TIMEOUT_CODE || code === 'ETIMEDOUT') return failure('connect_timeout');
  if (code === 'ECONNREFUSED') return failure('connection_refused');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return failure('dns_failure');
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return failure('upstream_reset');
  if (code.startsWith('HPE_')) return failure('upstream_protocol_error');
  return failure('upstream_unreachable');
}

export function timeoutError(code: string, ms: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`no answer from the backend within ${ms} ms`), { code });
}

function bodyOf(f: UpstreamFailure, requestId: string): ErrorBody {
  return { code: f.code, message: f.message, requestId };
}

/** Answers the client with the failure, or cuts its connection if the response had begun. */
export function answerFailure(
  res: ServerResponse,
  f: UpstreamFailure,
  requestId: string,
  close: boolean,
): void {
  if (!res.headersSent) {
    // Headers and a reason phrase the backend's response may have set before failing belong to
    // that response, not this one.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusMessage = STATUS_CODES[f.status] ?? '';
  }
  sendError(res, f.status, bodyOf(f, requestId), close);
}

/** Answers a WebSocket upgrade with the failure, if the client is still there to read it. */
export function answerUpgradeFailure(socket: Socket, f: UpstreamFailure, requestId: string): void {
  if (socket.writable) socket.end(rawErrorResponse(f.status, bodyOf(f, requestId)));
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorBody, rawErrorResponse, sendError } from '../http/error-response.js';
import { drainRequestBody } from '../http/linger.js';
import type { ViaMark } from './via.js';

/**
 * The catalog of requests the proxy port refuses before anything reaches the backend: heads that
 * are not valid HTTP/1.1 (request-smuggling probes among them), too large, too slow or with a
 * target too long, and methods a reverse proxy does not serve. Each has the status the client
 * gets, a stable code for the JSON body, and the `error_type` label of
 * `sidecar_rejected_requests_total`.
 */

export interface Rejection {
  readonly errorType: RejectionType;
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const REJECTIONS = {
  bad_request: {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'The request is not valid HTTP/1.1.',
  },
  method_not_allowed: {
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    message: 'CONNECT is not served: this is a reverse proxy.',
  },
  header_timeout: {
    status: 408,
    code: 'REQUEST_HEADER_TIMEOUT',
    message: 'The request head did not arrive within CLIENT_HEADER_TIMEOUT_MS.',
  },
  uri_too_long: {
    status: 414,
    code: 'URI_TOO_LONG',
    message: 'The request target is longer than MAX_URL_BYTES.',
  },
  header_too_large: {
    status: 431,
    code: 'REQUEST_HEADER_TOO_LARGE',
    message: 'The request head is larger than 16 KiB.',
  },
  loop_detected: {
    status: 508,
    code: 'LOOP_DETECTED',
    message:
      'The request has already passed through this sidecar (its Via header says so): UPSTREAM_URL, or a proxy behind it, leads back here. Point UPSTREAM_URL at the backend.',
  },
} as const satisfies Record<string, Omit<Rejection, 'errorType'>>;

export type RejectionType = keyof typeof REJECTIONS;
export const REJECTION_TYPES = Object.keys(REJECTIONS) as RejectionType[];

export function rejection(errorType: RejectionType): Rejection {
  return { errorType, ...REJECTIONS[errorType] };
}

/** A request the proxy port answers itself instead of forwarding it, if any. */
export function refusalOf(req: IncomingMessage, maxUrlBytes: number, via: ViaMark): Rejection | undefined {
  if (req.url!.length > maxUrlBytes) return rejection('uri_too_long');
  if (via.carriedBy(req.headers.via)) return rejection('loop_detected');
  // RFC 9112 §3.2 (Node's own check for this answers without a body and goes uncounted).
  if (req.headers.host === undefined && req.httpVersionMinor === 1) return rejection('bad_request');
  // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty (Node reads it as chunked).
  if (req.httpVersionMinor === 0 && req.headers['transfer-encoding'] !== undefined) {
    return rejection('bad_request');
  }
  return undefined;
}

/** True when `packet` starts with a request line longer than `maxUrlBytes` (it overflowed the head). */
function startsWithLongRequestLine(packet: Buffer | undefined, maxUrlBytes: number): boolean {
  if (packet === undefined || packet.length <= maxUrlBytes) return false;
  const end = packet.indexOf('\r\n');
  if (end !== -1 && end <= maxUrlBytes) return false;
  return /^[A-Z]+ \S/.test(packet.toString('latin1', 0, 16));
}

/**
 * The rejection for a parser error Node reports as `clientError`. A head over the 16 KiB limit
 * whose request line alone is over `maxUrlBytes` is a long target (414), not long headers (431).
 */
export function rejectionOfParserError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  maxUrlBytes: number,
): Rejection {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return rejection('header_timeout');
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return rejection(
      startsWithLongRequestLine(error.rawPacket, maxUrlBytes) ? 'uri_too_long' : 'header_too_large',
    );
  }
  const bad = rejection('bad_request');
  // The parser's reason (HPE_INVALID_TRANSFER_ENCODING, …) tells a client what it got wrong.
  return error.code?.startsWith('HPE_') ? { ...bad, message: `${bad.message} (${error.code})` } : bad;
}

/** The error body of a rejection. */
function bodyOf(r: Rejection, requestId: string | undefined): ErrorBody {
  return { code: r.code, message: r.message, requestId };
}

/** A complete response for a raw socket; the connection closes after it. */
export function rawRejection(r: Rejection, requestId?: string): string {
  return rawErrorResponse(r.status, bodyOf(r, requestId));
}

/**
 * Answers a refused request and closes its connection after it, as nginx does. When its framing
 * is intact (a target too long, a loop), the rest of its body is read and discarded first, so
 * that a client still sending it can read the answer.
 */
export function sendRejection(
  res: ServerResponse,
  r: Rejection,
  requestId?: string,
  framingIntact = false,
): void {
  sendError(res, r.status, bodyOf(r, requestId), true);
  if (framingIntact) drainRequestBody(res.req);
}

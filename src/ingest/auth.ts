import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestErrorCode } from './errors.js';

/**
 * Who may post events. With INGEST_TOKEN set, every request needs `Authorization: Bearer
 * <token>`. Without it, only loopback peers are served: the backend in the same pod or on the
 * same host, which is the sidecar's normal neighbour.
 */
export interface IngestAuth {
  readonly mode: 'token' | 'loopback';
  /** undefined when the request may proceed, else the refusal. */
  check(authorization: string | undefined, peerAddress: string | undefined): RequestErrorCode | undefined;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback; Node reports the peer in one of these forms. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export function createIngestAuth(token: string | undefined): IngestAuth {
  if (token === undefined) {
    return {
      mode: 'loopback',
      check: (_authorization, peer) => (isLoopback(peer) ? undefined : 'forbidden'),
    };
  }
  // Digests have equal length whatever was sent, so timingSafeEqual never throws and the
  // comparison time does not depend on how many leading characters were right.
  const expected = digest(token);
  return {
    mode: 'token',
    check(authorization) {
      const match = authorization === undefined ? null : BEARER.exec(authorization);
      if (match === null) return 'unauthorized';
      return timingSafeEqual(digest(match[1]!), expected) ? undefined : 'unauthorized';
    },
  };
}

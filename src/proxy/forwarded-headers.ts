import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TrustProxy } from '../config/trust-proxy.js';

/**
 * Header rules for the request sent to the backend: hop-by-hop headers removed (RFC 9110
 * §7.6.1) and X-Forwarded-* rebuilt so that only what TRUST_PROXY vouches for survives.
 */

/** Hop-by-hop headers a proxy must not forward. Transfer-Encoding is left to Node's framing. */
const HOP_BY_HOP = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'upgrade',
  'proxy-authorization',
  'trailer',
];
const CLIENT_IDENTITY = ['forwarded', 'x-real-ip'];

function stripIpv4Mapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Removes hop-by-hop headers, including those the Connection header names. */
export function removeHopByHop(headers: IncomingHttpHeaders, keepUpgrade: boolean): void {
  const connection = headers.connection;
  if (connection) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && name !== 'upgrade' && name !== 'transfer-encoding' && name !== 'host') delete headers[name];
    }
  }
  for (const name of HOP_BY_HOP) {
    if (keepUpgrade && (name === 'connection' || name === 'upgrade')) continue;
    delete headers[name];
  }
}

/**
 * The client chain as the backend should see it: the connected peer, then each earlier hop the
 * trusted proxies reported, stopping after the first address that is not itself trusted.
 */
export function forwardedFor(peer: string, existing: string | undefined, trust: TrustProxy): string {
  const chain = [stripIpv4Mapped(peer)];
  if (existing && trust.trusts(peer, 0)) {
    const reported = existing.split(',');
    let hop = 1;
    for (let i = reported.length - 1; i >= 0; i--) {
      const address = reported[i]!.trim();
      if (address === '') continue;
      chain.push(address);
      if (!trust.trusts(address, hop++)) break;
    }
  }
  return chain.reverse().join(', ');
}

const PEER_TRUSTED = Symbol('observability-sidecar.peerTrusted');
type TaggedSocket = IncomingMessage['socket'] & { [PEER_TRUSTED]?: boolean };

/** Rewrites the forwarding headers of `req` in place, before the proxy copies them upstream. */
export function applyForwardedHeaders(req: IncomingMessage, trust: TrustProxy): void {
  const headers = req.headers;
  const socket = req.socket as TaggedSocket;
  const peer = socket.remoteAddress ?? '';
  // The peer is the same for every request of a keep-alive connection: decide once per socket.
  let trusted = socket[PEER_TRUSTED];
  if (trusted === undefined) trusted = socket[PEER_TRUSTED] = trust.trusts(peer, 0);
  const xff = headers['x-forwarded-for'];
  headers['x-forwarded-for'] =
    trusted && xff
      ? forwardedFor(peer, Array.isArray(xff) ? xff.join(',') : xff, trust)
      : stripIpv4Mapped(peer);
  if (!trusted || !headers['x-forwarded-proto']) {
    // The sidecar listens in plain HTTP; TLS ends at nginx, which reports its scheme.
    headers['x-forwarded-proto'] = 'http';
  }
  if (!trusted || !headers['x-forwarded-host']) {
    if (headers.host) headers['x-forwarded-host'] = headers.host;
    else delete headers['x-forwarded-host'];
  }
  if (!trusted) for (const name of CLIENT_IDENTITY) delete headers[name];
}

/** Hop-by-hop headers of a response (RFC 9110 §7.6.1). */
const HOP_BY_HOP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'trailer',
  'upgrade',
  'te',
]);

export interface ResponseHead {
  /** Name/value pairs for `writeHead`, in the backend's order and spelling, duplicates kept. */
  readonly headers: string[];
  /** The backend's Content-Type, lower-cased, if any. */
  readonly contentType: string | undefined;
  readonly requestId: boolean;
  readonly accelBuffering: boolean;
}

/**
 * The backend's response headers as the client should get them, read from `rawHeaders`: without
 * hop-by-hop headers, including those its Connection header names. Reading the raw list spares
 * Node building the `headers` object, and `writeHead` takes the pairs as they are.
 */
export function responseHeadOf(raw: readonly string[]): ResponseHead {
  const headers: string[] = [];
  let contentType: string | undefined;
  let requestId = false;
  let accelBuffering = false;
  let named: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_RESPONSE.has(lower)) {
      if (lower === 'connection') {
        for (const token of raw[i + 1]!.split(',')) {
          const t = token.trim().toLowerCase();
          if (t === '' || t === 'close' || t === 'keep-alive') continue;
          named ??= [];
          named.push(t);
        }
      }
      continue;
    }
    // Plain chunked framing is undone by Node's client and redone by its server (or replaced by
    // reading until close for HTTP/1.0 clients). Any other coding (`gzip, chunked`) stays on the
    // body as it arrives, so the header saying so must stay too.
    if (lower === 'transfer-encoding' && raw[i + 1]!.trim().toLowerCase() === 'chunked') continue;
    if (lower === 'content-type') contentType ??= raw[i + 1]!.toLowerCase();
    else if (lower === 'x-request-id') requestId = true;
    else if (lower === 'x-accel-buffering') accelBuffering = true;
    headers.push(name, raw[i + 1]!);
  }
  if (named === undefined) return { headers, contentType, requestId, accelBuffering };
  // Rare: the Connection header names further headers that are this hop's only.
  const drop = new Set(named);
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!drop.has(headers[i]!.toLowerCase())) kept.push(headers[i]!, headers[i + 1]!);
  }
  return { headers: kept, contentType, requestId, accelBuffering };
}

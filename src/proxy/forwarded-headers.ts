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

import proxyaddr from 'proxy-addr';

/**
 * Which peers may tell the sidecar who the client is (X-Forwarded-*, Forwarded, X-Real-IP).
 * Parsed with proxy-addr, the same library Express uses for `trust proxy`, so the accepted forms
 * match what operators know: `true`, `false`, a hop count, or addresses, CIDRs and the names
 * `loopback`, `linklocal`, `uniquelocal`.
 */
export interface TrustProxy {
  readonly source: string;
  /** `addr` is the address at position `hop` of the chain, 0 being the connected peer. */
  readonly trusts: (addr: string, hop: number) => boolean;
}

export function compileTrust(source: string): TrustProxy {
  const value = source.trim();
  const lower = value.toLowerCase();
  if (lower === 'true') return { source: 'true', trusts: () => true };
  if (lower === 'false') return { source: 'false', trusts: () => false };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return { source: value, trusts: (_addr, hop) => hop < hops };
  }
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error('must be true, false, a hop count, or a list of addresses/CIDRs');
  try {
    const fn = proxyaddr.compile(items);
    return { source: items.join(', '), trusts: (addr, hop) => fn(addr, hop) };
  } catch (error) {
    throw new Error(
      `must be true, false, a hop count, or addresses/CIDRs/loopback/linklocal/uniquelocal (${(error as Error).message})`,
    );
  }
}

import os from 'node:os';

/**
 * Whether a URL's host names this machine: loopback, the wildcard address, the host name, or
 * an address of one of its interfaces. No DNS lookup: a name that only resolves here is
 * caught at run time by the Via mark instead (proxy/via.ts).
 */
export function isOwnHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === os.hostname().toLowerCase())
    return true;
  if (/^127\./.test(host) || host === '0.0.0.0' || host === '::' || host === '::1') return true;
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) if (a.address.toLowerCase() === host) return true;
  }
  return false;
}

/** The port a URL connects to, its scheme's default when it names none. */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

import type { IncomingMessage } from 'node:http';

const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)([^#]*)/i;

/**
 * RFC 9112 §3.2.2: a server must accept a request target in absolute form
 * (`GET http://example.com/a?b HTTP/1.1`), and a proxy that receives one replaces Host with the
 * target's authority. The backend gets the origin form (`/a?b`), which is what it would have got
 * through nginx; forwarded as is, it would read the path `/http://example.com/a`. Credentials in
 * the authority (`user:pass@`) are dropped. Other forms (`*`) are left as they are.
 */
export function toOriginForm(req: IncomingMessage): void {
  const match = ABSOLUTE_FORM.exec(req.url ?? '');
  if (!match) return;
  const authority = match[1]!;
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : authority.slice(at + 1);
  const rest = match[2]!;
  req.url = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  if (host !== '') req.headers.host = host;
}

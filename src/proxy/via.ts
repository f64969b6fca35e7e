import type { IncomingHttpHeaders } from 'node:http';
import os from 'node:os';

/**
 * This sidecar's mark on what it forwards: a `Via: 1.1 <host>:<port>` entry (RFC 9110 §7.6.3),
 * the port being the proxy port it listens on. A request that arrives already carrying the mark
 * has come back: UPSTREAM_URL, or something behind it, leads to this sidecar again, and
 * forwarding it would loop until sockets run out. It is answered 508 instead.
 */
export class ViaMark {
  private entry = '';
  private name = '';

  /** Known once the proxy port listens: port 0 picks it then. */
  listening(port: number): void {
    this.name = `${os.hostname()}:${port}`;
    this.entry = `1.1 ${this.name}`;
  }

  /** Whether `via` (the request's Via header) names this sidecar. */
  carriedBy(via: string | undefined): boolean {
    if (via === undefined || this.name === '') return false;
    for (const hop of via.split(',')) {
      // `1.1 host:port (comment)`: the second word is who received it.
      if (hop.trim().split(/\s+/)[1] === this.name) return true;
    }
    return false;
  }

  /** Adds this sidecar's entry to the request's Via header before it leaves for the backend. */
  add(headers: IncomingHttpHeaders): void {
    if (this.entry === '') return;
    const via = headers.via;
    headers.via = via ? `${via}, ${this.entry}` : this.entry;
  }
}

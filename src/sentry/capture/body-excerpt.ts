import type { IncomingMessage } from 'node:http';

/** Text and JSON bodies only; a compressed or binary body cannot be scrubbed, so it is never read. */
const TEXTUAL = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml)|application\/x-www-form-urlencoded)/i;

export interface BodyExcerpt {
  readonly contentType: string;
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * Copies the first `maxBytes` of a backend 5xx response body as it streams past, for the Sentry
 * event (SENTRY_ATTACH_RESPONSE_BODY). Only a listener is added: the proxy still pipes the
 * response on untouched, and once the limit is reached the listener removes itself.
 */
export class ExcerptCollector {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private more = false;

  private constructor(
    private readonly contentType: string,
    private readonly maxBytes: number,
  ) {}

  /** Starts collecting when the response is a textual 5xx, else returns undefined. */
  static attach(proxyRes: IncomingMessage, maxBytes: number): ExcerptCollector | undefined {
    if ((proxyRes.statusCode ?? 0) < 500) return undefined;
    const type = proxyRes.headers['content-type'] ?? '';
    const encoding = proxyRes.headers['content-encoding'];
    if (!TEXTUAL.test(type) || (encoding !== undefined && encoding !== 'identity')) return undefined;
    const collector = new ExcerptCollector(type, maxBytes);
    const onData = (chunk: Buffer) => {
      const room = collector.maxBytes - collector.size;
      if (room > 0) {
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        // A copy, so the proxy's chunk is not kept alive with this exchange.
        collector.chunks.push(Buffer.from(part));
        collector.size += part.length;
      }
      if (chunk.length > room) {
        collector.more = true;
        proxyRes.off('data', onData);
      }
    };
    proxyRes.on('data', onData);
    return collector;
  }

  excerpt(): BodyExcerpt | undefined {
    if (this.size === 0) return undefined;
    // A multi-byte character cut at the limit decodes to U+FFFD rather than failing.
    const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(this.chunks, this.size));
    return { contentType: this.contentType, text, truncated: this.more };
  }
}

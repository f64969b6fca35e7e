import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { OpenApiConfig, OpenApiLocation } from '../../config/openapi.js';
import type { Logger } from '../../log/logger.js';
import type { RefusedKey } from './document-templates.js';
import { type FetchResult, fetchDocument } from './fetch-document.js';
import type { LoadOutcome } from './metrics.js';
import { type ParseJob, parseInChild } from './parse-in-child.js';
import type { ParseReply } from './parser-protocol.js';

export interface GoodDocument {
  readonly url: string;
  /** SHA-256 of the document's bytes. */
  readonly hash: string;
  /** `OpenAPI 3.1.0` or `Swagger 2.0`. */
  readonly version: string;
  readonly templates: readonly string[];
  readonly refusedCount: number;
  readonly refused: readonly RefusedKey[];
}

export interface Found {
  readonly outcome: 'success' | 'unchanged';
  readonly document: GoodDocument;
}

export interface NotFound {
  readonly outcome: Exclude<LoadOutcome, 'success' | 'unchanged'>;
  /** The document's URL, or the backend's when several paths were tried. */
  readonly url: string;
  readonly reason: string;
}

/** The result of one look for the document. */
export type Look = Found | NotFound;

export function found(look: Look): look is Found {
  return 'document' in look;
}

/** A place that holds no API description; discovery goes on to the next one. */
interface Miss {
  readonly miss: true;
  readonly url: URL;
  readonly reason: string;
  /** The backend failed (5xx) rather than said "not here". */
  readonly failed: boolean;
}

interface Cached {
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  readonly hash: string;
  readonly reply: ParseReply;
}

export interface DiscoveryDeps {
  readonly config: OpenApiConfig;
  readonly upstream: URL;
  readonly agent?: http.Agent | undefined;
  readonly logger: Logger;
}

/** A path on the backend, requested as a client of the proxy would: under UPSTREAM_URL's base path. */
export function onUpstream(upstream: URL, target: string): URL {
  const query = target.indexOf('?');
  const url = new URL(upstream.href);
  url.pathname = upstream.pathname.replace(/\/+$/, '') + (query < 0 ? target : target.slice(0, query));
  url.search = query < 0 ? '' : target.slice(query);
  url.hash = '';
  return url;
}

export function candidateUrls(location: OpenApiLocation, upstream: URL): URL[] {
  if (location.kind === 'off') return [];
  if (location.kind === 'url') return [location.url];
  return location.paths.map((path) => onUpstream(upstream, path));
}

/** An HTML page (a single-page app's catch-all, a login page) is no API description. */
function isHtml(result: Extract<FetchResult, { kind: 'document' }>): boolean {
  if (/text\/html/i.test(result.contentType)) return true;
  for (const byte of result.body.subarray(0, 64)) {
    // Whitespace and a UTF-8 byte-order mark come before the first character.
    if (![0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf].includes(byte)) return byte === 0x3c;
  }
  return false;
}

/**
 * Looks for the backend's API description: each candidate URL in turn (the one that served it
 * last time first), with conditional requests, and a parse only when the bytes changed. Remembers
 * per URL what the last parse concluded, so an unchanged bad document is not parsed again.
 */
export class Discovery {
  private readonly candidates: readonly URL[];
  private readonly cache = new Map<string, Cached>();
  private remembered: string | undefined;
  private inForce: string | undefined;
  private parse: ParseJob | undefined;

  constructor(private readonly deps: DiscoveryDeps) {
    this.candidates = candidateUrls(deps.config.location, deps.upstream);
  }

  /** Ends a parse under way (at shutdown). */
  cancel(): void {
    this.parse?.cancel();
  }

  async look(signal: AbortSignal): Promise<Look> {
    const first = this.candidates.find((url) => url.href === this.remembered);
    const ordered = first ? [first, ...this.candidates.filter((url) => url !== first)] : this.candidates;
    const misses: Miss[] = [];
    for (const url of ordered) {
      const step = await this.lookAt(url, signal);
      if ('miss' in step) misses.push(step);
      else return step;
    }
    return this.nothingFound(misses);
  }

  private nothingFound(misses: readonly Miss[]): Look {
    const outcome = misses.some((m) => m.failed) ? 'fetch_error' : 'not_found';
    if (this.candidates.length === 1) {
      return { outcome, url: this.candidates[0]!.href, reason: misses[0]?.reason ?? 'nothing to fetch' };
    }
    const reason = misses.map((m) => `${m.url.pathname}${m.url.search} ${m.reason}`).join(', ');
    return { outcome, url: onUpstream(this.deps.upstream, '').href, reason };
  }

  private async lookAt(url: URL, signal: AbortSignal): Promise<Look | Miss> {
    const { config, upstream, agent } = this.deps;
    const key = url.href;
    const cached = this.cache.get(key);
    const fetched = await fetchDocument({
      url,
      timeoutMs: config.timeoutMs,
      maxBytes: config.maxBytes,
      etag: cached?.etag,
      lastModified: cached?.lastModified,
      agent: url.origin === upstream.origin ? agent : undefined,
      signal,
    });
    const miss = (reason: string, failed: boolean): Miss => {
      this.cache.delete(key);
      return { miss: true, url, reason, failed };
    };
    switch (fetched.kind) {
      case 'error':
        return { outcome: 'fetch_error', url: key, reason: fetched.reason };
      case 'too_large':
        return { outcome: 'too_large', url: key, reason: fetched.reason };
      case 'status': {
        const redirect = fetched.location
          ? ` (a redirect to ${fetched.location}: set OPENAPI_URL to it)`
          : '';
        return miss(`answered ${fetched.status}${redirect}`, fetched.status >= 500);
      }
      case 'not_modified':
        if (!cached) return miss('answered 304 to a request without validators', true);
        return this.conclude(key, cached.hash, cached.reply);
      case 'document': {
        if (isHtml(fetched)) return miss('answered an HTML page, not an API description', false);
        const reply =
          cached?.hash === fetched.hash ? cached.reply : await this.parseDocument(fetched.body, key);
        if (signal.aborted) return { outcome: 'fetch_error', url: key, reason: 'the sidecar is stopping' };
        this.cache.set(key, {
          etag: fetched.etag,
          lastModified: fetched.lastModified,
          hash: fetched.hash,
          reply,
        });
        if (!reply.ok && reply.notApiDescription && this.candidates.length > 1) {
          return miss(reply.reason, false);
        }
        return this.conclude(key, fetched.hash, reply);
      }
    }
  }

  private conclude(url: string, hash: string, reply: ParseReply): Look {
    if (!reply.ok) return { outcome: reply.outcome, url, reason: reply.reason };
    this.remembered = url;
    const outcome = this.inForce === hash ? 'unchanged' : 'success';
    this.inForce = hash;
    const { version, templates, refusedCount, refused } = reply;
    return { outcome, document: { url, hash, version, templates, refusedCount, refused } };
  }

  private async parseDocument(body: Buffer, url: string): Promise<ParseReply> {
    const { config } = this.deps;
    this.parse = parseInChild(
      body,
      {
        maxRoutes: config.maxRoutes,
        pathPrefix: config.pathPrefix,
        serverPrefix: config.serverPrefix,
        documentUrl: url,
      },
      { memoryMb: config.parseMemoryMb, timeoutMs: config.parseTimeoutMs },
    );
    const started = performance.now();
    try {
      return await this.parse.result;
    } finally {
      this.parse = undefined;
      const ms = Math.round(performance.now() - started);
      this.deps.logger.debug(
        { url, bytes: body.length, ms },
        `Parsed the OpenAPI document at ${url} (${body.length} bytes) in ${ms} ms`,
      );
    }
  }
}

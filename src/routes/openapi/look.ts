import { performance } from 'node:perf_hooks';
import type { RefusedKey, TemplateOptions } from './document-templates.js';
import type { FetchResult } from './fetch-document.js';
import { fetchDocument } from './fetch-document.ts';
import { isJson, jsonTemplates, parseFailure, utf8Text } from './json-document.ts';
import type { LoadOutcome } from './metrics.js';
import { parseInChild } from './parse-in-child.ts';
import type { ParseReply } from './parser-protocol.js';

/**
 * One look for the backend's API description: each candidate URL in turn, the one that served
 * it last time first, with conditional requests, and a parse only when the bytes changed. What
 * it learns per URL goes back to the sidecar, which hands it to the next look, so an unchanged
 * document, good or bad, is not parsed twice.
 *
 * A look runs on the sidecar's own thread first (`inline`): a JSON document of at most
 * INLINE_MAX_BYTES is fetched and parsed there, in a few milliseconds, and no worker thread or
 * process is ever started for it (a worker, once run, leaves the process 13-24 MB larger for
 * good). A larger document, or a changed one that is not JSON (YAML, or text of any other
 * kind), ends the inline look with `needsWorker`, and the sidecar looks again in the discovery
 * worker (openapi-discovery.ts), which parses in a child process (look-here.ts).
 *
 * Node runs this file in the worker straight from TypeScript in tests: runtime imports name .ts
 * files (see openapi-parser.ts), and only erasable syntax is used.
 */

/** The settings a look needs, from OpenApiConfig. */
export interface LookSettings {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRoutes: number;
  readonly serverPrefix: boolean;
  readonly parseMemoryMb: number;
  readonly parseTimeoutMs: number;
}

/** What the last parse of a URL's document concluded; the templates of a good one stay with the sidecar. */
export type Verdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly outcome: 'invalid' | 'too_large' | 'parse_error';
      readonly reason: string;
      readonly notApiDescription: boolean;
    };

/** What is known of the document at one URL. */
export interface Known {
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  /** SHA-256 of its bytes. */
  readonly hash: string;
  readonly verdict: Verdict;
}

export interface LookRequest {
  /** Where to look, in the configured order. */
  readonly candidates: readonly string[];
  /** Named in the reason when several candidates held nothing. */
  readonly backend: string;
  readonly settings: LookSettings;
  /** Per URL. A good verdict is only trusted for the document in force, whose templates the sidecar holds. */
  readonly known: Readonly<Record<string, Known>>;
  /** The URL that served the document in force. */
  readonly remembered: string | undefined;
  /** Hash of the document in force. */
  readonly inForce: string | undefined;
}

export interface GoodDocument {
  readonly url: string;
  readonly hash: string;
  /** `OpenAPI 3.1.0` or `Swagger 2.0`. */
  readonly version: string;
  /** The keys of `paths`, verbatim. */
  readonly templates: readonly string[];
  /** The document's own path prefix (`servers[0].url`'s path, `basePath`); '' for none. */
  readonly serverPrefix: string;
  readonly refusedCount: number;
  readonly refused: readonly RefusedKey[];
}

export type Look =
  | { readonly outcome: 'success'; readonly document: GoodDocument }
  /** The document in force, still served as it was. */
  | { readonly outcome: 'unchanged'; readonly url: string }
  | {
      readonly outcome: Exclude<LoadOutcome, 'success' | 'unchanged'>;
      /** The document's URL, or the backend's when several candidates held nothing. */
      readonly url: string;
      readonly reason: string;
    };

/** The most a look on the sidecar's own thread fetches and parses there. */
export const INLINE_MAX_BYTES = 256 * 1024;

export interface LookReply {
  /** The look ended because the document needs the discovery worker: larger than INLINE_MAX_BYTES, or YAML. */
  readonly needsWorker?: true;
  readonly look: Look;
  /** `known` as this look left it. */
  readonly known: Record<string, Known>;
  /** Each parse: how long it took, for the debug log. */
  readonly parses: Array<{
    readonly url: string;
    readonly bytes: number;
    readonly ms: number;
    /** On the sidecar's own thread, or in a parser process. */
    readonly where: 'inline' | 'process';
  }>;
}

/** A place that holds no API description; the look goes on to the next one. */
interface Miss {
  readonly miss: true;
  readonly url: URL;
  readonly reason: string;
  /** The backend failed (5xx) rather than said "not here". */
  readonly failed: boolean;
}

/** An HTML page (a single-page app's catch-all, a login page) is no API description. */
function isHtml(result: Extract<FetchResult, { kind: 'document' }>): boolean {
  if (/text\/html/i.test(result.contentType)) return true;
  const start = result.chunks[0] ?? Buffer.alloc(0);
  for (const byte of start.subarray(0, 64)) {
    // Whitespace and a UTF-8 byte-order mark come before the first character.
    if (![0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf].includes(byte)) return byte === 0x3c;
  }
  return false;
}

function verdictOf(reply: ParseReply | Verdict): Verdict {
  if (reply.ok) return { ok: true };
  return {
    ok: false,
    outcome: reply.outcome,
    reason: reply.reason,
    notApiDescription: reply.notApiDescription,
  };
}

/** One look's working state. */
interface Context {
  readonly request: LookRequest;
  readonly signal: AbortSignal;
  readonly known: Record<string, Known>;
  readonly parses: LookReply['parses'];
  /** Several candidates: a place without an API description sends the look on to the next. */
  readonly several: boolean;
  /** On the sidecar's own thread: only small JSON documents are parsed here. */
  readonly inline: boolean;
}

/** Ends an inline look: the document needs the discovery worker. */
class NeedsWorker extends Error {}

/** A small JSON document's templates, parsed on this thread; NeedsWorker for YAML. */
function parseInline(chunks: readonly Buffer[], options: TemplateOptions): ParseReply {
  const text = utf8Text(Buffer.concat(chunks));
  if (text !== undefined && !isJson(text)) throw new NeedsWorker();
  return text === undefined ? parseFailure('not UTF-8 text') : jsonTemplates(text, options);
}

async function parse(
  ctx: Context,
  chunks: readonly Buffer[],
  size: number,
  url: string,
): Promise<ParseReply> {
  const { settings } = ctx.request;
  const options = {
    maxRoutes: settings.maxRoutes,
    serverPrefix: settings.serverPrefix,
    documentUrl: url,
  };
  if (ctx.inline) {
    const started = performance.now();
    const reply = parseInline(chunks, options);
    ctx.parses.push({ url, bytes: size, ms: Math.round(performance.now() - started), where: 'inline' });
    return reply;
  }
  const job = parseInChild(chunks, options, {
    memoryMb: settings.parseMemoryMb,
    timeoutMs: settings.parseTimeoutMs,
  });
  const cancel = () => job.cancel();
  ctx.signal.addEventListener('abort', cancel, { once: true });
  const started = performance.now();
  const reply = await job.result;
  ctx.signal.removeEventListener('abort', cancel);
  ctx.parses.push({ url, bytes: size, ms: Math.round(performance.now() - started), where: 'process' });
  return reply;
}

function conclude(ctx: Context, url: string, hash: string, reply: ParseReply | Verdict): Look {
  if (!reply.ok) return { outcome: reply.outcome, url, reason: reply.reason };
  if (hash === ctx.request.inForce) return { outcome: 'unchanged', url };
  if (!('templates' in reply)) {
    throw new Error('a good verdict without templates is only kept for the document in force');
  }
  const { version, templates, serverPrefix, refusedCount, refused } = reply;
  return {
    outcome: 'success',
    document: { url, hash, version, templates, serverPrefix, refusedCount, refused },
  };
}

async function lookAt(ctx: Context, url: URL): Promise<Look | Miss> {
  const { known, request, signal, several } = ctx;
  const key = url.href;
  // A good verdict is reusable only for the document in force: the templates of any other are not kept.
  const cached = known[key]?.verdict.ok && known[key]?.hash !== request.inForce ? undefined : known[key];
  const fetched = await fetchDocument({
    url,
    timeoutMs: request.settings.timeoutMs,
    maxBytes: ctx.inline ? Math.min(request.settings.maxBytes, INLINE_MAX_BYTES) : request.settings.maxBytes,
    etag: cached?.etag,
    lastModified: cached?.lastModified,
    signal,
  });
  const miss = (reason: string, failed: boolean): Miss => {
    delete known[key];
    return { miss: true, url, reason, failed };
  };
  switch (fetched.kind) {
    case 'error':
      return { outcome: 'fetch_error', url: key, reason: fetched.reason };
    case 'too_large':
      if (ctx.inline && request.settings.maxBytes > INLINE_MAX_BYTES) throw new NeedsWorker();
      return { outcome: 'too_large', url: key, reason: fetched.reason };
    case 'status': {
      const redirect = fetched.location ? ` (a redirect to ${fetched.location}: set OPENAPI_URL to it)` : '';
      return miss(`answered ${fetched.status}${redirect}`, fetched.status >= 500);
    }
    case 'not_modified':
      if (!cached) return miss('answered 304 to a request without validators', true);
      if (!cached.verdict.ok && cached.verdict.notApiDescription && several) {
        return miss(cached.verdict.reason, false);
      }
      return conclude(ctx, key, cached.hash, cached.verdict);
    case 'document': {
      if (isHtml(fetched)) return miss('answered an HTML page, not an API description', false);
      const reply: ParseReply | Verdict =
        cached?.hash === fetched.hash ? cached.verdict : await parse(ctx, fetched.chunks, fetched.size, key);
      if (signal.aborted) return { outcome: 'fetch_error', url: key, reason: 'the sidecar is stopping' };
      const { etag, lastModified, hash } = fetched;
      known[key] = { etag, lastModified, hash, verdict: verdictOf(reply) };
      if (!reply.ok && reply.notApiDescription && several) return miss(reply.reason, false);
      return conclude(ctx, key, hash, reply);
    }
  }
}

/** One look; `inline` on the sidecar's own thread (see above), else in the discovery worker. */
export async function look(request: LookRequest, signal: AbortSignal, inline = false): Promise<LookReply> {
  try {
    return await lookAtCandidates(request, signal, inline);
  } catch (error) {
    if (!(error instanceof NeedsWorker)) throw error;
    return { ...failedLook(request, 'the document needs the discovery worker'), needsWorker: true };
  }
}

/** A look that found nothing because it could not run to its end (`reason`). */
export function failedLook(request: LookRequest, reason: string): LookReply {
  return {
    look: {
      outcome: 'fetch_error',
      url: request.candidates.length === 1 ? request.candidates[0]! : request.backend,
      reason,
    },
    known: { ...request.known },
    parses: [],
  };
}

async function lookAtCandidates(
  request: LookRequest,
  signal: AbortSignal,
  inline: boolean,
): Promise<LookReply> {
  const ctx: Context = {
    request,
    signal,
    known: { ...request.known },
    parses: [],
    several: request.candidates.length > 1,
    inline,
  };
  const { known, parses } = ctx;
  const candidates = request.candidates.map((href) => new URL(href));
  const first = candidates.find((url) => url.href === request.remembered);
  const ordered = first ? [first, ...candidates.filter((url) => url !== first)] : candidates;
  const misses: Miss[] = [];
  for (const url of ordered) {
    const step = await lookAt(ctx, url);
    if (!('miss' in step)) return { look: step, known, parses };
    misses.push(step);
  }
  const outcome = misses.some((m) => m.failed) ? 'fetch_error' : 'not_found';
  if (!ctx.several) {
    const reason = misses[0]?.reason ?? 'nothing to fetch';
    return { look: { outcome, url: request.candidates[0] ?? '', reason }, known, parses };
  }
  const reason = misses.map((m) => `${m.url.pathname}${m.url.search} ${m.reason}`).join(', ');
  return { look: { outcome, url: request.backend, reason }, known, parses };
}

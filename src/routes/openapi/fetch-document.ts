import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { VERSION } from '../../version.ts';

export interface FetchRequest {
  readonly url: URL;
  /** From request to last byte; past it the fetch is abandoned. */
  readonly timeoutMs: number;
  /** Largest body accepted, counted on the wire and again after decompression. */
  readonly maxBytes: number;
  /** Validators of the copy already held, for a conditional request. */
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export type FetchResult =
  | {
      readonly kind: 'document';
      /**
       * The decompressed body as it arrived, never joined into one buffer: allocating and
       * filling tens of megabytes at once holds the event loop for a noticeable time.
       */
      readonly chunks: readonly Buffer[];
      readonly size: number;
      /** SHA-256 of the body, so an unchanged document without validators is still recognised. */
      readonly hash: string;
      readonly etag: string | undefined;
      readonly lastModified: string | undefined;
      readonly contentType: string;
    }
  | { readonly kind: 'not_modified' }
  /** An answer other than 200 and 304. */
  | { readonly kind: 'status'; readonly status: number; readonly location: string | undefined }
  | { readonly kind: 'too_large'; readonly reason: string }
  /** No usable answer: the reason in words. */
  | { readonly kind: 'error'; readonly reason: string };

const ACCEPT =
  'application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, text/yaml;q=0.9, */*;q=0.1';
const USER_AGENT = `observability-sidecar/${VERSION} (OpenAPI discovery)`;

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

const ERROR_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
};

function describe(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  return (err.code && ERROR_WORDS[err.code]) ?? err.message ?? String(error);
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

type Finish = (result: FetchResult) => void;

/**
 * Reads a 200 answer: decompressed, within `maxBytes` on the wire and once decompressed, hashed
 * chunk by chunk as it arrives so that no single step holds the event loop. Returns the stream
 * to destroy if the fetch ends early.
 */
function readDocument(res: http.IncomingMessage, maxBytes: number, finish: Finish): Readable | undefined {
  const declared = Number(header(res, 'content-length'));
  if (declared > maxBytes) {
    finish({ kind: 'too_large', reason: `${declared} bytes exceed OPENAPI_MAX_BYTES (${maxBytes})` });
    return undefined;
  }
  const encoding = (header(res, 'content-encoding') ?? '').trim().toLowerCase();
  const decoder = decoderFor(encoding);
  if (decoder === undefined) {
    finish({ kind: 'error', reason: `unsupported Content-Encoding ${encoding}` });
    return undefined;
  }
  res.on('error', () =>
    finish({ kind: 'error', reason: 'connection closed before the end of the document' }),
  );
  decoder?.on('error', (error) =>
    finish({ kind: 'error', reason: `broken ${encoding} body: ${describe(error)}` }),
  );
  let wire = 0;
  res.on('data', (chunk: Buffer) => {
    wire += chunk.length;
    if (wire > maxBytes)
      finish({ kind: 'too_large', reason: `more than OPENAPI_MAX_BYTES (${maxBytes}) bytes` });
  });
  const source = decoder ? res.pipe(decoder) : res;
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  source.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      finish({
        kind: 'too_large',
        reason: `more than OPENAPI_MAX_BYTES (${maxBytes}) bytes once decompressed`,
      });
      return;
    }
    hash.update(chunk);
    chunks.push(chunk);
  });
  source.on('end', () =>
    finish({
      kind: 'document',
      chunks,
      size,
      hash: hash.digest('hex'),
      etag: header(res, 'etag'),
      lastModified: header(res, 'last-modified'),
      contentType: header(res, 'content-type') ?? '',
    }),
  );
  return source;
}

/**
 * One GET of an API description, bounded in time and size, on a connection of its own (never
 * one of the proxy's). Never rejects: every failure is a result with its reason.
 */
export function fetchDocument(request: FetchRequest): Promise<FetchResult> {
  const { url, maxBytes } = request;
  const client = url.protocol === 'https:' ? https : http;
  const headers: http.OutgoingHttpHeaders = {
    accept: ACCEPT,
    'accept-encoding': 'gzip',
    'user-agent': USER_AGENT,
  };
  if (request.etag) headers['if-none-match'] = request.etag;
  if (request.lastModified) headers['if-modified-since'] = request.lastModified;

  return new Promise<FetchResult>((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    let source: Readable | undefined;
    const finish: Finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      source?.destroy();
      req?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({
        kind: 'error',
        reason: `no complete answer within ${request.timeoutMs} ms (OPENAPI_TIMEOUT_MS)`,
      });
    }, request.timeoutMs);
    timer.unref();
    const onAbort = () => finish({ kind: 'error', reason: 'the sidecar is stopping' });
    if (request.signal?.aborted) return onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });

    req = client.get(url, { headers, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status === 304) return finish({ kind: 'not_modified' });
      if (status !== 200) return finish({ kind: 'status', status, location: header(res, 'location') });
      source = readDocument(res, maxBytes, finish);
    });
    req.on('error', (error) => finish({ kind: 'error', reason: describe(error) }));
  });
}

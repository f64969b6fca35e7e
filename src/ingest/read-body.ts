import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { IngestError } from './errors.js';

const gunzipAsync = promisify(gunzip);

export type ContentEncoding = 'identity' | 'gzip';

/** The body's Content-Encoding, or an IngestError for anything but gzip and identity. */
export function contentEncodingOf(header: string | undefined): ContentEncoding {
  const value = header?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  throw new IngestError('unsupported_encoding');
}

/** The client went away before its body was complete; there is nobody left to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before sending the whole body');
    this.name = 'ClientGoneError';
  }
}

/**
 * Collects the body, refusing it as soon as it passes `limit` bytes. Listeners rather than
 * `for await`: leaving that loop early destroys the socket, and the 413 could not be sent.
 */
function collect(req: IncomingMessage, limit: number, setting: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        req.pause();
        reject(new IngestError('body_too_large', tooLarge(limit, setting)));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onGone = () => {
      cleanup();
      reject(new ClientGoneError());
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onGone);
    req.once('close', onGone);
  });
}

/**
 * Reads the whole body within `limit` bytes. A gzip body is limited twice: as sent, and after
 * decompression, where zlib stops at `limit` bytes of output, so a small gzip bomb never
 * expands in memory.
 */
export async function readBody(
  req: IncomingMessage,
  encoding: ContentEncoding,
  limit: number,
  /** The variable that sets `limit`, named in the refusal. */
  setting = 'INGEST_MAX_BODY_BYTES',
): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new IngestError('body_too_large', tooLarge(limit, setting));
  const raw = await collect(req, limit, setting);
  if (encoding === 'identity') return raw;

  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new IngestError('body_too_large', tooLarge(limit, setting));
    }
    throw new IngestError('invalid_gzip');
  }
}

function tooLarge(limit: number, setting: string): string {
  return `the body is larger than ${limit} bytes (${setting}, measured after decompression)`;
}

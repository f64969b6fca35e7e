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

/**
 * Reads the whole body, refusing it as soon as it passes `limit` bytes. A gzip body is limited
 * twice: as sent, and after decompression, where zlib stops at `limit` bytes of output, so a
 * small gzip bomb never expands in memory.
 */
export async function readBody(
  req: IncomingMessage,
  encoding: ContentEncoding,
  limit: number,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new IngestError('body_too_large', tooLarge(limit));

  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req) {
    received += (chunk as Buffer).length;
    if (received > limit) throw new IngestError('body_too_large', tooLarge(limit));
    chunks.push(chunk as Buffer);
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
  if (encoding === 'identity') return raw;

  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new IngestError('body_too_large', tooLarge(limit));
    }
    throw new IngestError('invalid_gzip');
  }
}

function tooLarge(limit: number): string {
  return `the body is larger than ${limit} bytes (INGEST_MAX_BODY_BYTES, measured after decompression)`;
}

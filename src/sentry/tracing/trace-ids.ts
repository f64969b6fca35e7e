import { randomFillSync } from 'node:crypto';

/**
 * Random W3C trace ids (16 bytes) and span ids (8 bytes) in lower-case hex, cut from a pool
 * refilled 170 ids at a time: one `randomFillSync` per 4 KiB instead of a call per request.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

function take(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** All-zero ids are invalid (W3C Trace Context §3.2.2.3); drawing one is merely astronomically rare. */
export function newTraceId(): string {
  const id = take(16);
  return id === ZERO_TRACE ? newTraceId() : id;
}

export function newSpanId(): string {
  const id = take(8);
  return id === ZERO_SPAN ? newSpanId() : id;
}

import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming id is kept only when it is short and plain, so it is safe in logs and headers. */
const VALID_ID = /^[A-Za-z0-9._:@=+/-]{1,128}$/;

/** The request's id: the caller's (nginx sets one) when it is usable, else a new UUID. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
}

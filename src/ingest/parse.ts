import { isUtf8 } from 'node:buffer';
import { IngestError } from './errors.js';

/**
 * From a decoded body to a list of raw events: one event, an array, `{"events": [...]}`, or
 * NDJSON (one event per line). Validation of each event happens later; here only the body as
 * a whole can be refused.
 */

export type MediaType = 'json' | 'ndjson';

/** Deepest nesting the catalog needs is 5 (`{events: [{stages: [{…}]}]}`); a little slack, no more. */
export const MAX_DEPTH = 8;

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
]);

/** The media type of a Content-Type header, or undefined when the API does not take it. */
export function mediaTypeOf(header: string | undefined): MediaType | undefined {
  if (header === undefined) return undefined;
  const [essence, ...params] = header.split(';');
  const type = essence!.trim().toLowerCase();
  for (const param of params) {
    const [name, value] = param.split('=').map((s) => s.trim().toLowerCase());
    if (name === 'charset' && value?.replace(/"/g, '') !== 'utf-8') return undefined;
  }
  if (type === 'application/json') return 'json';
  if (NDJSON_TYPES.has(type)) return 'ndjson';
  return undefined;
}

export interface ParsedBody {
  /** One raw value per event, in order. */
  readonly items: readonly unknown[];
  /** NDJSON lines that were not JSON, by event index; they are rejected one by one. */
  readonly lineErrors: ReadonlyMap<number, string>;
}

/** True when `text` nests arrays and objects deeper than `limit`, checked before JSON.parse builds anything. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return false;
}

/**
 * JSON.parse defines `__proto__` as an own property rather than the prototype, but any later
 * spread or merge would not be as careful; such bodies are refused outright.
 */
function hasProtoKey(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.some((item) => hasProtoKey(item, depth + 1));
  if (Object.hasOwn(value, '__proto__')) return true;
  for (const key in value) if (hasProtoKey((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

function parseJson(text: string): unknown {
  if (nestsDeeperThan(text, MAX_DEPTH)) throw new IngestError('too_deep');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the input; only the position is passed on.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new IngestError(
      'malformed_json',
      position === undefined ? undefined : `the body is not valid JSON (near character ${position})`,
    );
  }
  // The key can hide behind \u escapes; the walk runs only when either could be present.
  if ((text.includes('__proto__') || text.includes('\\u')) && hasProtoKey(value)) {
    throw new IngestError('forbidden_key');
  }
  return value;
}

function decode(body: Buffer): string {
  if (!isUtf8(body)) throw new IngestError('invalid_utf8');
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function checkCount(count: number, maxEvents: number): void {
  if (count === 0) throw new IngestError('empty_batch');
  if (count > maxEvents) {
    throw new IngestError(
      'too_many_events',
      `the batch holds ${count} events; INGEST_MAX_EVENTS allows ${maxEvents} per request`,
    );
  }
}

const NO_LINE_ERRORS: ReadonlyMap<number, string> = new Map();

export function parseBody(body: Buffer, media: MediaType, maxEvents: number): ParsedBody {
  const text = decode(body);
  if (media === 'ndjson') return parseNdjson(text, maxEvents);

  const value = parseJson(text);
  let items: readonly unknown[];
  if (Array.isArray(value)) {
    items = value;
  } else if (
    value !== null &&
    typeof value === 'object' &&
    Object.hasOwn(value, 'events') &&
    !Object.hasOwn(value, 'type')
  ) {
    const { events } = value as { events: unknown };
    if (!Array.isArray(events) || Object.keys(value).length !== 1) throw new IngestError('invalid_body');
    items = events;
  } else if (value !== null && typeof value === 'object') {
    items = [value];
  } else {
    throw new IngestError('invalid_body');
  }
  checkCount(items.length, maxEvents);
  return { items, lineErrors: NO_LINE_ERRORS };
}

function parseNdjson(text: string, maxEvents: number): ParsedBody {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  checkCount(lines.length, maxEvents);
  const items: unknown[] = [];
  const lineErrors = new Map<number, string>();
  lines.forEach((line, index) => {
    try {
      items.push(parseJson(line));
    } catch (error) {
      if ((error as IngestError).code === 'forbidden_key') throw error;
      items.push(undefined);
      lineErrors.set(
        index,
        (error as IngestError).code === 'too_deep'
          ? `events[${index}]: nests deeper than ${MAX_DEPTH} levels`
          : `events[${index}]: is not valid JSON`,
      );
    }
  });
  return { items, lineErrors };
}

/**
 * The ingest API's error catalog. Every refusal has a code (also the `reason` label of
 * sidecar_ingest_rejections_total, so the set is closed) and a status.
 */

/** Why a whole request was refused. */
export const REQUEST_ERRORS = Object.freeze({
  unauthorized: {
    status: 401,
    message: 'a valid bearer token is required: Authorization: Bearer <INGEST_TOKEN>',
  },
  forbidden: {
    status: 403,
    message: 'INGEST_TOKEN is not set, so only loopback clients may send events; set it to accept others',
  },
  unsupported_media_type: {
    status: 415,
    message: 'Content-Type must be application/json or application/x-ndjson (charset utf-8)',
  },
  unsupported_encoding: { status: 415, message: 'Content-Encoding must be gzip or identity' },
  body_too_large: { status: 413, message: 'the body is larger than INGEST_MAX_BODY_BYTES' },
  too_many_events: { status: 413, message: 'the batch holds more events than INGEST_MAX_EVENTS' },
  invalid_gzip: { status: 400, message: 'the body is not valid gzip' },
  invalid_utf8: { status: 400, message: 'the body is not valid UTF-8' },
  malformed_json: { status: 400, message: 'the body is not valid JSON' },
  too_deep: { status: 400, message: 'the body nests deeper than the catalog allows' },
  forbidden_key: { status: 400, message: 'the key __proto__ is not allowed' },
  invalid_body: {
    status: 400,
    message: 'the body must be an event, an array of events or {"events": [...]}',
  },
  empty_batch: { status: 400, message: 'the body holds no events' },
  no_valid_events: { status: 400, message: 'no event in the body is valid' },
} satisfies Record<string, { status: number; message: string }>);

export type RequestErrorCode = keyof typeof REQUEST_ERRORS;

/** Why one event of a batch was refused. */
export const EVENT_REJECTION_REASONS = Object.freeze([
  'not_an_object',
  'unknown_type',
  'missing_field',
  'unknown_field',
  'invalid_type',
  'out_of_range',
  'invalid_length',
  'invalid_value',
  'invalid_format',
  'invalid_combination',
  'personal_data',
  'malformed_json',
] as const);

export type EventRejectionReason = (typeof EVENT_REJECTION_REASONS)[number];

export class IngestError extends Error {
  readonly status: number;

  constructor(
    readonly code: RequestErrorCode,
    message: string = REQUEST_ERRORS[code].message,
  ) {
    super(message);
    this.name = 'IngestError';
    this.status = REQUEST_ERRORS[code].status;
  }
}

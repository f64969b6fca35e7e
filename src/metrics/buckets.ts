/**
 * Bucket boundaries shared by metric families, chosen once so dashboards and alerts can rely on
 * them. Units are seconds and bytes (Prometheus base units).
 */

/** OpenTelemetry's http.server.request.duration advice, extended for long LLM and upload calls. */
export const HTTP_DURATION_BUCKETS = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60, 120,
]);

/** Body sizes from 100 B to 1 GiB, in decades: enough to tell JSON from uploads from media. */
export const BODY_SIZE_BUCKETS = Object.freeze([
  100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_073_741_824,
]);

/** WebSocket and SSE lifetimes: a second to a few hours. */
export const STREAM_DURATION_BUCKETS = Object.freeze([1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14_400]);

/* Ingest API families (docs/INGEST_API.md). OpenTelemetry's advice where a convention exists. */

/** db.client.operation.duration advice: 1 ms to 10 s. */
export const DB_DURATION_BUCKETS = Object.freeze([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);

/** db.client.response.returned_rows advice. */
export const DB_ROWS_BUCKETS = Object.freeze([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]);

/** gen_ai.client.operation.duration advice: 10 ms to 82 s, doubling. */
export const GENAI_DURATION_BUCKETS = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

/** gen_ai.client.token.usage advice: 1 to 67M tokens in ×4 steps. */
export const GENAI_TOKEN_BUCKETS = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864,
]);

/** The advice of gen_ai.server.time_to_first_token, used for the client's time to first chunk. */
export const GENAI_FIRST_CHUNK_BUCKETS = Object.freeze([
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** Cache round trips: 100 µs (in-process, Redis on localhost) to 1 s. */
export const CACHE_DURATION_BUCKETS = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
]);

/** Object-storage calls: 5 ms (local disk) to 5 min (large uploads). */
export const STORAGE_DURATION_BUCKETS = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
]);

/** Speech-to-text and text-to-speech calls: 50 ms to 2 min. */
export const SPEECH_DURATION_BUCKETS = Object.freeze([0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120]);

/** Length of the audio processed or produced: 1 s to 1 h. */
export const AUDIO_DURATION_BUCKETS = Object.freeze([1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600]);

/** Document processing (parsing, OCR, chunking, embedding): 100 ms to 30 min. */
export const DOCUMENT_DURATION_BUCKETS = Object.freeze([
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
]);

/** Pages per processed document. */
export const PAGE_COUNT_BUCKETS = Object.freeze([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);

/** Documents a retrieval returned; the 0 bucket counts empty retrievals. */
export const RETRIEVED_DOCUMENTS_BUCKETS = Object.freeze([0, 1, 2, 5, 10, 20, 50, 100, 200]);

/** A voice interaction, from the user's first word to the last reply audio: 0.5 s to 10 min. */
export const INTERACTION_DURATION_BUCKETS = Object.freeze([0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600]);

/** Transaction amounts in the currency's major unit, in decades. */
export const AMOUNT_BUCKETS = Object.freeze([1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000]);

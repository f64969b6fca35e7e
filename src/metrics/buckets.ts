/**
 * Bucket boundaries that more than one subsystem's families share, chosen once so dashboards
 * and alerts can compare them. Every other family's buckets are in its own declaration.
 * Units are seconds and bytes (Prometheus base units).
 */

/** Body sizes from 100 B to 1 GiB, in decades: enough to tell JSON from uploads from media. */
export const BODY_SIZE_BUCKETS = Object.freeze([
  100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_073_741_824,
]);

/** gen_ai.client.operation.duration advice: 10 ms to 82 s, doubling. LLM calls and RAG runs. */
export const GENAI_DURATION_BUCKETS = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

import type { EnvReader } from './env.js';

/** Defaults of the ingest API, documented once in docs/CONFIGURATION.md. */
export const INGEST_DEFAULTS = Object.freeze({
  /** 1 MiB, measured after decompression: a batch of 1,000 typical events is about 200 KiB. */
  maxBodyBytes: 1_048_576,
  maxEvents: 1_000,
  /** Retries usually arrive within seconds; 10,000 ids cover a minute at well over 100 events/s. */
  dedupeWindow: 10_000,
  /** Distinct values one free-form field (model, collection, provider…) may mint as a label. */
  labelBudget: 100,
  /** OTLP metrics in: series in all, per metric, and how long an unchanged series stays. */
  otlpMaxSeries: 10_000,
  otlpMaxSeriesPerMetric: 2_000,
  otlpSeriesTtlS: 600,
  /** An SDK's batch of 1,000 histogram points with a few attributes is 100–300 KiB of protobuf. */
  otlpMaxBodyBytes: 4_194_304,
  /** Bodies being read and decoded at once; past it, 503 with Retry-After, which exporters retry. */
  otlpMaxPendingBytes: 33_554_432,
});

/** Bearer tokens shorter than this are guessable; the rule is reported at start-up. */
const MIN_TOKEN_LENGTH = 16;
const TOKEN_CHARSET = /^[\x21-\x7e]+$/;
const BUDGET_ITEM = /^([a-z][a-z0-9_]*)=(\d+)$/;

export interface IngestConfig {
  /** False turns the whole /v1/events API off. */
  readonly enabled: boolean;
  /** When set, every request needs `Authorization: Bearer <token>`; when unset, only loopback peers are served. */
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  readonly maxEvents: number;
  /** How many recent event_ids are remembered for deduplication; 0 turns it off. */
  readonly dedupeWindow: number;
  readonly labelBudget: number;
  /** Per-field overrides of `labelBudget`, by event field name (`model`, `collection`…). */
  readonly labelBudgets: Readonly<Record<string, number>>;
  /** POST /v1/metrics (OTLP/HTTP), with the same authentication. */
  readonly otlp: OtlpConfig;
}

export interface OtlpConfig {
  readonly enabled: boolean;
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
  readonly seriesTtlMs: number;
  readonly maxBodyBytes: number;
  readonly maxPendingBytes: number;
}

export function readIngestConfig(r: EnvReader): IngestConfig {
  const token = r.optionalString('INGEST_TOKEN');
  if (token !== undefined) {
    if (token.length < MIN_TOKEN_LENGTH) {
      // The value itself is a secret: the problem names the rule, never the token.
      r.problem('INGEST_TOKEN', '(hidden)', `must be at least ${MIN_TOKEN_LENGTH} characters`);
    } else if (!TOKEN_CHARSET.test(token)) {
      r.problem('INGEST_TOKEN', '(hidden)', 'must be printable ASCII without spaces');
    }
  }

  const labelBudgets: Record<string, number> = {};
  for (const item of r.list('INGEST_LABEL_BUDGETS')) {
    const match = BUDGET_ITEM.exec(item);
    const value = match ? Number(match[2]) : Number.NaN;
    if (!match || value < 1 || value > 100_000) {
      r.problem('INGEST_LABEL_BUDGETS', item, 'items must look like field=count, count from 1 to 100000');
      continue;
    }
    labelBudgets[match[1]!] = value;
  }

  return {
    enabled: r.bool('INGEST_ENABLED', true),
    token,
    maxBodyBytes: r.int('INGEST_MAX_BODY_BYTES', INGEST_DEFAULTS.maxBodyBytes, 1_024, 67_108_864),
    maxEvents: r.int('INGEST_MAX_EVENTS', INGEST_DEFAULTS.maxEvents, 1, 100_000),
    dedupeWindow: r.int('INGEST_DEDUPE_WINDOW', INGEST_DEFAULTS.dedupeWindow, 0, 1_000_000),
    labelBudget: r.int('INGEST_LABEL_BUDGET', INGEST_DEFAULTS.labelBudget, 1, 100_000),
    labelBudgets,
    otlp: {
      enabled: r.bool('OTLP_METRICS_ENABLED', true),
      maxSeries: r.int('OTLP_MAX_SERIES', INGEST_DEFAULTS.otlpMaxSeries, 1, 1_000_000),
      maxSeriesPerMetric: r.int(
        'OTLP_MAX_SERIES_PER_METRIC',
        INGEST_DEFAULTS.otlpMaxSeriesPerMetric,
        1,
        1_000_000,
      ),
      seriesTtlMs: r.int('OTLP_SERIES_TTL_S', INGEST_DEFAULTS.otlpSeriesTtlS, 10, 86_400) * 1000,
      maxBodyBytes: r.int('OTLP_MAX_BODY_BYTES', INGEST_DEFAULTS.otlpMaxBodyBytes, 1_024, 67_108_864),
      maxPendingBytes: r.int(
        'OTLP_MAX_PENDING_BYTES',
        INGEST_DEFAULTS.otlpMaxPendingBytes,
        1_024,
        1_073_741_824,
      ),
    },
  };
}

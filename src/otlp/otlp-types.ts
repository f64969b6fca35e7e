/**
 * An ExportMetricsServiceRequest as plain objects (proto.ts's PLAIN conversion): field names in
 * lowerCamelCase, 64-bit integers as numbers, absent fields undefined.
 */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  bytesValue?: Uint8Array;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
export interface KeyValue {
  key?: string;
  value?: AnyValue;
}
export interface NumberPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: number;
  timeUnixNano?: number;
  asDouble?: number;
  asInt?: number;
  flags?: number;
}
export interface HistogramPoint {
  attributes?: KeyValue[];
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
  flags?: number;
}
export interface ExponentialBuckets {
  offset?: number;
  bucketCounts?: number[];
}
export interface ExponentialHistogramPoint {
  attributes?: KeyValue[];
  count?: number;
  sum?: number;
  scale?: number;
  zeroCount?: number;
  zeroThreshold?: number;
  positive?: ExponentialBuckets;
  negative?: ExponentialBuckets;
  flags?: number;
}
export interface SummaryPoint {
  attributes?: KeyValue[];
  count?: number;
  sum?: number;
  quantileValues?: Array<{ quantile?: number; value?: number }>;
  flags?: number;
}
export interface OtlpMetric {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPoint[] };
  sum?: { dataPoints?: NumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: ExponentialHistogramPoint[]; aggregationTemporality?: number };
  summary?: { dataPoints?: SummaryPoint[] };
}
export interface ExportRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: Array<{ scope?: { name?: string; version?: string }; metrics?: OtlpMetric[] }>;
  }>;
}

/** AggregationTemporality: DELTA = 1, CUMULATIVE = 2 (0, unspecified, is refused). */
export const DELTA = 1;
export const CUMULATIVE = 2;
/** DataPointFlags.NO_RECORDED_VALUE: the point marks a series as gone, with no value. */
export const NO_RECORDED_VALUE = 1;

import type {
  ExponentialBuckets,
  ExponentialHistogramPoint,
  HistogramPoint,
  NumberPoint,
  SummaryPoint,
} from './otlp-types.js';
import { PointRefusal } from './refusal.js';

/**
 * One data point's value, checked, as a series keeps it. Counts and sums must be finite and
 * counts non-negative; a histogram's buckets must add up to its count. Exponential histograms
 * become explicit buckets by lowering their scale to at most 0 (bounds at powers of two, or of
 * 4, 16… for negative scales): merging neighbouring buckets is exact, and the `le` values a
 * series can have stay few, whatever scale the SDK picked.
 */
export type SeriesData =
  | { kind: 'number'; value: number }
  | {
      kind: 'buckets';
      bounds: number[];
      counts: number[];
      sum: number | undefined;
      count: number;
      /** For a converted exponential histogram: the exponent e of its bounds 2^(k·e). */
      grid?: number;
    }
  | { kind: 'summary'; quantiles: Array<[number, number]>; sum: number; count: number };

/** Distinct `le` bounds one histogram series may have. */
export const MAX_BUCKETS = 160;
const MIN_SCALE = -10;
const MAX_SCALE = 20;

const finite = (x: number | undefined, what: string): number => {
  if (x === undefined || !Number.isFinite(x))
    throw new PointRefusal('invalid_value', `${what} is not a finite number`);
  return x;
};
const count = (x: number | undefined, what: string): number => {
  const n = finite(x ?? 0, what);
  if (n < 0 || !Number.isInteger(n))
    throw new PointRefusal('invalid_value', `${what} is not a count (a whole number ≥ 0)`);
  return n;
};

export function numberOf(point: NumberPoint, monotonic: boolean): number {
  const raw = point.asDouble ?? point.asInt;
  if (raw === undefined)
    throw new PointRefusal('no_value', 'the data point has neither as_double nor as_int');
  const value = finite(raw, 'the value');
  if (monotonic && value < 0) throw new PointRefusal('invalid_value', 'a monotonic sum cannot be negative');
  return value;
}

export function explicitBuckets(point: HistogramPoint): SeriesData & { kind: 'buckets' } {
  const bounds = (point.explicitBounds ?? []).map((b) => finite(b, 'a bucket bound'));
  const raw = point.bucketCounts ?? [];
  const total = count(point.count, 'count');
  const counts = raw.length === 0 ? [total] : raw.map((c) => count(c, 'a bucket count'));
  if (counts.length !== bounds.length + 1)
    throw new PointRefusal(
      'bucket_mismatch',
      `${counts.length} bucket counts for ${bounds.length} bounds (needs bounds + 1)`,
    );
  if (bounds.length > MAX_BUCKETS)
    throw new PointRefusal('too_many_buckets', `more than ${MAX_BUCKETS} buckets`);
  for (let i = 1; i < bounds.length; i++)
    if (!(bounds[i]! > bounds[i - 1]!))
      throw new PointRefusal('bucket_mismatch', 'the bucket bounds do not increase');
  if (counts.reduce((a, b) => a + b, 0) !== total)
    throw new PointRefusal('invalid_value', 'the bucket counts do not add up to count');
  const sum = point.sum === undefined ? undefined : finite(point.sum, 'sum');
  return { kind: 'buckets', bounds, counts, sum, count: total };
}

/** Adds a side's buckets at the lowered scale into `into`, keyed by upper bound. */
function addSide(
  into: Map<number, number>,
  side: ExponentialBuckets | undefined,
  shift: number,
  exponent: number,
  negative: boolean,
): number {
  let added = 0;
  const offset = side?.offset ?? 0;
  if (!Number.isInteger(offset)) throw new PointRefusal('invalid_value', 'a bucket offset is not an integer');
  const counts = side?.bucketCounts ?? [];
  for (let k = 0; k < counts.length; k++) {
    const n = count(counts[k], 'a bucket count');
    if (n === 0) continue;
    added += n;
    // Index i covers (base^i, base^(i+1)] in magnitude; at the lower scale its index is i >> shift.
    const j = Math.floor((offset + k) / 2 ** shift);
    // le of a positive bucket: base'^(j+1); of a negative one: -base'^j.
    const bound = negative ? -(2 ** (j * exponent)) : 2 ** ((j + 1) * exponent);
    // Past the range of doubles: only the +Inf bucket (the total) holds it.
    if (!Number.isFinite(bound) || bound === 0) continue;
    into.set(bound, (into.get(bound) ?? 0) + n);
    if (into.size > MAX_BUCKETS)
      throw new PointRefusal('too_many_buckets', `more than ${MAX_BUCKETS} buckets`);
  }
  return added;
}

export function exponentialBuckets(point: ExponentialHistogramPoint): SeriesData & { kind: 'buckets' } {
  const scale = point.scale ?? 0;
  if (!Number.isInteger(scale) || scale < MIN_SCALE || scale > MAX_SCALE)
    throw new PointRefusal('invalid_value', `scale ${scale} is outside ${MIN_SCALE}…${MAX_SCALE}`);
  const target = Math.min(scale, 0);
  const shift = scale - target;
  const exponent = 2 ** -target;
  const byBound = new Map<number, number>();
  const zero = count(point.zeroCount, 'zero_count');
  const threshold = finite(point.zeroThreshold ?? 0, 'zero_threshold');
  if (zero > 0) byBound.set(Math.abs(threshold), zero);
  let seen = zero;
  seen += addSide(byBound, point.positive, shift, exponent, false);
  seen += addSide(byBound, point.negative, shift, exponent, true);
  const total = count(point.count, 'count');
  if (seen !== total) throw new PointRefusal('invalid_value', 'the bucket counts do not add up to count');
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => byBound.get(b)!);
  // Whatever lies beyond the largest finite bound is in +Inf.
  counts.push(total - counts.reduce((a, b) => a + b, 0));
  const sum = point.sum === undefined ? undefined : finite(point.sum, 'sum');
  return { kind: 'buckets', bounds, counts, sum, count: total, grid: exponent };
}

export function summaryOf(point: SummaryPoint): SeriesData & { kind: 'summary' } {
  const quantiles: Array<[number, number]> = (point.quantileValues ?? []).map((q) => {
    const quantile = finite(q.quantile ?? 0, 'a quantile');
    if (quantile < 0 || quantile > 1) throw new PointRefusal('invalid_value', 'a quantile is outside 0…1');
    return [quantile, finite(q.value ?? 0, 'a quantile value')];
  });
  return {
    kind: 'summary',
    quantiles,
    sum: finite(point.sum ?? 0, 'sum'),
    count: count(point.count, 'count'),
  };
}

/**
 * A delta histogram added to what the series holds. Bounds that differ from the series' are
 * refused: the sum of two histograms on different bounds is not a histogram.
 */
export function addBuckets(
  held: SeriesData & { kind: 'buckets' },
  delta: SeriesData & { kind: 'buckets' },
): SeriesData & { kind: 'buckets' } {
  const same =
    held.bounds.length === delta.bounds.length && held.bounds.every((b, i) => b === delta.bounds[i]);
  if (!same) {
    // Converted exponential histograms on one grid gain and lose buckets from point to point;
    // their buckets add up bound by bound. Explicit ones with other bounds do not.
    if (held.grid === undefined || held.grid !== delta.grid)
      throw new PointRefusal(
        'bucket_mismatch',
        'the bucket bounds differ from the earlier points of this series',
      );
    const merged = new Map<number, number>();
    for (let i = 0; i < held.bounds.length; i++) merged.set(held.bounds[i]!, held.counts[i]!);
    for (let i = 0; i < delta.bounds.length; i++) {
      const bound = delta.bounds[i]!;
      merged.set(bound, (merged.get(bound) ?? 0) + delta.counts[i]!);
    }
    if (merged.size > MAX_BUCKETS)
      throw new PointRefusal('too_many_buckets', `more than ${MAX_BUCKETS} buckets`);
    const bounds = [...merged.keys()].sort((a, b) => a - b);
    const counts = bounds.map((b) => merged.get(b)!);
    const total = held.count + delta.count;
    counts.push(total - counts.reduce((a, b) => a + b, 0));
    return {
      kind: 'buckets',
      bounds,
      counts,
      sum: sumOf(held.sum, delta.sum),
      count: total,
      grid: held.grid,
    };
  }
  return {
    kind: 'buckets',
    bounds: held.bounds,
    counts: held.counts.map((c, i) => c + delta.counts[i]!),
    sum: sumOf(held.sum, delta.sum),
    count: held.count + delta.count,
    ...(held.grid === undefined ? {} : { grid: held.grid }),
  };
}

const sumOf = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a + b;

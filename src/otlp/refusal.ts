/**
 * Why a data point was refused: the `reason` label of sidecar_otlp_data_points_rejected_total
 * (a closed set, every value starting at 0) and, with the message, what partial_success names.
 */
export const REFUSAL_REASONS = [
  'invalid_name',
  'invalid_value',
  'no_value',
  'unsupported_type',
  'temporality_unspecified',
  'bucket_mismatch',
  'too_many_buckets',
  'personal_data',
  'label_too_long',
  'invalid_attribute',
  'name_clash',
  'type_changed',
  'series_budget',
  'metric_series_budget',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export class PointRefusal {
  constructor(
    readonly reason: RefusalReason,
    readonly message: string,
  ) {}
}

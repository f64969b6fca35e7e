import * as z from 'zod';

/** Fields every event may carry besides its `type`. */
export const envelope = {
  event_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, { error: 'may contain only letters, digits and _ . : -' })
    .optional()
    .describe(
      'Optional id; a retry with the same id within the deduplication window is counted once. A UUID is a good choice.',
    ),
  ts: z
    .union([z.number().min(0).max(253_402_300_799), z.iso.datetime({ offset: true })], {
      error: 'must be Unix seconds or an RFC 3339 date-time with offset',
    })
    .optional()
    .describe(
      'Optional time the event happened: Unix seconds or RFC 3339. Metrics are recorded on arrival; the time is passed on with error events.',
    ),
};

/** One day: no single operation the catalog describes runs longer. */
const MAX_DURATION_S = 86_400;

export function seconds(description: string) {
  return z.number().min(0).max(MAX_DURATION_S).describe(`${description} In seconds.`);
}

export function count(description: string, max: number) {
  return z.int().min(0).max(max).describe(description);
}

export const successOrError = ['success', 'error'] as const;

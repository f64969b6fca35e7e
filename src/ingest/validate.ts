import * as z from 'zod';
import { EVENT_SCHEMAS, type EventType, isEventType, type ValidEvent } from './catalog.js';
import { describeIssues, type EventRejection, issueMessage } from './reasons.js';

export type Validation =
  | { ok: true; event: ValidEvent }
  | { ok: false; type: EventType | undefined; rejection: EventRejection };

const PARSE_OPTIONS = { error: issueMessage };

/**
 * Validates one event against its type's schema. The schemas are compiled once: valid events
 * take zod's generated fast path, and only invalid ones pay for the detailed issue list.
 */
export class EventValidator {
  private readonly compiled = new Map<string, z.ZodType>();

  constructor() {
    for (const [type, schema] of Object.entries(EVENT_SCHEMAS)) this.compiled.set(type, z.compile(schema));
  }

  validate(raw: unknown, index: number): Validation {
    const prefix = `events[${index}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return reject(undefined, `${prefix}: must be an object with a type field`, 'not_an_object');
    }
    const type = (raw as { type?: unknown }).type;
    if (type === undefined) return reject(undefined, `${prefix}.type: is required`, 'missing_field');
    if (typeof type !== 'string')
      return reject(undefined, `${prefix}.type: must be a string`, 'invalid_type');
    if (!isEventType(type)) {
      return reject(
        undefined,
        `${prefix}.type: unknown event type; GET /v1/events/schema lists the catalog`,
        'unknown_type',
      );
    }
    const result = this.compiled.get(type)!.safeParse(raw, PARSE_OPTIONS);
    if (result.success) return { ok: true, event: result.data as ValidEvent };
    return { ok: false, type, rejection: describeIssues(prefix, type, result.error.issues, raw) };
  }
}

function reject(type: EventType | undefined, reason: string, code: EventRejection['code']): Validation {
  return { ok: false, type, rejection: { reason, code } };
}

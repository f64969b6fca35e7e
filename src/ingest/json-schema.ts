import * as z from 'zod';
import { EVENT_SCHEMAS } from './catalog.js';

/**
 * The JSON Schema of POST /v1/events, generated from the same zod definitions that validate
 * requests, so the two cannot drift. Label-safety rules that JSON Schema cannot express
 * (personal data, cross-field rules, budgets) are described in the field descriptions.
 */
export function buildEventsJsonSchema(): Record<string, unknown> {
  // An id per type puts each event once under $defs, referenced from the three body forms.
  const schemas = Object.entries(EVENT_SCHEMAS).map(([type, schema]) => schema.meta({ id: type }));
  const event = z
    .discriminatedUnion('type', schemas as unknown as [(typeof schemas)[number], ...typeof schemas])
    .meta({ id: 'event' });
  const body = z
    .union([event, z.array(event), z.strictObject({ events: z.array(event) })])
    .describe(
      'POST /v1/events body: one event, an array of events, or {"events": [...]}. application/x-ndjson takes one event per line.',
    );
  const generated = z.toJSONSchema(body, { io: 'input', unrepresentable: 'any' });
  return { title: 'observability-sidecar ingest events', ...generated };
}

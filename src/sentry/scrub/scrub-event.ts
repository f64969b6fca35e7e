import type { ErrorEvent } from '@sentry/core';
import { safeUserId } from './scrub-request.js';
import { FILTERED, scrubText } from './scrub-text.js';
import { scrubValue } from './scrub-value.js';

/**
 * The last net, run by the SDK on every error event (`beforeSend`) just before serialisation.
 * Reports are scrubbed when they are built; this catches whatever the SDK or a future change
 * adds on the way. Ids and timestamps are left alone: scrubbing a hex id that
 * happens to pass an IBAN checksum would break trace links, and they carry no personal data.
 */

/** Tags whose values come from configuration, not from traffic. */
const CONFIGURED_TAGS = new Set(['upstream', 'kind']);
/** Contexts the SDK fills with ids and runtime versions. */
const SDK_CONTEXTS = new Set(['trace', 'runtime']);

export function scrubEvent(event: ErrorEvent): ErrorEvent {
  if (event.message) event.message = scrubText(event.message);
  if (event.logentry?.message) event.logentry.message = scrubText(event.logentry.message);
  if (event.logentry?.params) event.logentry.params = scrubValue(event.logentry.params) as unknown[];
  if (event.transaction) event.transaction = scrubText(event.transaction);
  if (event.fingerprint) event.fingerprint = event.fingerprint.map(scrubText);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
    if (exception.type) exception.type = scrubText(exception.type);
    // Source lines and local variables come only from a backend's own exception reports
    // (reported-exception.ts), scrubbed there; scrubbed again here like everything else.
    for (const frame of exception.stacktrace?.frames ?? []) {
      if (frame.vars) frame.vars = scrubValue(frame.vars) as typeof frame.vars;
      if (frame.context_line) frame.context_line = scrubText(frame.context_line);
      if (frame.pre_context) frame.pre_context = frame.pre_context.map(scrubText);
      if (frame.post_context) frame.post_context = frame.post_context.map(scrubText);
      if (frame.abs_path) frame.abs_path = scrubText(frame.abs_path);
    }
  }
  if (event.request) {
    const { url, method, query_string, headers } = event.request;
    event.request = scrubValue({ url, method, query_string, headers }) as typeof event.request;
    // Bodies, cookies and the CGI environment (REMOTE_ADDR) are never sent.
    if ('data' in event.request) event.request.data = FILTERED;
  }
  if (event.extra) event.extra = scrubValue(event.extra) as typeof event.extra;
  if (event.contexts) {
    for (const [name, context] of Object.entries(event.contexts)) {
      if (!SDK_CONTEXTS.has(name) && context) event.contexts[name] = scrubValue(context) as typeof context;
    }
  }
  if (event.tags) {
    for (const [name, value] of Object.entries(event.tags)) {
      if (typeof value === 'string' && !CONFIGURED_TAGS.has(name)) event.tags[name] = scrubText(value);
    }
  }
  if (event.user) {
    const id = safeUserId(typeof event.user.id === 'string' ? event.user.id : undefined);
    event.user = id === undefined ? {} : { id };
  }
  if (event.breadcrumbs) event.breadcrumbs = [];
  return event;
}

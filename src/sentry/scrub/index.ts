/**
 * Scrubbing: what may leave the sidecar for Sentry. It happens in the sidecar, before anything
 * reaches the Sentry SDK, whatever Sentry's server-side settings are: the banking use makes a
 * leak a defect. Three layers apply: keys that name secrets lose their values, values that look
 * like personal data (src/privacy) or credentials are replaced wherever they appear, and
 * client-identity headers are never kept. `scrubEvent` is the SDK's last net before sending.
 */
export { scrubEvent } from './scrub-event.js';
export { safeUserId, scrubBody, scrubHeaders, scrubQuery, scrubUrl } from './scrub-request.js';
export { FILTERED, scrubText } from './scrub-text.js';
export { scrubValue } from './scrub-value.js';
export { isSensitiveKey } from './sensitive-keys.js';

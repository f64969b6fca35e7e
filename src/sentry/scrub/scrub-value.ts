import { FILTERED, scrubText, truncate } from './scrub-text.js';
import { isSensitiveKey } from './sensitive-keys.js';

/** How deep, how wide and how long a scrubbed copy may be. */
export interface ScrubLimits {
  readonly depth: number;
  readonly breadth: number;
  readonly stringLength: number;
}

const DEFAULT_LIMITS: ScrubLimits = { depth: 6, breadth: 100, stringLength: 4096 };

/**
 * A deep copy of any JSON-like value with sensitive keys filtered and every string scrubbed.
 * Depth, breadth and string length are bounded, so a hostile payload cannot make scrubbing slow.
 */
export function scrubValue(value: unknown, limits: ScrubLimits = DEFAULT_LIMITS, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(truncate(value, limits.stringLength));
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return value === undefined ? undefined : String(value);
  if (depth >= limits.depth) return '[Truncated]';
  if (Array.isArray(value)) {
    return value.slice(0, limits.breadth).map((item) => scrubValue(item, limits, depth + 1));
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, inner] of Object.entries(value)) {
    if (count++ >= limits.breadth) break;
    // A key can carry data too (`{"jane@example.com": 1}`).
    const safeKey = scrubText(truncate(key, 128));
    out[safeKey] = isSensitiveKey(key) ? FILTERED : scrubValue(inner, limits, depth + 1);
  }
  return out;
}

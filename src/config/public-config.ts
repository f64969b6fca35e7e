import type { Config } from './config.js';

/**
 * The configuration as the status page shows it: every setting, with secrets hidden. A setting
 * named like a secret (the Sentry DSN, the ingest token, anything called password, secret or
 * key) shows only whether it is set; a URL loses any user name and password. Compiled values
 * show what they were compiled from: a route pattern its template, a pattern its source.
 */
const SECRET_NAME = /dsn|token|secret|password|key$/i;

function publicValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'function') return undefined;
  if (value instanceof URL) {
    const shown = new URL(value.href);
    shown.username = '';
    shown.password = '';
    return shown.href;
  }
  if (value instanceof RegExp) return value.source;
  if (Array.isArray(value)) return value.map(publicValue);
  if (typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  // Compiled forms: a route pattern, a trust-proxy list, a process pattern.
  if (typeof record.template === 'string' && 'segments' in record) return record.template;
  if (typeof record.source === 'string' && typeof record.trusts === 'function') return record.source;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (SECRET_NAME.test(key)) out[key] = v === undefined ? null : '(set)';
    else {
      const shown = publicValue(v);
      if (shown !== undefined) out[key] = shown;
    }
  }
  return out;
}

export function publicConfig(config: Config): Record<string, unknown> {
  return publicValue(config) as Record<string, unknown>;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';

const documented = [
  ...readFileSync(new URL('../../../docs/CONFIGURATION.md', import.meta.url), 'utf8').matchAll(
    /^\| `([A-Z][A-Z0-9_]+)`/gm,
  ),
].map((m) => m[1]!);

describe('variables that look meant as settings', () => {
  it('knows every documented setting, whatever else is set', () => {
    expect(documented.length).toBeGreaterThan(50);
    // Empty values count as unset: no setting's rules apply, and none may be called unknown.
    const env = Object.fromEntries(documented.map((name) => [name, '']));
    expect(loadConfig({ ...env, UPSTREAM_URL: 'http://backend:8000' }).warnings).toEqual([]);
  });

  it('names the setting a typo probably meant, and a variable of its own prefixes it does not know', () => {
    const config = loadConfig({
      UPSTREAM_URL: 'http://backend:8000',
      UPSTREAM_TIMOUT_MS: '5',
      SENTRY_DNS: 'https://k@o1.ingest.sentry.io/1',
      INGEST_TOKEN_FILE: '/run/token',
      HOME: '/root',
      HOSTNAME: 'pod-1',
      SENTRY_AUTH_TOKEN: 'x',
    });
    expect(config.warnings).toEqual([
      'INGEST_TOKEN_FILE is not a setting and is ignored (docs/CONFIGURATION.md lists them all)',
      'SENTRY_DNS is not a setting and is ignored; did you mean SENTRY_DSN?',
      'UPSTREAM_TIMOUT_MS is not a setting and is ignored; did you mean UPSTREAM_TIMEOUT_MS?',
    ]);
  });
});

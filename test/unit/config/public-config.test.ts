import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { publicConfig } from '../../../src/config/public-config.js';

describe('publicConfig', () => {
  const config = loadConfig({
    UPSTREAM_URL: 'http://app:s3cret-pass@backend:8000/',
    SENTRY_DSN: 'https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/42',
    INGEST_TOKEN: 'tok-0123456789abcdef0123456789abcdef',
    ROUTE_PATTERNS: '/api/users/:id,/api/files/{path:path}',
    BACKEND_PROCESS_MATCH: 'uvicorn',
    TRUST_PROXY: '10.0.0.0/8',
  });
  const shown = publicConfig(config) as Record<string, Record<string, unknown>>;
  const text = JSON.stringify(shown);

  it('shows only that a secret is set, never its value', () => {
    expect(shown.sentry!.dsn).toBe('(set)');
    expect(shown.ingest!.token).toBe('(set)');
    expect(text).not.toContain('0123456789abcdef0123456789abcdef');
    expect(publicConfig(loadConfig({ UPSTREAM_URL: 'http://b:8000' })).sentry).toMatchObject({ dsn: null });
  });

  it('drops the user name and password of a URL', () => {
    expect(shown.upstream!.url).toBe('http://backend:8000/');
    expect(text).not.toContain('s3cret-pass');
  });

  it('shows compiled settings as they were written', () => {
    expect(shown.routes!.patterns).toEqual(['/api/users/{id}', '/api/files/{path:path}']);
    expect(shown.proxy!.trustProxy).toBe('10.0.0.0/8');
    expect(shown.system!.backendProcess).toMatchObject({ kind: 'match', pattern: 'uvicorn' });
  });
});

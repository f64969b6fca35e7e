import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from '../../../src/config/config.js';

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const config = loadConfig({ UPSTREAM_URL: 'http://backend:8000' });
    expect(config.proxy.port).toBe(8080);
    expect(config.admin.port).toBe(9464);
    expect(config.upstream.timeoutMs).toBe(DEFAULTS.upstreamTimeoutMs);
    // No health path: the backend is ready when UPSTREAM_URL answers anything below 500.
    expect(config.upstream.healthPath).toBeUndefined();
    expect(config.routes.maxRoutes).toBe(200);
    expect(config.routes.idleEvictMs).toBe(600_000);
    expect(config.accessLog).toBe(false);
    expect(config.proxy.trustProxy.trusts('127.0.0.1', 0)).toBe(true);
    expect(config.proxy.trustProxy.trusts('10.1.2.3', 0)).toBe(true);
    expect(config.proxy.trustProxy.trusts('203.0.113.9', 0)).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.upstream)).toBe(true);
  });

  it('reports every problem at once, naming variable, value and rule', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: '80a',
        ADMIN_PORT: '70000',
        UPSTREAM_TIMEOUT_MS: '-5',
        ACCESS_LOG: 'maybe',
        LOG_LEVEL: 'loud',
        TRUST_PROXY: 'not-an-ip',
        ROUTE_PATTERNS: '/ok/:id,bad',
        UPSTREAM_HEALTH_PATH: 'health',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const byVariable = Object.fromEntries(error!.problems.map((p) => [p.variable, p]));
    expect(Object.keys(byVariable).sort()).toEqual(
      [
        'ACCESS_LOG',
        'ADMIN_PORT',
        'LOG_LEVEL',
        'PORT',
        'ROUTE_PATTERNS',
        'TRUST_PROXY',
        'UPSTREAM_HEALTH_PATH',
        'UPSTREAM_TIMEOUT_MS',
        'UPSTREAM_URL',
      ].sort(),
    );
    expect(byVariable.PORT!.rule).toMatch(/integer from 0 to 65535/);
    expect(byVariable.UPSTREAM_URL!.rule).toMatch(/required/);
    expect(error!.message).toContain('PORT="80a": must be an integer from 0 to 65535');
    expect(error!.message).toContain('ROUTE_PATTERNS="bad": a route template must start with /');
  });

  it('reads route settings, naming the variable and the bad segment', () => {
    const config = loadConfig({
      UPSTREAM_URL: 'http://backend:8000',
      ROUTE_PATTERNS: '/items/{item_id}, /files/{path:path}, /api/users/:id, /static/*',
      MAX_ROUTES: '5',
      ROUTE_IDLE_EVICT_S: '0',
    });
    expect(config.routes.patterns.map((p) => p.template)).toEqual([
      '/items/{item_id}',
      '/files/{path:path}',
      '/api/users/{id}',
      '/static/*',
    ]);
    expect(config.routes).toMatchObject({ maxRoutes: 5, idleEvictMs: 0 });
    // Patterns do not count against MAX_ROUTES any more.
    expect(() =>
      loadConfig({ UPSTREAM_URL: 'http://b', ROUTE_PATTERNS: '/a,/b,/c', MAX_ROUTES: '1' }),
    ).not.toThrow();
    let error: ConfigError | undefined;
    try {
      loadConfig({
        UPSTREAM_URL: 'http://backend:8000',
        ROUTE_PATTERNS: '/products/{sku,/files/{p:path}/raw',
        ROUTE_IDLE_EVICT_S: '5',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.message).toContain('ROUTE_PATTERNS="/products/{sku": segment "{sku" has a { without its }');
    expect(error!.message).toContain(
      'ROUTE_PATTERNS="/files/{p:path}/raw": segment "raw" follows a rest of the path',
    );
    expect(error!.message).toContain(
      'ROUTE_IDLE_EVICT_S="5": must be 0 (never evict) or at least 10 seconds',
    );
  });

  it('rejects non-http upstreams and equal ports', () => {
    expect(() => loadConfig({ UPSTREAM_URL: 'ftp://x' })).toThrow(
      /UPSTREAM_URL="ftp:\/\/x": must use http or https/,
    );
    expect(() => loadConfig({ UPSTREAM_URL: 'not a url' })).toThrow(/must be an absolute/);
    expect(() => loadConfig({ UPSTREAM_URL: 'http://x', PORT: '9000', ADMIN_PORT: '9000' })).toThrow(
      /ADMIN_PORT.*must differ from PORT/,
    );
  });

  it('bounds request targets and the time to send a request head', () => {
    const defaults = loadConfig({ UPSTREAM_URL: 'http://x' }).proxy;
    expect(defaults.maxUrlBytes).toBe(8192);
    expect(defaults.clientHeaderTimeoutMs).toBe(30_000);
    expect(defaults.clientSendTimeoutMs).toBe(60_000);
    const set = loadConfig({
      UPSTREAM_URL: 'http://x',
      MAX_URL_BYTES: '2048',
      CLIENT_HEADER_TIMEOUT_MS: '5000',
      CLIENT_SEND_TIMEOUT_MS: '15000',
    });
    expect([set.proxy.maxUrlBytes, set.proxy.clientHeaderTimeoutMs, set.proxy.clientSendTimeoutMs]).toEqual([
      2048, 5000, 15_000,
    ]);
    expect(() => loadConfig({ UPSTREAM_URL: 'http://x', CLIENT_SEND_TIMEOUT_MS: '-1' })).toThrow(
      /CLIENT_SEND_TIMEOUT_MS="-1": must be an integer from 100 to 3600000/,
    );
    // Heads over 16 KiB are refused whatever the limit, so a larger one would promise nothing.
    expect(() => loadConfig({ UPSTREAM_URL: 'http://x', MAX_URL_BYTES: '20000' })).toThrow(
      /MAX_URL_BYTES="20000": must be an integer from 256 to 16384/,
    );
    expect(() => loadConfig({ UPSTREAM_URL: 'http://x', CLIENT_HEADER_TIMEOUT_MS: '0' })).toThrow(
      /CLIENT_HEADER_TIMEOUT_MS="0": must be an integer from 1000 to 600000/,
    );
  });

  it('parses TRUST_PROXY forms', () => {
    const at = (value: string) =>
      loadConfig({ UPSTREAM_URL: 'http://x', TRUST_PROXY: value }).proxy.trustProxy;
    expect(at('false').trusts('127.0.0.1', 0)).toBe(false);
    expect(at('true').trusts('203.0.113.1', 5)).toBe(true);
    expect(at('2').trusts('203.0.113.1', 1)).toBe(true);
    expect(at('2').trusts('203.0.113.1', 2)).toBe(false);
    expect(at('192.168.0.0/16, 10.0.0.1').trusts('192.168.4.4', 0)).toBe(true);
    expect(at('192.168.0.0/16, 10.0.0.1').trusts('10.0.0.2', 0)).toBe(false);
  });
});

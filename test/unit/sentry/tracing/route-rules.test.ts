import { describe, expect, it } from 'vitest';
import { compileRoutePattern } from '../../../../src/config/routes.js';
import { RouteRules } from '../../../../src/sentry/tracing/route-rules.js';

describe('RouteRules', () => {
  const rules = new RouteRules(
    ['/health', '/docs/*'].map(compileRoutePattern),
    [
      { pattern: compileRoutePattern('/api/events/*'), rate: 0.01 },
      { pattern: compileRoutePattern('/api/users/:id'), rate: 0.5 },
    ],
    0.1,
  );

  it('excludes routes, applies the first matching rate, defaults otherwise', () => {
    expect(rules.ruleFor('/health').traced).toBe(false);
    expect(rules.ruleFor('/docs/:id').traced).toBe(false);
    expect(rules.ruleFor('/api/events/batch')).toMatchObject({ traced: true, rate: 0.01 });
    expect(rules.ruleFor('/api/users/:id')).toMatchObject({ traced: true, rate: 0.5 });
    expect(rules.ruleFor('/api/orders')).toEqual({
      traced: true,
      rate: 0.1,
      encodedTemplate: '%2Fapi%2Forders',
    });
  });
});

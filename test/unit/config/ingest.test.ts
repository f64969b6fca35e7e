import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

const base = { UPSTREAM_URL: 'http://127.0.0.1:8000' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.rule}`);
  }
  return [];
}

describe('ingest configuration', () => {
  it('has documented defaults', () => {
    expect(loadConfig(base).ingest).toEqual({
      enabled: true,
      token: undefined,
      maxBodyBytes: 1_048_576,
      maxEvents: 1000,
      dedupeWindow: 10_000,
      labelBudget: 100,
      labelBudgets: {},
      otlp: {
        enabled: true,
        maxSeries: 10_000,
        maxSeriesPerMetric: 2_000,
        seriesTtlMs: 600_000,
        maxBodyBytes: 4_194_304,
        maxPendingBytes: 33_554_432,
      },
    });
  });

  it('reads every variable', () => {
    const ingest = loadConfig({
      ...base,
      INGEST_ENABLED: 'no',
      INGEST_TOKEN: 'abcdefghijklmnop',
      INGEST_MAX_BODY_BYTES: '2048',
      INGEST_MAX_EVENTS: '10',
      INGEST_DEDUPE_WINDOW: '0',
      INGEST_LABEL_BUDGET: '50',
      INGEST_LABEL_BUDGETS: 'model=20, collection=500',
      OTLP_METRICS_ENABLED: 'false',
      OTLP_MAX_SERIES: '500',
      OTLP_MAX_SERIES_PER_METRIC: '50',
      OTLP_SERIES_TTL_S: '60',
      OTLP_MAX_BODY_BYTES: '65536',
      OTLP_MAX_PENDING_BYTES: '131072',
    }).ingest;
    expect(ingest).toEqual({
      enabled: false,
      token: 'abcdefghijklmnop',
      maxBodyBytes: 2048,
      maxEvents: 10,
      dedupeWindow: 0,
      labelBudget: 50,
      labelBudgets: { model: 20, collection: 500 },
      otlp: {
        enabled: false,
        maxSeries: 500,
        maxSeriesPerMetric: 50,
        seriesTtlMs: 60_000,
        maxBodyBytes: 65_536,
        maxPendingBytes: 131_072,
      },
    });
  });

  it('reports every problem at once and never prints the token', () => {
    const env = {
      INGEST_TOKEN: 'short',
      INGEST_MAX_BODY_BYTES: '10',
      INGEST_MAX_EVENTS: '0',
      INGEST_LABEL_BUDGETS: 'model=0,Model=3,model',
    };
    expect(problems(env)).toEqual([
      'INGEST_TOKEN: must be at least 16 characters',
      'INGEST_LABEL_BUDGETS: items must look like field=count, count from 1 to 100000',
      'INGEST_LABEL_BUDGETS: items must look like field=count, count from 1 to 100000',
      'INGEST_LABEL_BUDGETS: items must look like field=count, count from 1 to 100000',
      'INGEST_MAX_BODY_BYTES: must be an integer from 1024 to 67108864',
      'INGEST_MAX_EVENTS: must be an integer from 1 to 100000',
    ]);
    try {
      loadConfig({ ...base, ...env });
    } catch (error) {
      expect((error as Error).message).not.toContain('short');
    }
    expect(problems({ INGEST_TOKEN: 'a token with spaces inside' })).toEqual([
      'INGEST_TOKEN: must be printable ASCII without spaces',
    ]);
  });
});

describe('ingest wiring', () => {
  it('refuses a per-field budget for a field that has none, naming the budgeted ones', async () => {
    const { createIngest } = await import('../../../src/ingest/index.js');
    const { Registry } = await import('prom-client');
    const { createLogger } = await import('../../../src/log/logger.js');
    const config = loadConfig({ ...base, INGEST_LABEL_BUDGETS: 'model=5,modle=5' }).ingest;
    let error: unknown;
    try {
      createIngest({ config, registry: new Registry(), logger: createLogger('silent') });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problem = (error as ConfigError).problems[0]!;
    expect(problem.variable).toBe('INGEST_LABEL_BUDGETS');
    expect(problem.value).toBe('modle');
    expect(problem.rule).toContain('model');
  });
});

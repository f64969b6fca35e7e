import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_METRICS } from '../../src/http-metrics/metrics.js';
import { EVENT_TYPES } from '../../src/ingest/catalog.js';
import { INGEST_METRIC_DECLARATIONS } from '../../src/ingest/metric-declarations.js';
import { SENTRY_METRICS } from '../../src/sentry/metrics.js';
import { eventually } from '../helpers/http.js';
import { postEvents } from '../helpers/ingest.js';
import {
  dashboardQueries,
  docQueries,
  type Query,
  recordedNames,
  ruleQueries,
} from '../helpers/monitoring-assets.js';
import { analyze, type CatalogCheck, check } from '../helpers/promql.js';
import { type RunningSidecar, startStack } from '../helpers/sidecar.js';

/**
 * One truth for metric names: the sidecar, run with demo traffic and one event of every ingest
 * type, decides which metric names and labels exist. Every alert, recording rule, dashboard query
 * and example query of the monitoring guide must use only those.
 */

/** One event of every type, with every optional field, so that every family records a sample. */
const EVENTS: Record<(typeof EVENT_TYPES)[number], Record<string, unknown>> = {
  'db.query': {
    type: 'db.query',
    system: 'postgresql',
    operation: 'SELECT',
    collection: 'users',
    duration_s: 0.004,
    rows: 3,
    error_type: '40001',
  },
  'db.pool': { type: 'db.pool', pool: 'main', used: 4, idle: 6, max: 20, pending: 1, timeouts: 1 },
  'cache.operation': {
    type: 'cache.operation',
    cache: 'redis',
    operation: 'get',
    result: 'hit',
    duration_s: 0.0004,
  },
  'storage.operation': {
    type: 'storage.operation',
    operation: 'upload',
    backend: 's3',
    outcome: 'success',
    bytes: 52_000,
    duration_s: 0.2,
  },
  'speech.request': {
    type: 'speech.request',
    operation: 'speech_to_text',
    provider: 'google',
    outcome: 'success',
    duration_s: 1.8,
    audio_s: 6,
    providers_attempted: ['whisper', 'google'],
  },
  'llm.request': {
    type: 'llm.request',
    operation: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    input_tokens: 812,
    output_tokens: 240,
    duration_s: 2.4,
    time_to_first_chunk_s: 0.4,
  },
  'rag.pipeline': {
    type: 'rag.pipeline',
    pipeline: 'support',
    outcome: 'success',
    duration_s: 3.1,
    documents_retrieved: 0,
    stages: [
      { name: 'retrieve', duration_s: 0.2 },
      { name: 'generate', duration_s: 2.7 },
    ],
  },
  'document.processing': {
    type: 'document.processing',
    document_type: 'pdf',
    stage: 'all',
    outcome: 'success',
    pages: 12,
    duration_s: 4.2,
  },
  'auth.attempt': {
    type: 'auth.attempt',
    method: 'password',
    outcome: 'failure',
    reason: 'invalid_credentials',
  },
  'chat.message': { type: 'chat.message', role: 'user', channel: 'web', outcome: 'success' },
  'voice.interaction': {
    type: 'voice.interaction',
    kind: 'question',
    channel: 'ios',
    outcome: 'success',
    duration_s: 7.5,
  },
  'document.upload': {
    type: 'document.upload',
    document_type: 'pdf',
    channel: 'web',
    outcome: 'success',
    bytes: 180_000,
  },
  transaction: {
    type: 'transaction',
    transaction_type: 'transfer',
    channel: 'web',
    outcome: 'success',
    amount: 125.5,
    currency: 'EUR',
  },
  error: {
    type: 'error',
    message: 'payment provider timed out',
    error_type: 'TimeoutError',
    component: 'payments',
    level: 'error',
  },
};

/** Labels Prometheus adds to every scraped series (compose: job and instance; the Operator adds more, unused here). */
const TARGET_LABELS = new Set(['job', 'instance']);

/** Queries may name these although the sidecar does not export them. */
function foreignNames(): (name: string) => boolean {
  const recorded = recordedNames();
  return (name) =>
    name === 'up' ||
    name === 'ALERTS' ||
    name === 'ALERTS_FOR_STATE' ||
    recorded.has(name) ||
    /^(prometheus|alertmanager|scrape)_/.test(name);
}

interface Family {
  readonly type: string;
  /** Label names of the samples exported, or the declared ones for a family without samples yet. */
  readonly labels: Set<string>;
  sampled: boolean;
}

/** Families from `# TYPE` lines (present even before the first sample) and labels from the samples. */
function families(text: string, registry: Registry): Map<string, Family> {
  const declared = new Map(
    registry.getMetricsAsArray().map((m) => {
      const metric = m as unknown as { name: string; labelNames?: readonly string[] };
      return [metric.name, metric.labelNames ?? []];
    }),
  );
  const out = new Map<string, Family>();
  const seriesFamily = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      out.set(name, { type: kind, labels: new Set(), sampled: false });
      const names =
        kind === 'histogram'
          ? ['_bucket', '_sum', '_count']
          : kind === 'summary'
            ? ['', '_sum', '_count']
            : [''];
      for (const suffix of names) seriesFamily.set(name + suffix, name);
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!sample) throw new Error(`unparseable line: ${line}`);
    const family = out.get(seriesFamily.get(sample[1]!) ?? '');
    if (!family) throw new Error(`sample without a # TYPE line: ${line}`);
    family.sampled = true;
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) {
      if (m[1] !== 'le' && m[1] !== 'quantile') family.labels.add(m[1]!);
    }
  }
  for (const [name, family] of out) {
    if (!family.sampled) for (const l of declared.get(name) ?? []) family.labels.add(l);
  }
  return out;
}

/** Series names a query can select, each with its label names (`le` on buckets, `quantile` on summaries). */
function seriesCatalog(fams: Map<string, Family>): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const [name, f] of fams) {
    if (f.type === 'histogram') {
      series.set(`${name}_bucket`, new Set([...f.labels, 'le']));
      series.set(`${name}_sum`, new Set(f.labels));
      series.set(`${name}_count`, new Set(f.labels));
    } else if (f.type === 'summary') {
      series.set(name, new Set([...f.labels, 'quantile']));
      series.set(`${name}_sum`, new Set(f.labels));
      series.set(`${name}_count`, new Set(f.labels));
    } else {
      series.set(name, new Set(f.labels));
    }
  }
  return series;
}

/** A self-signed certificate, or undefined without openssl. */
function selfSignedCertificate(dir: string): string | undefined {
  try {
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        cert,
        '-days',
        '30',
        '-subj',
        '/CN=shop.example.com',
      ],
      { stdio: 'ignore' },
    );
    return cert;
  } catch {
    return undefined;
  }
}

describe('one truth for metric names', () => {
  let stack: RunningSidecar;
  let backendProcess: ChildProcess;
  let tmp: string;
  let fams: Map<string, Family>;
  let catalog: CatalogCheck;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'monitoring-assets-'));
    // A stand-in backend process for the backend-process collector; a PEM file for the certificate one.
    backendProcess = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const cert = selfSignedCertificate(tmp) ?? path.join(tmp, 'no-openssl-so-no-certificate.pem');
    stack = await startStack({
      SYSTEM_METRICS_INTERVAL_MS: '100',
      BACKEND_PID: String(backendProcess.pid),
      TLS_CERT_FILES: cert,
      ROUTE_PATTERNS: '/api/accounts/:account_id/transactions',
      OPENAPI_URL: 'auto',
    });

    // Demo traffic: ok, 404, 5xx, slow, an upload, an SSE stream, a backend that drops the connection.
    const paths = [
      '/api/users/42',
      '/api/users/9999',
      '/api/accounts/ACC-1234567/transactions',
      '/api/fail?status=503',
      '/api/slow?ms=20',
      '/api/sse?events=2&interval=10',
      '/api/crash',
      '/wp-login.php',
    ];
    for (const p of paths) await (await fetch(stack.proxyUrl + p)).arrayBuffer();
    await (
      await fetch(`${stack.proxyUrl}/api/upload`, { method: 'POST', body: 'x'.repeat(2048) })
    ).arrayBuffer();

    const res = await postEvents(stack.adminUrl, Object.values(EVENTS));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.accepted).toBe(EVENT_TYPES.length);

    // The CPU utilisation families need two collector runs.
    const text = await eventually(async () => {
      const body = await (await fetch(`${stack.adminUrl}/metrics`)).text();
      if (!/^system_cpu_utilization_ratio\{/m.test(body)) throw new Error('no second host run yet');
      if (!/^sidecar_backend_process_cpu_utilization_ratio /m.test(body))
        throw new Error('no second backend run yet');
      return body;
    });
    fams = families(text, stack.sidecar.registry);
    catalog = { series: seriesCatalog(fams), foreign: foreignNames(), targetLabels: TARGET_LABELS };
  });

  afterAll(async () => {
    await stack?.close();
    backendProcess?.kill();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('has one event of every ingest type in this test', () => {
    expect(Object.keys(EVENTS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('exports samples for every HTTP, ingest and Sentry family once traffic and events arrived', () => {
    const names = [
      ...Object.values(HTTP_METRICS),
      ...INGEST_METRIC_DECLARATIONS,
      ...Object.values(SENTRY_METRICS),
    ].map((d) => d.name);
    const silent = names.filter((n) => !fams.get(n)?.sampled);
    expect(silent).toEqual([]);
  });

  it.each([
    ['Prometheus rules', ruleQueries],
    ['Grafana dashboards', dashboardQueries],
    ['the monitoring guide', docQueries],
  ] as Array<[string, () => Query[]]>)(
    '%s name only exported metrics and the labels they carry',
    (_what, queries) => {
      const qs = queries();
      expect(qs.length).toBeGreaterThan(0);
      const problems = qs.flatMap((q) => check(q.where, q.query, catalog));
      expect(problems.map((p) => `${p.where}: ${p.message}\n    ${p.query.replace(/\s+/g, ' ')}`)).toEqual(
        [],
      );
    },
  );

  it('docs/METRICS.md documents every exported family, and only those', () => {
    const doc = readFileSync('docs/METRICS.md', 'utf8');
    const documented = new Set<string>();
    for (const line of doc.split('\n')) {
      const first = /^\| ([^|]+) \|/.exec(line)?.[1] ?? '';
      for (const m of first.matchAll(/`([a-z_:][a-z0-9_:]*)`/g)) documented.add(m[1]!);
    }
    // prom-client's process and Node.js runtime families are described as a group in prose.
    const runtime = (name: string) => /^(process|nodejs)_/.test(name);
    const exported = [...fams.keys()].filter((name) => !runtime(name));
    expect(exported.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !fams.has(name))).toEqual([]);
    const runtimeSection = doc.slice(
      doc.indexOf('## Sidecar process'),
      doc.indexOf('\n## ', doc.indexOf('## Sidecar process') + 1),
    );
    const named = [...runtimeSection.matchAll(/`((?:process|nodejs)_[a-z0-9_]*[a-z0-9])`/g)].map(
      (m) => m[1]!,
    );
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !fams.has(name))).toEqual([]);
  });

  it('every family the assets use records samples here, except those this machine cannot produce', () => {
    // Without a cgroup limit, swap or openssl these stay without samples; their names and labels
    // are still checked against the families' declarations above.
    const mayBeEmpty = new Set([
      'container_memory_limit_bytes',
      'container_cpu_limit',
      'container_cpu_usage',
      'container_memory_usage_bytes',
      'container_memory_working_set_bytes',
      'container_memory_oom_kills_total',
      'container_cpu_time_seconds_total',
      'container_cpu_cfs_periods_total',
      'container_cpu_cfs_throttled_periods_total',
      'container_cpu_cfs_throttled_seconds_total',
      'system_paging_utilization_ratio',
      'sidecar_tls_certificate_not_after_timestamp_seconds',
      'sidecar_tls_certificate_not_before_timestamp_seconds',
    ]);
    const familyOf = (series: string) =>
      fams.has(series) ? series : series.replace(/_(bucket|sum|count)$/, '');
    const used = new Set(
      [...ruleQueries(), ...dashboardQueries(), ...docQueries()].flatMap((q) =>
        analyze(q.query)
          .selectors.map((s) => s.metric)
          .filter((m) => !catalog.foreign(m)),
      ),
    );
    const empty = [...used].map(familyOf).filter((f) => !fams.get(f)?.sampled && !mayBeEmpty.has(f));
    expect(empty).toEqual([]);
  });
});

describe('the metric-name check itself', () => {
  const catalog: CatalogCheck = {
    series: new Map([
      ['http_server_request_duration_seconds_count', new Set(['http_route', 'http_response_status_code'])],
      [
        'http_server_request_duration_seconds_bucket',
        new Set(['http_route', 'http_response_status_code', 'le']),
      ],
      ['sidecar_upstream_up', new Set<string>()],
    ]),
    foreign: (name) => name === 'up' || name === 'job:http_server_requests:rate5m',
    targetLabels: TARGET_LABELS,
  };
  const messages = (q: string) => check('test', q, catalog).map((p) => p.message);

  it('accepts queries on exported names, target labels, recording-rule outputs and Grafana variables', () => {
    expect(
      messages(
        'histogram_quantile(0.95, sum by (http_route, le) (rate(http_server_request_duration_seconds_bucket{job=~"$job", http_route!~"__.+__"}[$__rate_interval])))',
      ),
    ).toEqual([]);
    expect(messages('up{job="x"} == 0 and on (instance) sidecar_upstream_up == 0')).toEqual([]);
    expect(messages('job:http_server_requests:rate5m > 1')).toEqual([]);
    expect(
      messages('label_values(http_server_request_duration_seconds_count{instance=~"$instance"}, http_route)'),
    ).toEqual([]);
  });

  it('reports an unknown metric, an unknown matcher label and an unknown grouping label', () => {
    expect(messages('rate(http_requests_total[5m])')).toEqual(['metric http_requests_total is not exported']);
    expect(messages('http_server_request_duration_seconds_count{status="500"}')).toEqual([
      'http_server_request_duration_seconds_count has no label status',
    ]);
    expect(messages('sum by (route) (rate(http_server_request_duration_seconds_count[5m]))')).toEqual([
      'by (route): none of http_server_request_duration_seconds_count has it',
    ]);
    expect(messages('sum(rate(http_server_request_duration_seconds_count[5m])) without (le)')).toEqual([
      'without (le): none of http_server_request_duration_seconds_count has it',
    ]);
    expect(messages('label_values(sidecar_upstream_up, http_route)')).toEqual([
      'by (http_route): none of sidecar_upstream_up has it',
    ]);
    expect(messages('http_server_request_duration_seconds{le="1"}')).toEqual([
      'metric http_server_request_duration_seconds is not exported',
    ]);
  });
});

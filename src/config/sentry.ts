import type { EnvReader } from './env.js';
import { type OtlpTracesConfig, readOtlpTracesConfig } from './otlp-traces.js';
import { compileRoutePattern, type RoutePattern } from './routes.js';

/** What happens to trace headers a client sent, on requests the sidecar traces. */
export type IncomingTracePolicy = 'continue' | 'ignore';

export interface RouteSampleRate {
  readonly pattern: RoutePattern;
  readonly rate: number;
}

/** Sentry settings, documented in docs/SENTRY_SETUP.md and docs/CONFIGURATION.md. */
export interface SentryConfig {
  /** Unset: error tracking is off, errors are still listed at GET /errors. */
  readonly dsn: string | undefined;
  readonly environment: string;
  readonly release: string | undefined;
  readonly tracesSampleRate: number;
  /** Accepted for existing .env files; the sidecar does not profile (see docs/SENTRY_SETUP.md). */
  readonly profilesSampleRate: number;
  readonly enableTracing: boolean;
  /**
   * How spans reach Sentry: `otlp`, many traces per request to the project's OTLP endpoint
   * (falling back to envelopes once if the server refuses it), or `envelope`, one trace each.
   */
  readonly tracesProtocol: 'otlp' | 'envelope';
  /** A further OTLP destination for spans (Tempo, Jaeger, a Collector), by the OTEL_EXPORTER_OTLP_* variables. */
  readonly otlpTraces: OtlpTracesConfig;
  readonly tracesExcludeRoutes: readonly RoutePattern[];
  readonly tracesRouteSampleRates: readonly RouteSampleRate[];
  readonly incomingTraceHeaders: IncomingTracePolicy;
  readonly maxEventsPerMinute: number;
  readonly maxEventsPerFingerprintPerMinute: number;
  /**
   * Whether a 5xx the backend answered becomes an event. Off for a backend that reports its own
   * failures with a Sentry SDK: the sidecar's trace headers link its span to them instead. The
   * sidecar's own failures (backend unreachable, timeouts, resets) are captured either way.
   */
  readonly captureBackend5xx: boolean;
  /**
   * How long a backend 5xx and the backend's error event for the same request wait for each
   * other to be sent as one event (capture/error-linker.ts); 0 sends each at once.
   */
  readonly errorLinkWindowMs: number;
  readonly errorLinkMaxPending: number;
  readonly attachResponseBody: boolean;
  readonly responseBodyMaxBytes: number;
  readonly userIdHeader: string | undefined;
  readonly requestHeaders: readonly string[];
  readonly transportQueueSize: number;
  readonly transportTimeoutMs: number;
  readonly flushTimeoutMs: number;
  readonly recentErrorsSize: number;
  readonly debug: boolean;
}

/** Defaults, documented once in docs/SENTRY_SETUP.md. */
export const SENTRY_DEFAULTS = Object.freeze({
  environment: 'production',
  /** The seed integration's production advice: 10% of requests traced. */
  tracesSampleRate: 0.1,
  profilesSampleRate: 0,
  /** The backend's health, metrics and API-docs paths: polled constantly, worthless as traces. */
  tracesExcludeRoutes: [
    '/health',
    '/healthz',
    '/ready',
    '/readyz',
    '/livez',
    '/metrics',
    '/docs',
    '/docs/*',
    '/redoc',
    '/openapi.json',
    '/favicon.ico',
  ],
  incomingTraceHeaders: 'continue' as IncomingTracePolicy,
  /** One broken endpoint at 1,000 req/s must not spend a month of Sentry quota in an hour. */
  maxEventsPerMinute: 60,
  maxEventsPerFingerprintPerMinute: 10,
  responseBodyMaxBytes: 1024,
  /** Headers that help debugging and carry no credentials or client identity. */
  requestHeaders: [
    'accept',
    'accept-language',
    'content-length',
    'content-type',
    'host',
    'origin',
    'referer',
    'user-agent',
    'x-forwarded-host',
    'x-forwarded-proto',
    'x-request-id',
  ],
  /** The SDK's own transport buffer size. */
  transportQueueSize: 64,
  transportTimeoutMs: 5_000,
  /** The SDK's own shutdownTimeout. */
  flushTimeoutMs: 2_000,
  recentErrorsSize: 100,
});

const TRACE_POLICIES = ['continue', 'ignore'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Sentry refuses environments with newlines, spaces or slashes, longer than 64, or "None". */
const ENVIRONMENT = /^[^\s/]{1,64}$/;
/** Sentry refuses releases with newlines, tabs or slashes, longer than 200, or "." / "..". */
const RELEASE = /^[^\n\r\t/]{1,200}$/;

/** The DSN with its key masked, so a problem report never prints it. */
function maskDsn(value: string): string {
  return value.replace(/\/\/[^@/]*@/, '//***@');
}

function readDsn(r: EnvReader): string | undefined {
  const value = r.raw('SENTRY_DSN');
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    r.problem('SENTRY_DSN', maskDsn(value), 'must be a URL like https://<key>@<host>/<project-id>');
    return undefined;
  }
  const project = url.pathname.split('/').filter(Boolean).at(-1);
  // The SDK accepts only word characters in the key and a numeric project id; anything else it
  // rejects at run time with a console line, which would leave Sentry silently off.
  if (
    !['http:', 'https:'].includes(url.protocol) ||
    !/^\w+$/.test(url.username) ||
    (url.password !== '' && !/^\w+$/.test(url.password)) ||
    project === undefined ||
    !/^\d+$/.test(project)
  ) {
    r.problem('SENTRY_DSN', maskDsn(value), 'must be a URL like https://<key>@<host>/<project-id>');
    return undefined;
  }
  return value;
}

function readRoutes(r: EnvReader, name: string, fallback: readonly string[]): RoutePattern[] {
  const raw = r.raw(name);
  // `none` turns the default exclusions off; an empty value means "use the default".
  const sources = raw === undefined ? fallback : raw.toLowerCase() === 'none' ? [] : r.list(name);
  const patterns: RoutePattern[] = [];
  for (const source of sources) {
    try {
      patterns.push(compileRoutePattern(source));
    } catch (error) {
      r.problem(name, source, (error as Error).message);
    }
  }
  return patterns;
}

function readRouteRates(r: EnvReader): RouteSampleRate[] {
  const name = 'SENTRY_TRACES_ROUTE_SAMPLE_RATES';
  const rates: RouteSampleRate[] = [];
  for (const item of r.list(name)) {
    const eq = item.lastIndexOf('=');
    const rate = eq === -1 ? Number.NaN : Number(item.slice(eq + 1).trim());
    if (eq === -1 || item.slice(eq + 1).trim() === '' || !(rate >= 0 && rate <= 1)) {
      r.problem(name, item, 'each item must be <route pattern>=<rate from 0 to 1>, e.g. /api/events/*=0.01');
      continue;
    }
    try {
      rates.push({ pattern: compileRoutePattern(item.slice(0, eq).trim()), rate });
    } catch (error) {
      r.problem(name, item, (error as Error).message);
    }
  }
  return rates;
}

function readHeaderName(r: EnvReader, name: string): string | undefined {
  const value = r.raw(name);
  if (value === undefined) return undefined;
  if (!HEADER_NAME.test(value)) {
    r.problem(name, value, 'must be an HTTP header name');
    return undefined;
  }
  return value.toLowerCase();
}

export function readSentryConfig(r: EnvReader): SentryConfig {
  const environment = r.string('SENTRY_ENVIRONMENT', SENTRY_DEFAULTS.environment);
  if (!ENVIRONMENT.test(environment) || environment === 'None') {
    r.problem('SENTRY_ENVIRONMENT', environment, 'must be 1-64 characters without spaces or slashes');
  }
  const release = r.optionalString('SENTRY_RELEASE');
  if (release !== undefined && (!RELEASE.test(release) || release === '.' || release === '..')) {
    r.problem('SENTRY_RELEASE', release, 'must be 1-200 characters without newlines, tabs or slashes');
  }
  const requestHeaders = r.raw('SENTRY_REQUEST_HEADERS')
    ? r.list('SENTRY_REQUEST_HEADERS').map((h) => h.toLowerCase())
    : [...SENTRY_DEFAULTS.requestHeaders];
  for (const header of requestHeaders) {
    if (!HEADER_NAME.test(header)) r.problem('SENTRY_REQUEST_HEADERS', header, 'must list HTTP header names');
  }
  return {
    dsn: readDsn(r),
    environment,
    release,
    tracesSampleRate: r.number('SENTRY_TRACES_SAMPLE_RATE', SENTRY_DEFAULTS.tracesSampleRate, 0, 1),
    profilesSampleRate: r.number('SENTRY_PROFILES_SAMPLE_RATE', SENTRY_DEFAULTS.profilesSampleRate, 0, 1),
    enableTracing: r.bool('SENTRY_ENABLE_TRACING', true),
    tracesProtocol: r.oneOf('SENTRY_TRACES_PROTOCOL', 'otlp', ['otlp', 'envelope'] as const),
    otlpTraces: readOtlpTracesConfig(r),
    tracesExcludeRoutes: readRoutes(r, 'SENTRY_TRACES_EXCLUDE_ROUTES', SENTRY_DEFAULTS.tracesExcludeRoutes),
    tracesRouteSampleRates: readRouteRates(r),
    incomingTraceHeaders: r.oneOf(
      'SENTRY_INCOMING_TRACE_HEADERS',
      SENTRY_DEFAULTS.incomingTraceHeaders,
      TRACE_POLICIES,
    ),
    maxEventsPerMinute: r.int(
      'SENTRY_MAX_EVENTS_PER_MINUTE',
      SENTRY_DEFAULTS.maxEventsPerMinute,
      0,
      1_000_000,
    ),
    maxEventsPerFingerprintPerMinute: r.int(
      'SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE',
      SENTRY_DEFAULTS.maxEventsPerFingerprintPerMinute,
      0,
      1_000_000,
    ),
    captureBackend5xx: r.bool('SENTRY_CAPTURE_BACKEND_5XX', true),
    errorLinkWindowMs: r.int('ERROR_LINK_WINDOW_MS', 2_000, 0, 60_000),
    errorLinkMaxPending: r.int('ERROR_LINK_MAX_PENDING', 10_000, 1, 1_000_000),
    attachResponseBody: r.bool('SENTRY_ATTACH_RESPONSE_BODY', false),
    responseBodyMaxBytes: r.int(
      'SENTRY_RESPONSE_BODY_MAX_BYTES',
      SENTRY_DEFAULTS.responseBodyMaxBytes,
      1,
      16_384,
    ),
    userIdHeader: readHeaderName(r, 'SENTRY_USER_ID_HEADER'),
    requestHeaders,
    transportQueueSize: r.int('SENTRY_TRANSPORT_QUEUE_SIZE', SENTRY_DEFAULTS.transportQueueSize, 1, 10_000),
    transportTimeoutMs: r.int(
      'SENTRY_TRANSPORT_TIMEOUT_MS',
      SENTRY_DEFAULTS.transportTimeoutMs,
      100,
      120_000,
    ),
    flushTimeoutMs: r.int('SENTRY_FLUSH_TIMEOUT_MS', SENTRY_DEFAULTS.flushTimeoutMs, 0, 60_000),
    recentErrorsSize: r.int('RECENT_ERRORS_SIZE', SENTRY_DEFAULTS.recentErrorsSize, 1, 10_000),
    debug: r.bool('SENTRY_DEBUG', false),
  };
}

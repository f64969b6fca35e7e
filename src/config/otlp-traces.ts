import type { EnvReader } from './env.js';

/**
 * Where spans go besides Sentry, by the OpenTelemetry exporter variables every SDK reads:
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL), else `OTEL_EXPORTER_OTLP_ENDPOINT` with
 * `/v1/traces` appended; headers, timeout and compression the same way, the `_TRACES_` variable
 * first. Only OTLP/HTTP with protobuf is spoken.
 */
export interface OtlpTracesConfig {
  readonly endpoint: URL | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: 'gzip' | 'none';
}

/** The specification's default export timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** `key1=value1,key2=value2`, values percent-decoded, as the specification writes them. */
function readHeaders(r: EnvReader, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of r.list(name)) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      r.problem(name, '(hidden)', 'items must look like key=value, the key a header name');
      continue;
    }
    try {
      out[key.toLowerCase()] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      r.problem(name, '(hidden)', `the value of ${key} is not valid percent-encoding`);
    }
  }
  return out;
}

function endpointOf(r: EnvReader): URL | undefined {
  const traces = r.url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http', 'https'], false);
  if (traces !== undefined) return traces;
  const base = r.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http', 'https'], false);
  if (base === undefined) return undefined;
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/traces`;
  return url;
}

export function readOtlpTracesConfig(r: EnvReader): OtlpTracesConfig {
  const specific = r.raw('OTEL_EXPORTER_OTLP_TRACES_HEADERS') !== undefined;
  const headers = readHeaders(
    r,
    specific ? 'OTEL_EXPORTER_OTLP_TRACES_HEADERS' : 'OTEL_EXPORTER_OTLP_HEADERS',
  );
  const timeoutName =
    r.raw('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') !== undefined
      ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
      : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const compressionName =
    r.raw('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') !== undefined
      ? 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION'
      : 'OTEL_EXPORTER_OTLP_COMPRESSION';
  return {
    endpoint: endpointOf(r),
    headers,
    timeoutMs: r.int(timeoutName, DEFAULT_TIMEOUT_MS, 100, 120_000),
    compression: r.oneOf(compressionName, 'none', ['gzip', 'none'] as const),
  };
}

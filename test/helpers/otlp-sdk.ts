import type { Meter } from '@opentelemetry/api';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

export interface SdkOptions {
  readonly adminUrl: string;
  readonly encoding: 'protobuf' | 'json';
  readonly temporality: 'delta' | 'cumulative';
  readonly token?: string;
  readonly resource?: Record<string, string>;
}

export interface Sdk {
  readonly meter: Meter;
  /** Exports what was recorded since the last export (the reader's whole cycle). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry JavaScript SDK as a backend would run it, exporting to the sidecar's
 * POST /v1/metrics with the protobuf or the JSON OTLP exporter. `app.payload.size` is aggregated
 * as an exponential histogram and `app.job.duration` on the bounds [0.1, 1, 10] by views.
 */
export function startSdk(options: SdkOptions): Sdk {
  const config = {
    url: `${options.adminUrl}/v1/metrics`,
    headers: (options.token ? { authorization: `Bearer ${options.token}` } : {}) as Record<string, string>,
    temporalityPreference:
      options.temporality === 'delta'
        ? AggregationTemporalityPreference.DELTA
        : AggregationTemporalityPreference.CUMULATIVE,
  };
  const exporter = options.encoding === 'protobuf' ? new ProtoExporter(config) : new JsonExporter(config);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.instance.id': 'checkout-1',
      'deployment.environment.name': 'test',
      ...options.resource,
    }),
    readers: [reader],
    views: [
      { instrumentName: 'app.payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
      {
        instrumentName: 'app.job.duration',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [0.1, 1, 10] },
        },
      },
    ],
  });
  return {
    meter: provider.getMeter('checkout-meter', '1.2.0'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

import { describe, expect, it } from 'vitest';
import { labelName, metricName } from '../../../src/otlp/names.js';

describe('OTLP names as Prometheus names', () => {
  it('adds unit suffixes and _total as the compatibility specification does', () => {
    expect(metricName('db.client.operation.duration', 's', 'histogram')).toBe(
      'db_client_operation_duration_seconds',
    );
    expect(metricName('http.server.request.body.size', 'By', 'histogram')).toBe(
      'http_server_request_body_size_bytes',
    );
    expect(metricName('app.jobs.processed', '{job}', 'counter')).toBe('app_jobs_processed_total');
    expect(metricName('app.requests_total', '1', 'counter')).toBe('app_requests_total');
    expect(metricName('system.cpu.utilization', '1', 'gauge')).toBe('system_cpu_utilization_ratio');
    expect(metricName('net.io', 'By/s', 'gauge')).toBe('net_io_bytes_per_second');
    expect(metricName('app.temperature', 'Cel', 'gauge')).toBe('app_temperature_celsius');
    expect(metricName('latency_seconds', 's', 'histogram')).toBe('latency_seconds');
    expect(metricName('2xx.count', '', 'gauge')).toBe('_2xx_count');
    expect(metricName('weird--name..x', 'ms', 'gauge')).toBe('weird_name_x_milliseconds');
    expect(metricName('..', '', 'gauge')).toBe('');
  });

  it('makes label names Prometheus accepts', () => {
    expect(labelName('http.route')).toBe('http_route');
    expect(labelName('0day')).toBe('key_0day');
    expect(labelName('__meta')).toBe('key__meta');
    expect(labelName('')).toBe('');
  });
});

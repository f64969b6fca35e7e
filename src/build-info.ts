import type { Registry } from 'prom-client';
import { promGauge } from './metrics/create-metric.js';
import { declareMetrics } from './metrics/declaration.js';

export const BUILD_INFO_METRICS = declareMetrics({
  buildInfo: {
    name: 'sidecar_build_info',
    type: 'gauge',
    help: 'Always 1; labels carry the sidecar version and the Node.js version.',
    labelNames: ['version', 'nodejs_version'],
  },
});

/** The info-metric idiom: one series at 1 whose labels say what is running. */
export function registerBuildInfo(registry: Registry, version: string): void {
  promGauge(registry, BUILD_INFO_METRICS.buildInfo).set({ version, nodejs_version: process.version }, 1);
}

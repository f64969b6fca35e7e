import * as Sentry from '@sentry/node';

/**
 * Loaded with `--import` before the proxy, as Sentry's Node guide asks, so that its
 * OpenTelemetry instrumentation of http and express is in place when they load.
 */
Sentry.init({ dsn: process.env.SENTRY_DSN, tracesSampleRate: 0.1 });

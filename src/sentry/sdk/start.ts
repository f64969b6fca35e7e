import type { SentryClientOptions } from './client-options.js';
import type { SdkAdapter } from './sdk-adapter.js';

/**
 * Starts the Sentry client, loading the SDK only now, not when the program loads: a sidecar
 * without a DSN never loads it (the bundle keeps it in a chunk of its own).
 */
export async function startSentryClient(options: SentryClientOptions): Promise<SdkAdapter> {
  const { createSentryClient } = await import('./sentry-client.js');
  return createSentryClient(options);
}

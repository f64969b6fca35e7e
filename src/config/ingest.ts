import type { EnvReader } from './env.js';

/** Ingest API settings. Only INGEST_TOKEN so far; the ingest subsystem extends this section. */
export interface IngestConfig {
  readonly token: string | undefined;
}

export function readIngestConfig(r: EnvReader): IngestConfig {
  return { token: r.optionalString('INGEST_TOKEN') };
}

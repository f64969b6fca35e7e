import { Writable } from 'node:stream';
import { type DemoBackend, startDemoBackend } from '../../examples/demo/backend.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { createSidecar, type Sidecar } from '../../src/sidecar.js';

export interface LogCapture {
  readonly lines: Array<Record<string, unknown>>;
  text(): string;
}

export interface RunningSidecar {
  readonly sidecar: Sidecar;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly proxyPort: number;
  readonly adminPort: number;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

/** A logger writing JSON lines into memory, so tests can assert on what was (not) logged. */
export function captureLogs(level = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = createLogger(level, stream);
  return { logger, logs: { lines, text: () => raw.join('\n') } satisfies LogCapture };
}

/** A real sidecar on port 0 in front of `upstreamUrl`, configured through the same env variables users set. */
export async function startSidecar(
  upstreamUrl: string,
  env: Record<string, string> = {},
): Promise<RunningSidecar> {
  const config = loadConfig({
    UPSTREAM_URL: upstreamUrl,
    PORT: '0',
    ADMIN_PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_HOST: '127.0.0.1',
    UPSTREAM_HEALTH_INTERVAL_MS: '200',
    // Suites about other things leave the probe's requests out of what their backends saw by
    // its path; readiness.test.ts unsets it.
    UPSTREAM_HEALTH_PATH: '/health',
    // Nor wait for a backend 5xx's other half: error-links.test.ts turns linking on.
    ERROR_LINK_WINDOW_MS: '0',
    // The suites about spans read them as envelopes; otlp-spans.test.ts sends them over OTLP.
    SENTRY_TRACES_PROTOCOL: 'envelope',
    SHUTDOWN_TIMEOUT_MS: '2000',
    // Suites about other things must not see discovery's requests on their backends; those
    // about route labels turn it on.
    OPENAPI_URL: 'off',
    ...env,
  });
  const { logger, logs } = captureLogs();
  const sidecar = createSidecar(config, { logger });
  const { proxyPort, adminPort } = await sidecar.listen();
  return {
    sidecar,
    proxyPort,
    adminPort,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    logs,
    close: () => sidecar.close(),
  };
}

/** The demo backend and a sidecar in front of it. */
export async function startStack(
  env: Record<string, string> = {},
): Promise<RunningSidecar & { backend: DemoBackend }> {
  const backend = await startDemoBackend();
  const running = await startSidecar(backend.url, env);
  return {
    ...running,
    backend,
    close: async () => {
      await running.close();
      await backend.close();
    },
  };
}

import { type ConfigProblem, type Env, EnvReader } from './env.js';
import { type IngestConfig, readIngestConfig } from './ingest.js';
import { type OpenApiConfig, readOpenApiConfig } from './openapi.js';
import { isOwnHost, portOf } from './own-address.js';
import { type RoutesConfig, readRoutesConfig } from './routes.js';
import { readSentryConfig, type SentryConfig } from './sentry.js';
import { readSystemConfig, type SystemConfig } from './system.js';
import { compileTrust, type TrustProxy } from './trust-proxy.js';
import { unknownSettings } from './unknown-settings.js';

/** Defaults, documented once in docs/CONFIGURATION.md. */
export const DEFAULTS = Object.freeze({
  host: '0.0.0.0',
  port: 8080,
  adminHost: '0.0.0.0',
  adminPort: 9464,
  /** LLM generations and speech synthesis routinely take minutes; nginx's 60 s would cut them. */
  upstreamTimeoutMs: 300_000,
  upstreamConnectTimeoutMs: 5_000,
  upstreamMaxSockets: 256,
  /** Below uvicorn's and gunicorn's 5 s keep-alive, so the sidecar never reuses a socket the backend is closing. */
  upstreamIdleTimeoutMs: 4_000,
  upstreamHealthIntervalMs: 5_000,
  /** nginx answers 414 to a request line over one of its 8 KiB header buffers (large_client_header_buffers). */
  maxUrlBytes: 8_192,
  /** Time a client has to send a whole request head; a slowloris client never does. */
  clientHeaderTimeoutMs: 30_000,
  /** nginx's send_timeout: a client that reads nothing of a response for a minute is gone. */
  clientSendTimeoutMs: 60_000,
  shutdownTimeoutMs: 25_000,
  logLevel: 'info',
  trustProxy: 'loopback, uniquelocal',
});

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly proxy: {
    readonly host: string;
    readonly port: number;
    readonly trustProxy: TrustProxy;
    readonly preserveHost: boolean;
    /** Longest request target (path and query) accepted; longer ones get 414. */
    readonly maxUrlBytes: number;
    /** Longest time a client may take to send a request head; past it, 408 and the connection closes. */
    readonly clientHeaderTimeoutMs: number;
    /** Longest time a client may read nothing of a response the sidecar is waiting to write. */
    readonly clientSendTimeoutMs: number;
  };
  readonly upstream: {
    readonly url: URL;
    readonly timeoutMs: number;
    readonly connectTimeoutMs: number;
    readonly maxSockets: number;
    readonly idleTimeoutMs: number;
    /**
     * Path probed for readiness, answered 2xx or 3xx when the backend is up; undefined probes
     * UPSTREAM_URL itself, where any answer below 500 means up.
     */
    readonly healthPath: string | undefined;
    readonly healthIntervalMs: number;
  };
  readonly admin: {
    readonly host: string;
    readonly port: number;
  };
  readonly routes: RoutesConfig;
  readonly sentry: SentryConfig;
  readonly ingest: IngestConfig;
  readonly system: SystemConfig;
  readonly openapi: OpenApiConfig;
  readonly shutdownTimeoutMs: number;
  readonly accessLog: boolean;
  /** GET / (the status page) and GET /status.json on the admin port. */
  readonly statusPage: boolean;
  /** Variables that look meant as settings but are not (unknown-settings.ts), for the log and --check-config. */
  readonly warnings: readonly string[];
  readonly logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems
          .map(
            (p) =>
              `  - ${p.variable}=${p.value === undefined ? '(unset)' : JSON.stringify(p.value)}: ${p.rule}`,
          )
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL) && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads the whole configuration from the environment, once, at start-up. Every problem is
 * collected and thrown together as a ConfigError, so an operator fixes them in one round.
 */
export function loadConfig(env: Env = process.env): Config {
  const r = new EnvReader(env);

  const upstreamUrl = r.url('UPSTREAM_URL', ['http', 'https'], true);
  const healthPath = r.optionalString('UPSTREAM_HEALTH_PATH');
  if (healthPath !== undefined && !healthPath.startsWith('/'))
    r.problem('UPSTREAM_HEALTH_PATH', healthPath, `must start with /; did you mean /${healthPath}?`);

  let trustProxy: TrustProxy = compileTrust(DEFAULTS.trustProxy);
  const trustRaw = r.raw('TRUST_PROXY');
  if (trustRaw !== undefined) {
    try {
      trustProxy = compileTrust(trustRaw);
    } catch (error) {
      r.problem('TRUST_PROXY', trustRaw, (error as Error).message);
    }
  }

  const port = r.int('PORT', DEFAULTS.port, 0, 65_535);
  const adminPort = r.int('ADMIN_PORT', DEFAULTS.adminPort, 0, 65_535);
  if (upstreamUrl !== undefined && isOwnHost(upstreamUrl.hostname)) {
    const own = portOf(upstreamUrl);
    const which = own === port ? `PORT=${port}` : own === adminPort ? `ADMIN_PORT=${adminPort}` : undefined;
    if (which !== undefined) {
      r.problem(
        'UPSTREAM_URL',
        upstreamUrl.href,
        `is this sidecar's own address (${which}): every request would come back to it. Point it at the backend, e.g. http://127.0.0.1:8000`,
      );
    }
  }
  if (port !== 0 && port === adminPort) {
    r.problem(
      'ADMIN_PORT',
      String(adminPort),
      'must differ from PORT: the admin port is never shared with traffic',
    );
  }

  const config: Config = {
    proxy: {
      host: r.string('HOST', DEFAULTS.host),
      port,
      trustProxy,
      preserveHost: r.bool('PRESERVE_HOST', true),
      // Above 16 KiB the whole head is refused anyway (431), whatever this says.
      maxUrlBytes: r.int('MAX_URL_BYTES', DEFAULTS.maxUrlBytes, 256, 16_384),
      clientHeaderTimeoutMs: r.int(
        'CLIENT_HEADER_TIMEOUT_MS',
        DEFAULTS.clientHeaderTimeoutMs,
        1_000,
        600_000,
      ),
      clientSendTimeoutMs: r.int('CLIENT_SEND_TIMEOUT_MS', DEFAULTS.clientSendTimeoutMs, 100, 3_600_000),
    },
    upstream: {
      url: upstreamUrl ?? new URL('http://invalid.invalid'),
      timeoutMs: r.int('UPSTREAM_TIMEOUT_MS', DEFAULTS.upstreamTimeoutMs, 1, 86_400_000),
      connectTimeoutMs: r.int('UPSTREAM_CONNECT_TIMEOUT_MS', DEFAULTS.upstreamConnectTimeoutMs, 1, 600_000),
      maxSockets: r.int('UPSTREAM_MAX_SOCKETS', DEFAULTS.upstreamMaxSockets, 1, 65_535),
      idleTimeoutMs: r.int('UPSTREAM_IDLE_TIMEOUT_MS', DEFAULTS.upstreamIdleTimeoutMs, 100, 3_600_000),
      healthPath,
      healthIntervalMs: r.int(
        'UPSTREAM_HEALTH_INTERVAL_MS',
        DEFAULTS.upstreamHealthIntervalMs,
        100,
        3_600_000,
      ),
    },
    admin: {
      host: r.string('ADMIN_HOST', DEFAULTS.adminHost),
      port: adminPort,
    },
    routes: readRoutesConfig(r),
    sentry: readSentryConfig(r),
    ingest: readIngestConfig(r),
    system: readSystemConfig(r),
    openapi: readOpenApiConfig(r),
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', DEFAULTS.shutdownTimeoutMs, 0, 600_000),
    logLevel: r.oneOf('LOG_LEVEL', DEFAULTS.logLevel, LOG_LEVELS),
    accessLog: r.bool('ACCESS_LOG', false),
    statusPage: r.bool('STATUS_PAGE', true),
    warnings: unknownSettings(env, r.names),
  };

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

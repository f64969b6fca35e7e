import type { EnvReader } from './env.js';

/** Defaults of the system-metrics section, documented once in docs/CONFIGURATION.md. */
export const SYSTEM_DEFAULTS = Object.freeze({
  intervalMs: 15_000,
  /** Upper bound of one collector run; the effective default is min(this, the interval). */
  timeoutMs: 5_000,
  tlsPort: 443,
});

/** The background collectors, each with its own SYSTEM_METRICS_<NAME> switch. */
export const COLLECTOR_NAMES = [
  'host',
  'filesystem',
  'disk',
  'network',
  'cgroup',
  'backend_process',
  'certificates',
  'upstream_pool',
] as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[number];

/** How the backend's process is found under /proc; at most one way is configured. */
export type BackendProcessTarget =
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'pid_file'; readonly path: string }
  | { readonly kind: 'match'; readonly pattern: RegExp; readonly source: string };

export interface TlsProbeTarget {
  readonly host: string;
  readonly port: number;
  /** SNI name sent in the handshake; undefined for IP addresses without an explicit name. */
  readonly servername: string | undefined;
  /** As configured, used as the `source` label. */
  readonly source: string;
}

export interface SystemConfig {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Which collectors are switched on (SYSTEM_METRICS_ENABLED and each SYSTEM_METRICS_<NAME>). */
  readonly collectors: Readonly<Record<CollectorName, boolean>>;
  readonly backendProcess: BackendProcessTarget | undefined;
  readonly tlsCertFiles: readonly string[];
  readonly tlsProbeTargets: readonly TlsProbeTarget[];
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Parses `host:port`, `[ipv6]:port` or `host` (port 443), optionally prefixed with the SNI name
 * to send: `example.com@nginx:443` connects to nginx and asks for example.com's certificate.
 */
export function parseTlsProbeTarget(source: string): TlsProbeTarget {
  let rest = source;
  let servername: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    servername = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!servername) throw new Error('the name before @ is empty');
  }
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else {
    const parts = rest.split(':');
    if (parts.length > 2) throw new Error('write IPv6 addresses in brackets: [::1]:443');
    host = parts[0]!;
    portText = parts[1];
  }
  if (!host || /[\s/]/.test(host)) throw new Error('must be host:port, e.g. nginx:443');
  const port = portText === undefined ? SYSTEM_DEFAULTS.tlsPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error('port must be 1 to 65535');
  const isIp = IPV4.test(host) || host.includes(':');
  return { host, port, servername: servername ?? (isIp ? undefined : host), source };
}

export function readSystemConfig(r: EnvReader): SystemConfig {
  const intervalMs = r.int('SYSTEM_METRICS_INTERVAL_MS', SYSTEM_DEFAULTS.intervalMs, 100, 3_600_000);
  const timeoutMs = r.int(
    'SYSTEM_METRICS_TIMEOUT_MS',
    Math.min(SYSTEM_DEFAULTS.timeoutMs, intervalMs),
    10,
    600_000,
  );
  const enabled = r.bool('SYSTEM_METRICS_ENABLED', true);
  const collectors = {} as Record<CollectorName, boolean>;
  for (const name of COLLECTOR_NAMES) {
    collectors[name] = r.bool(`SYSTEM_METRICS_${name.toUpperCase()}`, true) && enabled;
  }

  const ways: BackendProcessTarget[] = [];
  const pidRaw = r.raw('BACKEND_PID');
  if (pidRaw !== undefined) {
    const pid = r.int('BACKEND_PID', 0, 1, 4_194_304);
    if (pid > 0) ways.push({ kind: 'pid', pid });
  }
  const pidFile = r.optionalString('BACKEND_PID_FILE');
  if (pidFile !== undefined) ways.push({ kind: 'pid_file', path: pidFile });
  const match = r.optionalString('BACKEND_PROCESS_MATCH');
  if (match !== undefined) {
    try {
      ways.push({ kind: 'match', pattern: new RegExp(match), source: match });
    } catch (error) {
      r.problem(
        'BACKEND_PROCESS_MATCH',
        match,
        `must be a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  if (ways.length > 1) {
    r.problem(
      'BACKEND_PROCESS_MATCH',
      ways.map((w) => w.kind).join(', '),
      'set only one of BACKEND_PID, BACKEND_PID_FILE and BACKEND_PROCESS_MATCH',
    );
  }

  const tlsProbeTargets: TlsProbeTarget[] = [];
  for (const source of r.list('TLS_PROBE_TARGETS')) {
    try {
      tlsProbeTargets.push(parseTlsProbeTarget(source));
    } catch (error) {
      r.problem('TLS_PROBE_TARGETS', source, (error as Error).message);
    }
  }

  return {
    intervalMs,
    timeoutMs,
    collectors,
    backendProcess: ways[0],
    tlsCertFiles: r.list('TLS_CERT_FILES'),
    tlsProbeTargets,
  };
}

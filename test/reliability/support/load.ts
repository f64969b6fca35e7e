import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A closed-loop load generator on node:http keep-alive agents: `concurrency` workers each send
 * one request at a time until `total` were sent. It counts exactly what the clients saw: the
 * status line of every response (also when its body broke off later), and every request that
 * got no status at all, by error code.
 */

export interface RequestSpec {
  readonly method?: string;
  readonly path: string;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: Buffer | string;
}

export interface Seen {
  readonly index: number;
  readonly spec: RequestSpec;
  /** The status the client read, or undefined when no response arrived. */
  readonly status: number | undefined;
  /** Whether the response body arrived whole. */
  readonly complete: boolean;
  readonly body: Buffer | undefined;
  readonly headers: http.IncomingHttpHeaders | undefined;
  /** The error code when no response arrived (ECONNRESET, ECONNREFUSED, …). */
  readonly error: string | undefined;
  readonly ms: number;
}

export interface Tally {
  readonly sent: number;
  /** Responses by status code, complete or not. */
  readonly byStatus: Map<number, number>;
  /** Responses whose body broke off after the headers, by status. */
  readonly incomplete: Map<number, number>;
  /** Requests that got no response at all, by error code. */
  readonly errors: Map<string, number>;
  readonly responseBytes: number;
  readonly elapsedMs: number;
  /** Latency of complete responses, milliseconds, sorted. */
  readonly latencies: Float64Array;
}

export interface LoadOptions {
  readonly total: number;
  readonly concurrency: number;
  readonly spec: (index: number) => RequestSpec;
  /** Keep the bodies of responses for `check` (default false: only their length is counted). */
  readonly keepBodies?: boolean;
  /** Called for every request once it is done, e.g. to assert on its answer. */
  readonly check?: (seen: Seen) => void;
  /** Upper bound for one request; past it the client gives up and counts ETIMEDOUT. */
  readonly requestTimeoutMs?: number;
  /** Checked before each request: once it returns true, no more requests are sent. */
  readonly until?: () => boolean;
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summary(tally: Tally): string {
  const statuses = [...tally.byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  const errors = [...tally.errors.entries()].map(([e, n]) => `${e}×${n}`).join(' ');
  const rate = (tally.sent / tally.elapsedMs) * 1000;
  return (
    `${tally.sent} requests in ${(tally.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)}/s); ` +
    `statuses ${statuses}${errors ? `; no response: ${errors}` : ''}; ` +
    `p50 ${percentile(tally.latencies, 50).toFixed(1)} ms, p99 ${percentile(tally.latencies, 99).toFixed(1)} ms`
  );
}

export function statusCounts(tally: Tally): Record<string, number> {
  return Object.fromEntries([...tally.byStatus.entries()].map(([s, n]) => [String(s), n]));
}

function once(
  agent: http.Agent,
  base: URL,
  index: number,
  spec: RequestSpec,
  keepBody: boolean,
  timeoutMs: number,
): Promise<Seen> {
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    let status: number | undefined;
    let headers: http.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (complete: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        index,
        spec,
        status,
        complete,
        headers,
        body: keepBody ? Buffer.concat(chunks) : Buffer.alloc(length),
        error: status === undefined ? (error ?? 'UNKNOWN') : undefined,
        ms: performance.now() - started,
      });
    };
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: spec.method ?? 'GET',
        path: spec.path,
        headers: spec.headers,
      },
      (res) => {
        status = res.statusCode;
        headers = res.headers;
        res.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (keepBody) chunks.push(chunk);
        });
        res.on('end', () => done(res.complete));
        res.on('aborted', () => done(false));
        res.on('error', () => done(false));
        res.on('close', () => done(res.complete));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => done(false, error.code ?? error.message));
    req.end(spec.body);
  });
}

export async function runLoad(baseUrl: string, options: LoadOptions): Promise<Tally> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, scheduling: 'lifo' });
  const byStatus = new Map<number, number>();
  const incomplete = new Map<number, number>();
  const errors = new Map<string, number>();
  const latencies: number[] = [];
  let responseBytes = 0;
  let next = 0;
  let sent = 0;
  const started = performance.now();
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const worker = async () => {
    for (;;) {
      if (next >= options.total || options.until?.()) return;
      const index = next++;
      sent++;
      const spec = options.spec(index);
      const seen = await once(agent, base, index, spec, options.keepBodies ?? false, timeoutMs);
      if (seen.status === undefined) {
        bump(errors, seen.error ?? 'UNKNOWN');
      } else {
        bump(byStatus, seen.status);
        if (!seen.complete) bump(incomplete, seen.status);
        else latencies.push(seen.ms);
        responseBytes += seen.body?.length ?? 0;
      }
      options.check?.(seen);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    sent,
    byStatus,
    incomplete,
    errors,
    responseBytes,
    elapsedMs,
    latencies: Float64Array.from(latencies).sort(),
  };
}

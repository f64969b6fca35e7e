import http from 'node:http';

/**
 * An open-loop load generator: sends requests at a fixed rate whatever the server does, and
 * measures each latency from the moment the request was due (so a stalled server is charged for
 * the queue it causes). autocannon rounds latencies to whole milliseconds and wrk cannot hold a
 * fixed rate, and the figures here are fractions of a millisecond.
 */
export interface FixedRateResult {
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface FixedRateOptions {
  /** Most requests in flight at once (the generator's connections). */
  connections?: number;
  /**
   * Seconds of the same load, on the same connections, before measuring: without it the first
   * requests would pay for opening up to `connections` connections, enough of them to be the p99.
   */
  warmupSeconds?: number;
}

export async function fixedRate(
  url: string,
  rate: number,
  seconds: number,
  { connections = 64, warmupSeconds = 1 }: FixedRateOptions = {},
): Promise<FixedRateResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    if (warmupSeconds > 0) await run(url, agent, rate, warmupSeconds);
    return await run(url, agent, rate, seconds);
  } finally {
    agent.destroy();
  }
}

async function run(url: string, agent: http.Agent, rate: number, seconds: number): Promise<FixedRateResult> {
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let ok = 0;
  let errors = 0;
  let sent = 0;
  let done = 0;
  const start = performance.now();
  const interval = 1000 / rate;
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total) resolve();
    };
    const fire = (due: number) => {
      const req = http.get(url, { agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          latencies[ok++] = performance.now() - due;
          finish();
        });
      });
      req.on('error', () => {
        errors++;
        finish();
      });
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const sorted = latencies.subarray(0, ok).sort();
  return {
    sent: total,
    ok,
    errors,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

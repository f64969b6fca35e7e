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

/** The middle value (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const ms = (x: number) => x.toFixed(3);

export interface FixedRateOptions {
  /** Most requests in flight at once (the generator's connections). */
  connections?: number;
  /**
   * Seconds of the same load, on the same connections, before measuring: without it the first
   * requests would pay for opening up to `connections` connections, enough of them to be the p99.
   */
  warmupSeconds?: number;
  /** Called as the measured run starts, after the warm-up: the time its windows count from. */
  onStart?: () => void;
}

export async function fixedRate(
  url: string,
  rate: number,
  seconds: number,
  options: FixedRateOptions = {},
): Promise<FixedRateResult> {
  return (await fixedRateTimeline(url, rate, seconds, options)).window(0, seconds * 1000);
}

/** Every request of a measured run, by when it was due, to summarise any stretch of it. */
export interface FixedRateTimeline {
  /** The requests due in [fromMs, toMs) after the run's start. */
  window(fromMs: number, toMs: number): FixedRateResult;
}

/** As fixedRate, keeping each request's due time: one long run, summarised phase by phase. */
export async function fixedRateTimeline(
  url: string,
  rate: number,
  seconds: number,
  { connections = 64, warmupSeconds = 1, onStart }: FixedRateOptions = {},
): Promise<FixedRateTimeline> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    if (warmupSeconds > 0) await run(url, agent, rate, warmupSeconds);
    return await run(url, agent, rate, seconds, onStart);
  } finally {
    agent.destroy();
  }
}

async function run(
  url: string,
  agent: http.Agent,
  rate: number,
  seconds: number,
  onStart?: () => void,
): Promise<FixedRateTimeline> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  // By request number, which orders them by due time: request i was due at i * interval.
  const latencies = new Float64Array(total);
  const failed = new Uint8Array(total);
  let done = 0;
  let sent = 0;
  const start = performance.now();
  onStart?.();
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total) resolve();
    };
    const fire = (i: number) => {
      const due = start + i * interval;
      const req = http.get(url, { agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          latencies[i] = performance.now() - due;
          finish();
        });
      });
      req.on('error', () => {
        failed[i] = 1;
        finish();
      });
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) fire(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  return {
    window(fromMs, toMs) {
      // Request i is due at i * 1000 / rate ms: in the window when fromMs <= that < toMs.
      const first = Math.max(0, Math.ceil((fromMs * rate) / 1000));
      const end = Math.min(total, Math.ceil((toMs * rate) / 1000));
      const ok: number[] = [];
      let errors = 0;
      for (let i = first; i < end; i++) {
        if (failed[i]) errors++;
        else ok.push(latencies[i]!);
      }
      const sorted = Float64Array.from(ok).sort();
      return {
        sent: Math.max(0, end - first),
        ok: sorted.length,
        errors,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      };
    },
  };
}

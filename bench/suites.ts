import http from 'node:http';
import { fixedRate, percentile } from './fixed-rate.js';

/**
 * The benchmark's second half: ingest throughput, scrape cost, and what a broken Sentry does to
 * proxied latency. Each function gets the URLs of an already started sidecar.
 */

const EVENT_KINDS = [
  { type: 'db.query', system: 'postgresql', operation: 'SELECT', collection: 'accounts', duration_s: 0.004 },
  { type: 'cache.operation', cache: 'redis', operation: 'get', result: 'hit', duration_s: 0.0003 },
  {
    type: 'llm.request',
    provider: 'openai',
    model: 'gpt-4o-mini',
    operation: 'chat',
    duration_s: 1.2,
    input_tokens: 400,
    output_tokens: 90,
  },
  {
    type: 'speech.request',
    operation: 'text_to_speech',
    provider: 'azure',
    outcome: 'success',
    duration_s: 0.8,
  },
  { type: 'auth.attempt', method: 'password', outcome: 'success' },
  { type: 'chat.message', role: 'user', channel: 'web' },
  { type: 'transaction', transaction_type: 'transfer', outcome: 'success', channel: 'web' },
  {
    type: 'storage.operation',
    operation: 'upload',
    backend: 's3',
    outcome: 'success',
    duration_s: 0.05,
    bytes: 20_000,
  },
];

export function post(
  agent: http.Agent,
  url: string,
  body: string | Buffer,
  contentType = 'application/json',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Closed loop over `connections` keep-alive connections for `seconds`; returns requests/s. */
export async function closedLoopPost(
  url: string,
  body: string | Buffer,
  seconds: number,
  connections: number,
  contentType = 'application/json',
): Promise<{ rps: number; failures: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const status = await post(agent, url, body, contentType);
        if (status === 200) done++;
        else failures++;
      }
    }),
  );
  agent.destroy();
  return { rps: done / seconds, failures };
}

export async function ingestThroughput(
  adminUrl: string,
  seconds: number,
): Promise<{ eventsPerSecondBatched: number; singleEventRequestsPerSecond: number }> {
  const batch = JSON.stringify({
    events: Array.from({ length: 100 }, (_, i) => EVENT_KINDS[i % EVENT_KINDS.length]),
  });
  const single = JSON.stringify(EVENT_KINDS[0]);
  await closedLoopPost(`${adminUrl}/v1/events`, batch, 1, 8); // warm-up
  const batched = await closedLoopPost(`${adminUrl}/v1/events`, batch, seconds, 8);
  const one = await closedLoopPost(`${adminUrl}/v1/events`, single, seconds, 8);
  if (batched.failures || one.failures)
    throw new Error(`ingest answered non-200 ${batched.failures + one.failures} times`);
  return { eventsPerSecondBatched: batched.rps * 100, singleEventRequestsPerSecond: one.rps };
}

/** Median and p99 time to fetch /metrics, and how many sample lines it has. */
export async function scrapeTime(
  adminUrl: string,
  scrapes = 30,
): Promise<{ series: number; medianMs: number; p99Ms: number; bytes: number }> {
  const times: number[] = [];
  let series = 0;
  let bytes = 0;
  for (let i = 0; i < scrapes; i++) {
    const started = performance.now();
    const res = await fetch(`${adminUrl}/metrics`);
    const text = await res.text();
    times.push(performance.now() - started);
    bytes = text.length;
    series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  }
  times.sort((a, b) => a - b);
  return { series, medianMs: percentile(times, 50), p99Ms: percentile(times, 99), bytes };
}

/** Adds distinct routes until /metrics has at least `target` sample lines. */
export async function growSeries(proxyUrl: string, adminUrl: string, target: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let n = 0;
  for (;;) {
    const { series } = await scrapeTime(adminUrl, 1);
    if (series >= target) {
      agent.destroy();
      return series;
    }
    const word = (i: number) =>
      i.toString(26).replace(/./g, (c) => String.fromCharCode(97 + Number.parseInt(c, 26)));
    await Promise.all(
      Array.from({ length: 20 }, () => {
        const path = `/catalog/${word(n++)}`;
        return new Promise<void>((resolve, reject) => {
          http
            .get(`${proxyUrl}${path}`, { agent }, (res) => {
              res.resume();
              res.on('end', () => resolve());
            })
            .on('error', reject);
        });
      }),
    );
  }
}

/** Proxied latency at a fixed rate, with and without a scrape every `everyMs`. */
export async function latencyDuringScrapes(
  proxyUrl: string,
  adminUrl: string,
  rate: number,
  seconds: number,
  everyMs = 100,
) {
  const quiet = await fixedRate(`${proxyUrl}/api/users/1`, rate, seconds);
  let scraping = true;
  const scraper = (async () => {
    while (scraping) {
      await (await fetch(`${adminUrl}/metrics`)).text();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  const busy = await fixedRate(`${proxyUrl}/api/users/1`, rate, seconds);
  scraping = false;
  await scraper;
  return { quiet, busy };
}

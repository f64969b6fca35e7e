import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { errorEvent, events, type SidecarEvent } from './events.js';

const gzipAsync = promisify(gzip);

/** Defaults, documented in docs/INGEST_API.md. */
export const CLIENT_DEFAULTS = Object.freeze({
  url: 'http://127.0.0.1:9464/v1/events',
  batchSize: 100,
  flushIntervalMs: 1_000,
  maxQueue: 10_000,
  timeoutMs: 2_000,
  maxRetries: 2,
});

export interface SidecarClientOptions {
  /** The sidecar's ingest endpoint. Default: http://127.0.0.1:9464/v1/events. */
  url?: string;
  /** The sidecar's INGEST_TOKEN, when it has one. */
  token?: string;
  /** Events per request. Default 100; keep it at or below the sidecar's INGEST_MAX_EVENTS. */
  batchSize?: number;
  /** Longest an event waits in the queue. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Events held while the sidecar is slow or away; past it new events are dropped and counted. Default 10,000. */
  maxQueue?: number;
  /** Per request. Default 2000 ms. */
  timeoutMs?: number;
  /** Retries of a batch after a network error, 429 or 5xx. Default 2. Event ids make retries safe. */
  maxRetries?: number;
  /** Compress request bodies with gzip. Default false (the sidecar is usually on loopback). */
  gzip?: boolean;
  /** Send what is queued when the process is about to exit on its own (beforeExit). Default true. */
  flushOnExit?: boolean;
  /** Told about failures, for the application's own diagnostics. Never required; never awaited. */
  onError?: (error: Error) => void;
}

export interface ClientStats {
  /** Events waiting to be sent. */
  queued: number;
  /** Events the sidecar recorded. */
  accepted: number;
  /** Events the sidecar had seen already (retries). */
  duplicates: number;
  /** Events the sidecar refused as invalid; see onError for the reasons. */
  rejected: number;
  /** Events lost: queue full, or a batch that failed after every retry. */
  dropped: number;
  /** Requests that failed (network error, timeout, unexpected status). */
  failedRequests: number;
}

interface Batch {
  events: SidecarEvent[];
  attempts: number;
}

interface IngestAnswer {
  accepted?: number;
  duplicates?: number;
  rejected?: Array<{ index: number; reason: string }>;
  error?: string;
  message?: string;
}

/**
 * Pushes events to the sidecar's ingest API in batches. It never throws into the caller and
 * never blocks it: `send()` only queues. A full queue drops new events (counted in stats), so a
 * missing sidecar costs the application a bounded amount of memory and nothing else.
 */
export class SidecarClient {
  private readonly options: Required<Omit<SidecarClientOptions, 'token' | 'onError'>> &
    Pick<SidecarClientOptions, 'token' | 'onError'>;
  private queue: SidecarEvent[] = [];
  private retry: Batch | undefined;
  private readonly counters = { accepted: 0, duplicates: 0, rejected: 0, dropped: 0, failedRequests: 0 };
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;
  private readonly onBeforeExit = () => {
    if (this.queue.length > 0 || this.retry !== undefined) void this.flush();
  };

  constructor(options: SidecarClientOptions = {}) {
    this.options = {
      ...CLIENT_DEFAULTS,
      gzip: false,
      flushOnExit: true,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
    if (this.options.flushOnExit) process.on('beforeExit', this.onBeforeExit);
  }

  /** Queues one event; an event_id is added so that retries are counted once. */
  send(event: SidecarEvent): void {
    try {
      if (event === null || typeof event !== 'object') throw new TypeError('an event must be an object');
      if (this.closed || this.queue.length + (this.retry?.events.length ?? 0) >= this.options.maxQueue) {
        this.counters.dropped++;
        return;
      }
      this.queue.push(event.event_id === undefined ? { ...event, event_id: randomUUID() } : event);
      if (this.queue.length >= this.options.batchSize && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    } catch (error) {
      this.report(error);
    }
  }

  /** Queues an `error` event built from a thrown value. */
  captureError(error: unknown, extra?: Parameters<typeof errorEvent>[1]): void {
    try {
      this.send(errorEvent(error, extra));
    } catch (failure) {
      this.report(failure);
    }
  }

  /** Sends everything queued. Resolves when done or given up on; never rejects. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    if (this.queue.length === 0 && this.retry === undefined) return;
    this.inFlight = this.drain().finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
  }

  /** Flushes and stops the timer. Events sent afterwards are dropped. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    process.off('beforeExit', this.onBeforeExit);
    await this.flush();
    this.closed = true;
  }

  stats(): ClientStats {
    return { queued: this.queue.length + (this.retry?.events.length ?? 0), ...this.counters };
  }

  private async drain(): Promise<void> {
    for (;;) {
      let batch = this.retry;
      this.retry = undefined;
      if (batch === undefined) {
        if (this.queue.length === 0) return;
        batch = { events: this.queue.splice(0, this.options.batchSize), attempts: 0 };
      }
      const ok = await this.post(batch);
      if (!ok) {
        batch.attempts++;
        if (batch.attempts > this.options.maxRetries) {
          this.counters.dropped += batch.events.length;
        } else {
          // Kept for the next flush (the interval timer), not retried in a tight loop.
          this.retry = batch;
        }
        return;
      }
    }
  }

  /** True when the batch is settled (recorded or refused for good); false when it may be retried. */
  private async post(batch: Batch): Promise<boolean> {
    try {
      const json = JSON.stringify(batch.events);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
      let body: string | Buffer = json;
      if (this.options.gzip) {
        body = await gzipAsync(json);
        headers['content-encoding'] = 'gzip';
      }
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const answer = (await res.json().catch(() => ({}))) as IngestAnswer;
      if (res.status === 200 || (res.status === 400 && answer.error === 'no_valid_events')) {
        this.counters.accepted += answer.accepted ?? 0;
        this.counters.duplicates += answer.duplicates ?? 0;
        const rejected = answer.rejected ?? [];
        this.counters.rejected += rejected.length;
        if (rejected.length > 0) {
          this.report(new Error(`sidecar rejected ${rejected.length} event(s): ${rejected[0]!.reason}`));
        }
        return true;
      }
      this.counters.failedRequests++;
      this.report(new Error(`sidecar answered ${res.status}: ${answer.message ?? answer.error ?? ''}`));
      if (res.status === 429 || res.status >= 500) return false;
      // 400, 401, 403, 413, 415: sending the same batch again would fail the same way.
      this.counters.dropped += batch.events.length;
      return true;
    } catch (error) {
      this.counters.failedRequests++;
      this.report(error);
      return false;
    }
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The application's error hook must not break the client either.
    }
  }
}

/** Convenience methods, one per event type: `client.llmRequest({...})` queues an llm.request. */
type Builders = typeof events;
export type SidecarClientWithBuilders = SidecarClient & {
  [K in keyof Builders]: (...args: Parameters<Builders[K]>) => void;
};

export function createSidecarClient(options?: SidecarClientOptions): SidecarClientWithBuilders {
  const client = new SidecarClient(options) as SidecarClientWithBuilders;
  for (const [name, build] of Object.entries(events)) {
    (client as unknown as Record<string, (fields: never) => void>)[name] = (fields: never) =>
      client.send((build as (f: never) => SidecarEvent)(fields));
  }
  return client;
}

import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type protobuf from 'protobufjs';
import type { Logger } from '../../log/logger.js';
import { otlpTypes } from '../../otlp/proto.js';
import type { OtlpSpanOutcome } from '../metrics.js';
import { SendPause } from '../sdk/send-pause.js';
import { encodeSpans } from './otlp-spans.js';
import type { FinishedRequestSpan, SpanIdentity } from './span-envelope.js';
import type { Dsc } from './trace-propagation.js';

const gzipAsync = promisify(gzip);

/** A span as queued, with the sampling context an envelope would need if OTLP is refused. */
export interface QueuedSpan {
  readonly span: FinishedRequestSpan;
  readonly dsc: Dsc;
}

export interface OtlpDestination {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: 'gzip' | 'none';
}

export interface OtlpExporterOptions {
  readonly destination: OtlpDestination;
  readonly identity: SpanIdentity;
  readonly logger: Logger;
  /** Counts spans by what became of them. */
  readonly count: (outcome: OtlpSpanOutcome, spans: number) => void;
  /**
   * The server does not speak OTLP here (404, 403, 405, 415): the spans of the refused batch and
   * every later one go to `fallback`, if given; without one they are dropped.
   */
  readonly fallback?: ((spans: readonly QueuedSpan[]) => void) | undefined;
  /** Batch limits; OpenTelemetry's BatchSpanProcessor defaults unless a test sets them. */
  readonly limits?: Partial<BatchLimits>;
}

interface BatchLimits {
  readonly maxQueue: number;
  readonly maxBatch: number;
  readonly delayMs: number;
}

/** The BatchSpanProcessor's queue and batch sizes; a shorter delay, so Sentry shows a trace within a second. */
const LIMITS: BatchLimits = { maxQueue: 2048, maxBatch: 512, delayMs: 1000 };
/** Answers that say "no OTLP endpoint here", after which the fallback takes over. */
const UNSUPPORTED = new Set([403, 404, 405, 415]);
/** Answers the specification marks retryable; the batch is tried once more after Retry-After. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Spans to one OTLP/HTTP endpoint in batches: at most `maxBatch` spans per request, sent when
 * a batch is full or `delayMs` after its first span, one request at a time; at most `maxQueue`
 * spans wait, later ones are counted as `queue_overflow`. After three failed requests sending
 * pauses as for Sentry's envelopes (sdk/send-pause.ts), so an unreachable endpoint costs no
 * connection per batch. Nothing on the proxy path waits for any of it.
 */
export class OtlpSpanExporter {
  private queue: QueuedSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private fellBack = false;
  private readonly limits: BatchLimits;
  private readonly pause = new SendPause({ threshold: 3, firstMs: 1000, maxMs: 60_000 });
  private readonly agent: http.Agent;

  constructor(private readonly options: OtlpExporterOptions) {
    this.limits = { ...LIMITS, ...options.limits };
    const secure = options.destination.url.protocol === 'https:';
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 1 })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  add(item: QueuedSpan): void {
    if (this.fellBack && this.options.fallback) return this.options.fallback([item]);
    if (this.queue.length >= this.limits.maxQueue) return this.options.count('queue_overflow', 1);
    this.queue.push(item);
    if (this.queue.length >= this.limits.maxBatch) this.kick();
    // Unref'd: waiting spans never keep a process alive that is otherwise done.
    else this.timer ??= setTimeout(() => this.kick(), this.limits.delayMs).unref();
  }

  /** Sends what waits, within `timeoutMs`; on shutdown. */
  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.sending) && Date.now() < deadline) {
      this.kick();
      await Promise.race([
        this.sending,
        new Promise((r) => setTimeout(r, Math.max(1, deadline - Date.now()))),
      ]);
    }
    if (this.queue.length > 0) this.options.count('dropped', this.queue.splice(0).length);
    this.agent.destroy();
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.limits.maxBatch);
    this.sending = this.send(batch).finally(() => {
      this.sending = undefined;
      if (this.queue.length >= this.limits.maxBatch) this.kick();
      else if (this.queue.length > 0)
        this.timer ??= setTimeout(() => this.kick(), this.limits.delayMs).unref();
    });
  }

  private async send(batch: QueuedSpan[], retried = false): Promise<void> {
    if (!this.pause.admit()) return this.options.count('dropped', batch.length);
    const startedAt = this.pause.started();
    let status: number;
    let body: Buffer;
    let retryAfter: string | undefined;
    try {
      ({ status, body, retryAfter } = await this.post(batch));
    } catch (error) {
      const pausedMs = this.pause.failed(startedAt);
      if (pausedMs !== undefined)
        this.options.logger.warn(
          {
            endpoint: this.options.destination.url.origin,
            reason: (error as NodeJS.ErrnoException).code ?? String(error),
            pause_ms: pausedMs,
          },
          'OTLP span endpoint unreachable: sending paused, spans meanwhile counted as dropped',
        );
      return this.options.count('dropped', batch.length);
    }
    this.pause.succeeded();
    if (status >= 200 && status < 300)
      return this.accepted(batch.length, body, (await otlpTypes()).ExportTraceServiceResponse);
    if (UNSUPPORTED.has(status) && this.options.fallback) {
      this.fellBack = true;
      this.options.logger.warn(
        { endpoint: this.options.destination.url.origin, status },
        'the Sentry server does not take OTLP spans (SENTRY_TRACES_PROTOCOL=otlp): sending spans as envelopes from now on',
      );
      this.options.count('fell_back', batch.length);
      const waiting = this.queue.splice(0);
      return this.options.fallback([...batch, ...waiting]);
    }
    if (RETRYABLE.has(status) && !retried) {
      const seconds = Number(retryAfter);
      const waitMs = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 30_000) : 1000;
      await new Promise((r) => setTimeout(r, waitMs).unref());
      return this.send(batch, true);
    }
    this.options.count('rejected', batch.length);
  }

  /** A 2xx answer: its partial_success, if any, says how many spans were refused. */
  private accepted(spans: number, body: Buffer, ExportTraceServiceResponse: protobuf.Type): void {
    let rejected = 0;
    try {
      const answer = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body), {
        longs: Number,
      }) as {
        partialSuccess?: { rejectedSpans?: number };
      };
      rejected = Math.min(spans, answer.partialSuccess?.rejectedSpans ?? 0);
    } catch {
      // An empty or JSON body from a lenient server: nothing refused.
    }
    if (rejected > 0) this.options.count('rejected', rejected);
    this.options.count('sent', spans - rejected);
  }

  private async post(
    batch: readonly QueuedSpan[],
  ): Promise<{ status: number; body: Buffer; retryAfter?: string }> {
    const { destination } = this.options;
    let payload: Uint8Array = await encodeSpans(
      batch.map((b) => b.span),
      this.options.identity,
    );
    const headers: http.OutgoingHttpHeaders = {
      ...destination.headers,
      'content-type': 'application/x-protobuf',
    };
    if (destination.compression === 'gzip') {
      payload = await gzipAsync(payload);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = payload.length;
    const transport = destination.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        destination.url,
        { method: 'POST', headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks),
              retryAfter: res.headers['retry-after'],
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(destination.timeoutMs, () =>
        req.destroy(
          Object.assign(new Error(`no answer within ${destination.timeoutMs} ms`), { code: 'ETIMEDOUT' }),
        ),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

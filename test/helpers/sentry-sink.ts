import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A Sentry envelope item as the sink parsed it. */
export interface SinkItem {
  header: { type: string; [key: string]: unknown };
  payload: Record<string, unknown> | undefined;
  raw: string;
}

export interface SinkEnvelope {
  at: number;
  url: string;
  contentEncoding: string | null;
  mode: string;
  /** The whole envelope as received, decompressed: what leak checks search. */
  raw: string;
  envelope: { header: Record<string, unknown>; items: SinkItem[] };
}

export type SentryEvent = Record<string, unknown> & {
  event_id: string;
  message?: string;
  level?: string;
  fingerprint?: string[];
  tags?: Record<string, string>;
  contexts?: Record<string, Record<string, unknown>>;
  request?: Record<string, unknown>;
  user?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  exception?: { values: Array<Record<string, unknown>> };
};

export type SentrySpan = Record<string, unknown> & {
  trace_id: string;
  span_id: string;
  name: string;
  attributes: Record<string, { value: unknown; type: string }>;
};

/** One OTLP/HTTP request of spans, as the sink decoded it. */
export interface OtlpBatch {
  readonly at: number;
  readonly auth: string | null;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  readonly spans: Array<{
    trace_id: string;
    span_id: string;
    parent_span_id: string | null;
    name: string;
    kind: number;
    start_ns: string;
    end_ns: string;
    attributes: Record<string, string | number | boolean>;
    status: { code?: number; message?: string };
    resource: Record<string, string | number | boolean>;
  }>;
}

export type SinkMode =
  | { mode: 'ok'; otlp?: 'refuse' }
  | { mode: '429'; retryAfterSeconds?: number }
  | { mode: '500' }
  | { mode: 'hang' }
  | { mode: 'slow'; delayMs: number };

export const SINK_PUBLIC_KEY = 'f3c1a9e07b5d4c2e8a6b0d9f1e3c5a7b';
export const SINK_PROJECT = '42';

export interface SentrySink {
  readonly port: number;
  readonly dsn: string;
  readonly child: ChildProcess;
  envelopes(): Promise<SinkEnvelope[]>;
  /** Error events received, in arrival order. */
  events(): Promise<SentryEvent[]>;
  /** Streamed spans received. */
  spans(): Promise<SentrySpan[]>;
  /** OTLP span requests received on the project's OTLP traces endpoint. */
  otlpBatches(): Promise<OtlpBatch[]>;
  /** Polls until `check` returns something other than undefined/false. */
  waitFor<T>(check: (envelopes: SinkEnvelope[]) => T | undefined | false, timeoutMs?: number): Promise<T>;
  setMode(mode: SinkMode): Promise<void>;
  reset(): Promise<void>;
  /** Stops the sink: its port then refuses connections. */
  kill(): Promise<void>;
}

const FIXTURE = fileURLToPath(new URL('../fixtures/sentry-sink.mjs', import.meta.url));

function itemsOf(envelopes: SinkEnvelope[], type: string): SinkItem[] {
  return envelopes.flatMap((e) => e.envelope.items.filter((i) => i.header.type === type));
}

export function eventsIn(envelopes: SinkEnvelope[]): SentryEvent[] {
  return itemsOf(envelopes, 'event').map((i) => i.payload as SentryEvent);
}

export function spansIn(envelopes: SinkEnvelope[]): SentrySpan[] {
  return itemsOf(envelopes, 'span').flatMap((i) => (i.payload as { items: SentrySpan[] }).items);
}

/** Starts the sink in a child process and resolves once it listens. */
export async function startSentrySink(): Promise<SentrySink> {
  const child = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) {
        child.stdout!.off('data', onData);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`sentry sink exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const get = async () => (await (await fetch(`${base}/__envelopes`)).json()) as SinkEnvelope[];
  const post = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`sink ${path} answered ${res.status}`);
  };
  return {
    port,
    child,
    dsn: `http://${SINK_PUBLIC_KEY}@127.0.0.1:${port}/${SINK_PROJECT}`,
    envelopes: get,
    events: async () => eventsIn(await get()),
    spans: async () => spansIn(await get()),
    otlpBatches: async () => (await (await fetch(`${base}/__otlp`)).json()) as OtlpBatch[],
    async waitFor(check, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = check(await get());
        if (result !== undefined && result !== false) return result;
        if (Date.now() > deadline) throw new Error('sentry sink: condition not met in time');
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    setMode: (mode) => post('/__mode', mode),
    reset: () => post('/__reset'),
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

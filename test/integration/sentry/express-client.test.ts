import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSidecarClient,
  exceptionChain,
  requestIds,
  sidecarErrorHandler,
} from '../../../src/client/index.js';
import { sleep } from '../../helpers/http.js';
import { eventsIn, type SentryEvent, type SentrySink, startSentrySink } from '../../helpers/sentry-sink.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * The Node client in an Express backend: its error middleware reports the error with the
 * request's ids, and the sidecar sends it and the 500 as one Sentry event.
 */
let sink: SentrySink;
let sidecar: RunningSidecar;
let server: ReturnType<express.Express['listen']>;
let client: ReturnType<typeof createSidecarClient>;

class LedgerError extends Error {
  override name = 'LedgerError';
}

function postEntry(): never {
  throw new LedgerError('the ledger refused the transfer', { cause: new Error('connection refused') });
}

beforeAll(async () => {
  sink = await startSentrySink();
  const app = express();
  app.get('/transfer', () => postEntry());
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  sidecar = await startSidecar(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
    SENTRY_DSN: sink.dsn,
    SENTRY_TRACES_SAMPLE_RATE: '1',
    ERROR_LINK_WINDOW_MS: '1500',
  });
  client = createSidecarClient({ url: `${sidecar.adminUrl}/v1/events`, flushIntervalMs: 50 });
  // Error handlers after the routes, as an app registers them: the sidecar's, then the app's own.
  app.use(sidecarErrorHandler(client, { component: 'payments' }));
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ detail: 'internal error' });
  });
});

afterAll(async () => {
  await client?.close();
  await sidecar?.close();
  server?.close();
  await sink?.kill();
});

describe('the Node client in an Express backend', () => {
  it('reads the ids the sidecar puts on a request', () => {
    expect(
      requestIds({
        'x-request-id': 'req-1',
        'sentry-trace': `${'a'.repeat(32)}-${'b'.repeat(16)}-1`,
      }),
    ).toEqual({ request_id: 'req-1', trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) });
    expect(requestIds({ traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` })).toEqual({
      trace_id: 'c'.repeat(32),
      span_id: 'd'.repeat(16),
    });
    expect(requestIds({ 'x-request-id': 'bad id with spaces' })).toEqual({});
  });

  it('describes an error with its cause chain, causes first, the throwing frame last', () => {
    let chain: ReturnType<typeof exceptionChain> = [];
    try {
      postEntry();
    } catch (error) {
      chain = exceptionChain(error);
    }
    expect(chain.map((e) => e.type)).toEqual(['Error', 'LedgerError']);
    expect(chain.at(-1)!.stacktrace!.frames.at(-1)!.function).toBe('postEntry');
  });

  it('makes the 500 and the reported error one Sentry event', async () => {
    const res = await fetch(`${sidecar.proxyUrl}/transfer`, { headers: { 'x-request-id': 'express-1' } });
    expect(res.status).toBe(500);
    const of = (e: SentryEvent) =>
      (e.contexts?.sidecar as { request_id?: string } | undefined)?.request_id === 'express-1';
    await sink.waitFor((envs) => eventsIn(envs).some(of), 8_000);
    await sleep(1_800);
    const events = (await sink.events()).filter(of);
    expect(events).toHaveLength(1);
    const values = events[0]!.exception?.values as Array<{
      type: string;
      stacktrace: { frames: Array<{ function?: string }> };
    }>;
    expect(values.map((v) => v.type)).toEqual(['Error', 'LedgerError']);
    expect(values.at(-1)!.stacktrace.frames.at(-1)!.function).toBe('postEntry');
    expect(events[0]!.tags).toMatchObject({ route: '/transfer', status: '500', component: 'payments' });
  });
});

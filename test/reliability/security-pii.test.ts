import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaksIn, PII } from '../fixtures/pii-corpus.js';
import { postEvents } from '../helpers/ingest.js';
import { type SentrySink, startSentrySink } from '../helpers/sentry-sink.js';
import { type RunningSidecar, startSidecar } from '../helpers/sidecar.js';
import { type RequestSpec, runLoad, summary } from './support/load.js';

/**
 * Personal data under load. The Sentry corpus (test/fixtures/pii-corpus.ts) travels in every
 * channel of thousands of concurrent requests, failing and not, with tracing at 100%, response
 * excerpts on, credentials allow-listed by mistake, the access log on and debug logging; the
 * ingest API gets events with personal data in label fields and in error reports. Not one value
 * reaches a Sentry envelope, GET /errors, /metrics or the logs; and the logs never hold an
 * Authorization or Cookie value or any part of a request or response body.
 */

const REQUESTS = Number(process.env.RELIABILITY_PII_REQUESTS ?? 3_000);

/** Values that may appear nowhere in the logs. */
const SECRET = {
  authorization: 'Bearer tok-7Yh2LrQpZx9WmK4sNv3B',
  proxyAuthorization: 'Basic cHJveHk6c2VjcmV0LXByb3h5LXB3',
  cookie: 'sid=ck-Qp8Rw2Ez5Ty7Ui9Oa1Sd',
  setCookie: 'sid=sc-Mn4Bv6Cx8Zl0Kj2Hg5Fd',
  requestBody: 'reqbody-Tz3Yx5Wv7Us9Rq1Po',
  responseBody: 'respbody-Ji4Hg6Fe8Dc0Ba2Zy',
};

function backendHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/health') return void res.end('{}');
    if (path === '/crash') return void req.socket.destroy();
    const failing = path.startsWith('/fail');
    const body = JSON.stringify({
      detail: failing ? 'ledger unavailable' : 'ok',
      echo: SECRET.responseBody,
      user: { email: PII.responseEmail, password: PII.responsePassword, ssn: PII.responseSsn },
      note: `card ${PII.responseCard} iban ${PII.responseIban} phone ${PII.responsePhone}`,
    });
    res.writeHead(failing ? 503 : 200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'set-cookie': SECRET.setCookie,
    });
    res.end(body);
  });
}

const CREDENTIALS = {
  authorization: SECRET.authorization,
  'proxy-authorization': SECRET.proxyAuthorization,
  cookie: `${SECRET.cookie}; csrftoken=${PII.csrfCookie}; session=${PII.sessionCookie}`,
  'x-api-key': PII.apiKeyHeader,
  'x-auth-token': PII.authTokenHeader,
  'x-customer-email': PII.customerEmailHeader,
  'x-forwarded-for': PII.clientIp,
  'x-real-ip': PII.realIp,
  referer: `https://bank.example/accounts?session=${PII.refererSession}`,
};

function spec(i: number): RequestSpec {
  const query = new URLSearchParams({
    page: String(i),
    password: PII.queryPassword,
    access_token: PII.queryAccessToken,
    email: PII.queryEmail,
    card: PII.queryCard,
    iban: PII.queryIban,
    state: PII.queryJwt,
  });
  const body = JSON.stringify({
    note: SECRET.requestBody,
    password: PII.requestBodyPassword,
    card: PII.requestBodyCard,
  });
  switch (i % 5) {
    case 0:
      return {
        path: `/fail/${encodeURIComponent(PII.pathEmail)}/${PII.pathIban}?${query}`,
        headers: CREDENTIALS,
      };
    case 1:
      return {
        method: 'POST',
        path: `/fail/payments?${query}`,
        headers: { ...CREDENTIALS, 'content-type': 'application/json' },
        body,
      };
    case 2:
      return { path: `/accounts/${PII.pathIban}?${query}`, headers: CREDENTIALS };
    case 3:
      return {
        method: 'PUT',
        path: '/profile',
        headers: { ...CREDENTIALS, 'content-type': 'application/json' },
        body,
      };
    default:
      return { path: '/crash', headers: CREDENTIALS };
  }
}

describe('personal data and secrets under load', () => {
  let sink: SentrySink;
  let backend: http.Server;
  let stack: RunningSidecar;
  let closed = false;

  beforeAll(async () => {
    sink = await startSentrySink();
    backend = http.createServer(backendHandler);
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    stack = await startSidecar(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`, {
      SENTRY_DSN: sink.dsn,
      SENTRY_TRACES_SAMPLE_RATE: '1',
      SENTRY_ATTACH_RESPONSE_BODY: 'true',
      SENTRY_USER_ID_HEADER: 'x-customer-email',
      SENTRY_REQUEST_HEADERS:
        'accept,user-agent,referer,host,authorization,proxy-authorization,cookie,x-api-key,x-auth-token,x-forwarded-for,x-real-ip,x-customer-email',
      SENTRY_MAX_EVENTS_PER_MINUTE: '100000',
      SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE: '100000',
      SENTRY_TRANSPORT_QUEUE_SIZE: '10000',
      ACCESS_LOG: 'true',
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    if (!closed) await stack?.close();
    await new Promise((resolve) => backend?.close(resolve));
    await sink?.kill();
  });

  it('keeps every corpus value out of Sentry, /errors, /metrics and the logs, and secrets out of the logs', async () => {
    const tally = await runLoad(stack.proxyUrl, { total: REQUESTS, concurrency: 32, spec });
    console.log(`personal data under load: ${summary(tally)}`);
    expect(tally.errors.size).toBe(0);
    expect(tally.byStatus.get(503)).toBe((REQUESTS / 5) * 2);
    expect(tally.byStatus.get(502)).toBe(REQUESTS / 5);

    // The ingest API: personal data in label fields is refused, in error reports it is scrubbed.
    const labelled = await postEvents(stack.adminUrl, [
      { type: 'chat.message', channel: PII.ingestEmail },
      { type: 'transaction', transaction_type: PII.ingestCard, channel: 'web', outcome: 'success' },
      { type: 'document.upload', document_type: PII.appIban, channel: 'web' },
      {
        type: 'db.query',
        system: 'postgresql',
        operation: 'SELECT',
        collection: PII.clientIp,
        duration_s: 0.1,
      },
      { type: 'voice.interaction', kind: PII.appPhone, channel: 'ios', duration_s: 3 },
      { type: 'chat.message', channel: 'web' },
    ]);
    expect(labelled.status).toBe(200);
    expect(labelled.body.accepted).toBe(1);
    expect(labelled.body.rejected?.map((r) => r.reason)).toEqual(
      expect.arrayContaining([expect.stringContaining('personal data is never a label')]),
    );
    expect(labelled.body.rejected).toHaveLength(5);
    const reported = await postEvents(stack.adminUrl, {
      type: 'error',
      message: `refund to ${PII.ingestEmail} on ${PII.ingestCard} failed: Bearer ${PII.appBearer}`,
      error_type: 'RefundError',
      component: 'refunds',
      context: { token: PII.ingestToken, customer_email: PII.appContextEmail },
    });
    expect(reported.status).toBe(200);

    const errorsListing = await (await fetch(`${stack.adminUrl}/errors?limit=100`)).text();
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    await sink.waitFor((envelopes) => envelopes.some((e) => e.raw.includes('RefundError')), 15_000);
    await stack.close();
    closed = true;

    const envelopes = await sink.envelopes();
    const events = envelopes.flatMap((e) => e.envelope.items.filter((i) => i.header.type === 'event'));
    console.log(
      `personal data under load: ${envelopes.length} envelopes, ${events.length} error events checked`,
    );
    expect(events.length).toBeGreaterThan(10);
    const leaks = new Set(envelopes.flatMap((e) => leaksIn(e.raw)));
    expect([...leaks]).toEqual([]);
    expect(leaksIn(errorsListing)).toEqual([]);
    expect(leaksIn(metrics)).toEqual([]);

    const logs = stack.logs.text();
    const requestLines = stack.logs.lines.filter((l) => l.msg === 'request');
    expect(requestLines.length).toBe(REQUESTS);
    expect(leaksIn(logs)).toEqual([]);
    for (const [name, value] of Object.entries(SECRET)) {
      expect(logs.includes(value), `${name} in the logs`).toBe(false);
      expect(logs.includes(value.split(/[ =]/).at(-1)!), `${name} in the logs`).toBe(false);
    }
    // Nothing that even names a header or a body, in any line.
    for (const line of stack.logs.lines) {
      const keys = Object.keys(line).filter((k) =>
        /^(?:(?:request_|response_)?(?:headers|body)|cookies?|set_cookie|authorization|req|res)$/i.test(k),
      );
      expect(keys).toEqual([]);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FailingBackend, startFailingBackend } from '../../fixtures/failing-backend.js';
import { leaksIn, PII } from '../../fixtures/pii-corpus.js';
import { type SentryEvent, type SentrySink, startSentrySink } from '../../helpers/sentry-sink.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * Personal data never leaves: a corpus of sensitive values goes through every channel a request
 * or a backend error report has (headers, cookies, query, path, request and response bodies,
 * baggage, request ids, messages, stacks, context), with tracing at 100% and response excerpts
 * on. Not one byte of any envelope the real SDK sends may contain any of them.
 */

let sink: SentrySink;
let backend: FailingBackend;
let stack: RunningSidecar;
let closed = false;

const EXCERPT_LIMIT = 300;

beforeAll(async () => {
  sink = await startSentrySink();
  backend = await startFailingBackend();
  stack = await startSidecar(backend.url, {
    SENTRY_DSN: sink.dsn,
    SENTRY_TRACES_SAMPLE_RATE: '1',
    SENTRY_ATTACH_RESPONSE_BODY: 'true',
    SENTRY_RESPONSE_BODY_MAX_BYTES: String(EXCERPT_LIMIT),
    SENTRY_USER_ID_HEADER: 'x-user-id',
    // Credentials and client-identity headers allow-listed by mistake must still never leave.
    SENTRY_REQUEST_HEADERS:
      'accept,user-agent,referer,origin,host,x-request-id,authorization,proxy-authorization,cookie,x-api-key,x-auth-token,x-forwarded-for,x-real-ip,x-customer-email,x-user-id',
    SENTRY_MAX_EVENTS_PER_MINUTE: '1000',
    SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE: '100',
  });
});

afterAll(async () => {
  if (!closed) await stack?.close();
  await backend?.close();
  await sink?.kill();
});

/** A JSON body whose `limit`-th byte falls `into` characters inside `value` of `key`. */
function bodyCutInside(key: string, value: string, into: number, limit: number): string {
  const head = `{"detail":"upstream timeout","filler":"`;
  const middle = `","${key}":"`;
  const pad = limit - head.length - middle.length - into;
  return `${head}${'x'.repeat(pad)}${middle}${value}","after":"more"}`;
}

async function send(path: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(`${stack.proxyUrl}${path}`, init);
  await res.arrayBuffer();
  return res.status;
}

describe('personal data in Sentry envelopes', () => {
  it('has at least 30 distinct sensitive values in its corpus', () => {
    expect(new Set(Object.values(PII)).size).toBeGreaterThanOrEqual(30);
  });

  it('sends none of them, through any channel, while still sending useful events', async () => {
    const query = new URLSearchParams({
      status: '500',
      page: '1',
      password: PII.queryPassword,
      access_token: PII.queryAccessToken,
      api_key: PII.queryApiKey,
      email: PII.queryEmail,
      q: PII.querySearchEmail,
      card: PII.queryCard,
      ref: PII.queryIban,
      state: PII.queryJwt,
    });
    const callerTrace = 'abababababababababababababababab';
    expect(
      await send(`/api/fail/${encodeURIComponent(PII.pathEmail)}/${PII.pathIban}?${query}`, {
        headers: {
          'x-request-id': 'pii-query',
          authorization: `Bearer ${PII.bearerToken}`,
          'proxy-authorization': `Basic ${PII.basicCredentials}`,
          cookie: `session=${PII.sessionCookie}; csrftoken=${PII.csrfCookie}`,
          'x-api-key': PII.apiKeyHeader,
          'x-auth-token': PII.authTokenHeader,
          'x-forwarded-for': PII.clientIp,
          'x-real-ip': PII.realIp,
          'x-customer-email': PII.customerEmailHeader,
          'x-user-id': PII.userIdEmail,
          referer: `https://bank.example/accounts?session=${PII.refererSession}`,
          'sentry-trace': `${callerTrace}-cdcdcdcdcdcdcdcd-1`,
          baggage: `sentry-trace_id=${callerTrace},sentry-transaction=${encodeURIComponent(PII.baggageEmail)},sentry-sample_rate=1`,
        },
      }),
    ).toBe(500);

    expect(
      await send('/api/fail?status=502', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'pii-request-body' },
        body: JSON.stringify({ password: PII.requestBodyPassword, card: PII.requestBodyCard }),
      }),
    ).toBe(502);

    const jsonBody = JSON.stringify({
      detail: 'database unavailable',
      user: { email: PII.responseEmail, password: PII.responsePassword, ssn: PII.responseSsn },
      token: PII.responseToken,
      note: `card ${PII.responseCard} iban ${PII.responseIban} phone ${PII.responsePhone}`,
      session: PII.responseJwt,
    });
    expect(jsonBody.length).toBeLessThan(EXCERPT_LIMIT + 200);
    expect(
      await send(
        `/api/error-body?type=application/json&body=${encodeURIComponent(jsonBody.slice(0, EXCERPT_LIMIT))}`,
        { headers: { 'x-request-id': 'pii-json-body' } },
      ),
    ).toBe(500);

    const textBody = `upstream call failed\nAuthorization: Bearer ${PII.textBearer}\nnotify ${PII.textEmail} from ${PII.textIp}`;
    expect(
      await send(`/api/error-body?type=text/plain&body=${encodeURIComponent(textBody)}`, {
        headers: { 'x-request-id': 'pii-text-body' },
      }),
    ).toBe(500);

    for (const [key, value] of [
      ['password', PII.cutPassword],
      ['card', PII.cutCard],
    ] as const) {
      const body = bodyCutInside(key, value, 7, EXCERPT_LIMIT);
      expect(
        await send(`/api/error-body?type=application/json&body=${encodeURIComponent(body)}`, {
          headers: { 'x-request-id': `pii-cut-${key}` },
        }),
      ).toBe(500);
    }

    expect(await send('/api/fail?status=503', { headers: { 'x-request-id': PII.requestIdEmail } })).toBe(503);

    const result = stack.sidecar.errors.captureAppError({
      message: `payment for ${PII.appEmail} with card ${PII.appCard} to ${PII.appIban} failed: Bearer ${PII.appBearer}`,
      errorType: 'PaymentError',
      component: 'payments',
      stack: [
        'Traceback (most recent call last):',
        '  File "/app/payments.py", line 12, in charge',
        `    client.login(user, password="${PII.appStackPassword}")`,
        `PaymentError: declined password=${PII.appStackPassword}`,
      ].join('\n'),
      context: {
        password: PII.appContextPassword,
        auth: { token: PII.appContextToken },
        customer: { email: PII.appContextEmail, tier: 'gold' },
        note: `call ${PII.appPhone}`,
      },
      requestId: 'pii-app',
    });
    expect(result.outcome).toBe('queued');

    const ingest = await fetch(`${stack.adminUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'error',
        message: `refund to ${PII.ingestEmail} on ${PII.ingestCard} failed`,
        error_type: 'RefundError',
        component: 'refunds',
        context: { token: PII.ingestToken, attempt: 3 },
      }),
    });
    expect(ingest.status).toBe(200);

    // Nine events, then the spans: wait for them, then close so everything pending is flushed.
    await sink.waitFor((envelopes) => {
      const events = envelopes.flatMap((e) => e.envelope.items.filter((i) => i.header.type === 'event'));
      return events.length >= 9;
    });
    const errorsListing = await (await fetch(`${stack.adminUrl}/errors`)).text();
    await stack.close();
    closed = true;

    const envelopes = await sink.envelopes();
    const events = envelopes.flatMap((e) =>
      e.envelope.items.filter((i) => i.header.type === 'event').map((i) => i.payload as SentryEvent),
    );
    const spans = envelopes.flatMap((e) => e.envelope.items.filter((i) => i.header.type === 'span'));
    expect(events).toHaveLength(9);
    expect(spans.length).toBeGreaterThan(0);

    // Zero leaks in any byte of any envelope, in /errors, or in the logs.
    for (const envelope of envelopes) expect(leaksIn(envelope.raw)).toEqual([]);
    expect(leaksIn(errorsListing)).toEqual([]);
    expect(leaksIn(stack.logs.text()).filter((l) => !l.startsWith('requestIdEmail'))).toEqual([]);
    // A value cut by the excerpt limit leaves no recognisable prefix either.
    const all = envelopes.map((e) => e.raw).join('\n');
    expect(all).not.toContain(PII.cutPassword.slice(0, 6));
    expect(all).not.toContain(PII.cutCard.slice(0, 8));

    // ...while the events still say what failed.
    const byRequest = (id: string) =>
      events.find((e) => (e.contexts?.sidecar as { request_id?: string } | undefined)?.request_id === id);
    const queryEvent = byRequest('pii-query');
    expect(queryEvent?.request?.query_string).toContain('page=1');
    expect(queryEvent?.request?.query_string).toContain('password=[Filtered]');
    expect(String(queryEvent?.request?.url)).toMatch(/\/api\/fail\/\{id\}\/\{id\}$/);
    expect(queryEvent?.user ?? {}).toEqual({});
    expect(queryEvent?.request?.headers).toMatchObject({ authorization: '[Filtered]', cookie: '[Filtered]' });
    expect(queryEvent?.request?.headers).not.toHaveProperty('x-forwarded-for');
    expect(byRequest('pii-json-body')?.extra?.response_body_excerpt).toContain('database unavailable');
    expect(byRequest('pii-text-body')?.extra?.response_body_excerpt).toContain('upstream call failed');
    const app = events.find((e) => e.tags?.component === 'payments');
    expect(app?.exception?.values[0]?.value).toContain('payment for [Filtered]');
    expect(app?.extra).toMatchObject({ customer: { tier: 'gold' } });
    expect(events.some((e) => e.tags?.component === 'refunds')).toBe(true);
  });
});

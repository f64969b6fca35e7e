import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { eventsIn, type SentryEvent } from '../../helpers/sentry-sink.js';
import { type SentryStack, startSentryStack } from '../../helpers/sentry-stack.js';

/**
 * One failure, one event: a backend 5xx and the backend's own error event for the same request
 * (by `request_id`) become one Sentry event, in whichever order they arrive within
 * ERROR_LINK_WINDOW_MS; alone, each is sent as it would be without linking.
 */
const WINDOW_MS = 500;
let s: SentryStack;

beforeAll(async () => {
  s = await startSentryStack({ ERROR_LINK_WINDOW_MS: String(WINDOW_MS), SENTRY_TRACES_SAMPLE_RATE: '1' });
});

afterAll(async () => {
  await s?.stop();
});

async function get(path: string, requestId: string): Promise<number> {
  const res = await fetch(`${s.stack.proxyUrl}${path}`, { headers: { 'x-request-id': requestId } });
  await res.arrayBuffer();
  return res.status;
}

async function postError(requestId: string, eventId = `${requestId}-event`): Promise<number> {
  const res = await fetch(`${s.stack.adminUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'error',
      event_id: eventId,
      message: 'the ledger refused the transfer',
      error_type: 'LedgerError',
      component: 'payments',
      request_id: requestId,
      exception: [
        {
          type: 'LedgerError',
          value: 'the ledger refused the transfer',
          stacktrace: {
            frames: [
              { filename: 'app/routes.py', function: 'transfer', lineno: 20, in_app: true },
              { filename: 'app/ledger.py', function: 'post_entry', lineno: 88, in_app: true },
            ],
          },
        },
      ],
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

const requestIdOf = (e: SentryEvent) =>
  (e.contexts?.sidecar as { request_id?: string } | undefined)?.request_id;

/** Every event for `requestId`, once nothing can arrive for it any more. */
async function eventsFor(requestId: string): Promise<SentryEvent[]> {
  await s.sink.waitFor((envs) => eventsIn(envs).some((e) => requestIdOf(e) === requestId));
  await sleep(WINDOW_MS + 300);
  return (await s.sink.events()).filter((e) => requestIdOf(e) === requestId);
}

function expectLinked(event: SentryEvent, requestId: string): void {
  const values = event.exception?.values as Array<{
    type: string;
    stacktrace: { frames: Array<{ function: string }> };
  }>;
  expect(values.at(-1)!.type).toBe('LedgerError');
  // The innermost frame is the raising function.
  expect(values.at(-1)!.stacktrace.frames.at(-1)!.function).toBe('post_entry');
  // Grouped by the exception and its frame, not by route.
  expect(event.fingerprint).toEqual(['app-error', 'payments', 'LedgerError', 'app/ledger.py:post_entry']);
  expect(event.tags).toMatchObject({ route: '/api/fail', status: '500', component: 'payments' });
  expect(event.request?.method).toBe('GET');
  // The proxied request's trace, which the backend received.
  const traceId = String(s.backend.seen.get(requestId)?.['sentry-trace']).split('-')[0];
  expect(event.contexts?.trace?.trace_id).toBe(traceId);
}

describe('a backend 5xx and its error event', () => {
  it('are one event when the error event comes first', async () => {
    expect(await postError('link-1')).toBe(200);
    expect(await get('/api/fail?status=500', 'link-1')).toBe(500);
    const events = await eventsFor('link-1');
    expect(events).toHaveLength(1);
    expectLinked(events[0]!, 'link-1');
  });

  it('are one event when the response comes first', async () => {
    expect(await get('/api/fail?status=500', 'link-2')).toBe(500);
    await sleep(WINDOW_MS / 3);
    expect(await postError('link-2')).toBe(200);
    const events = await eventsFor('link-2');
    expect(events).toHaveLength(1);
    expectLinked(events[0]!, 'link-2');
  });

  it('stay one event when the client sends its error event twice', async () => {
    expect(await postError('link-3', 'same-event')).toBe(200);
    expect(await postError('link-3', 'same-event')).toBe(200);
    expect(await get('/api/fail?status=500', 'link-3')).toBe(500);
    expect(await eventsFor('link-3')).toHaveLength(1);
  });

  it('sends the 5xx alone after the window when no error event comes', async () => {
    const started = Date.now();
    expect(await get('/api/fail?status=500', 'link-4')).toBe(500);
    const events = await eventsFor('link-4');
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toBe('GET /api/fail → 500');
    expect(Date.now() - started).toBeGreaterThanOrEqual(WINDOW_MS);
  });

  it('sends an error event for a request that did not fail on its own, as soon as it ends', async () => {
    expect(await postError('link-5')).toBe(200);
    expect(await get('/api/items/5', 'link-5')).toBe(200);
    const events = await eventsFor('link-5');
    expect(events).toHaveLength(1);
    expect(events[0]!.tags).toMatchObject({ kind: 'app_error', component: 'payments' });
  });

  it('lists a linked failure once at GET /errors, with the exception', async () => {
    const listing = (await (await fetch(`${s.stack.adminUrl}/errors?limit=100`)).json()) as {
      errors: Array<{ request_id?: string; message: string; kind: string }>;
    };
    const linked = listing.errors.filter((e) => e.request_id === 'link-1');
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({
      kind: 'backend_5xx',
      message: 'LedgerError: the ledger refused the transfer',
    });
  });

  it('counts each way of sending', async () => {
    const samples = await scrape(s.stack.adminUrl);
    const links = (outcome: string) => valueOf(samples, 'sidecar_error_links_total', { outcome });
    expect(links('linked')).toBe(3);
    expect(links('response_alone')).toBe(1);
    expect(links('app_error_alone')).toBe(1);
    expect(links('evicted')).toBe(0);
  });
});

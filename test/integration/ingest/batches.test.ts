import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationSnapshot, changes, postEvents } from '../../helpers/ingest.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../../helpers/sidecar.js';

const chat = (channel: string, extra: Record<string, unknown> = {}) => ({
  type: 'chat.message',
  channel,
  ...extra,
});
const chatCount = async (adminUrl: string, channel: string) =>
  valueOf(await scrape(adminUrl), 'app_chat_messages_total', { role: 'user', channel, outcome: 'success' });

describe('ingest: batches', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({
      INGEST_LABEL_BUDGET: '5',
      INGEST_LABEL_BUDGETS: 'model=3',
      INGEST_DEDUPE_WINDOW: '3',
    });
  });
  afterAll(() => stack.close());

  it('accepts one event, an array, and {"events": [...]}', async () => {
    expect((await postEvents(stack.adminUrl, chat('web'))).body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
    expect((await postEvents(stack.adminUrl, [chat('web'), chat('web')])).body.accepted).toBe(2);
    expect((await postEvents(stack.adminUrl, { events: [chat('web')] })).body.accepted).toBe(1);
    expect(await chatCount(stack.adminUrl, 'web')).toBe(4);
  });

  it('records the valid events of a partial batch and names each rejected one', async () => {
    const before = await applicationSnapshot(stack.adminUrl);
    const res = await postEvents(stack.adminUrl, [
      chat('ios'),
      { type: 'db.query', system: 'postgresql', operation: 'SELECT', duration_s: -1 },
      chat('ios'),
      { type: 'nope' },
      { type: 'llm.request', provider: 'openai', model: 'jane@example.com', duration_s: 1 },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, reason: 'events[1].duration_s: must be a finite number ≥ 0' },
        { index: 3, reason: 'events[3].type: unknown event type; GET /v1/events/schema lists the catalog' },
        {
          index: 4,
          reason: 'events[4].model: looks like an email address; personal data is never a label',
        },
      ],
    });
    const changed = changes(before, await applicationSnapshot(stack.adminUrl));
    expect([...changed.keys()]).toEqual([
      'app_chat_messages_total{channel="ios",outcome="success",role="user"}',
    ]);
    expect(changed.get('app_chat_messages_total{channel="ios",outcome="success",role="user"}')).toBe(2);
  });

  it('accepts NDJSON and rejects its broken lines one by one', async () => {
    const body = [JSON.stringify(chat('ndjson')), '{"type": broken', '', JSON.stringify(chat('ndjson'))].join(
      '\r\n',
    );
    const res = await postEvents(stack.adminUrl, body, { contentType: 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [{ index: 1, reason: 'events[1]: is not valid JSON' }],
    });
    expect(await chatCount(stack.adminUrl, 'ndjson')).toBe(2);
  });

  it('accepts gzip bodies and charset=utf-8', async () => {
    const res = await postEvents(stack.adminUrl, gzipSync(JSON.stringify([chat('gzip'), chat('gzip')])), {
      contentEncoding: 'gzip',
      contentType: 'application/json; charset=UTF-8',
    });
    expect(res.body.accepted).toBe(2);
    expect(await chatCount(stack.adminUrl, 'gzip')).toBe(2);
  });

  it('counts a retried event_id once, within the window, and answers 200 for a batch of duplicates', async () => {
    const batch = [chat('retry', { event_id: 'e-1' }), chat('retry', { event_id: 'e-2' })];
    expect((await postEvents(stack.adminUrl, batch)).body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [],
    });
    const again = await postEvents(stack.adminUrl, batch);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    // The same id twice in one batch is a duplicate too.
    const same = await postEvents(stack.adminUrl, [
      chat('retry', { event_id: 'e-3' }),
      chat('retry', { event_id: 'e-3' }),
    ]);
    expect(same.body).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(await chatCount(stack.adminUrl, 'retry')).toBe(3);
    const samples = await scrape(stack.adminUrl);
    expect(
      valueOf(samples, 'sidecar_ingest_events_total', { type: 'chat.message', outcome: 'duplicate' }),
    ).toBe(3);
    // The window holds 3 ids: e-1 has been forgotten by now, so it counts again.
    await postEvents(stack.adminUrl, [chat('retry', { event_id: 'e-4' })]);
    expect((await postEvents(stack.adminUrl, [chat('retry', { event_id: 'e-1' })])).body.accepted).toBe(1);
  });

  it('a rejected event does not enter the deduplication window', async () => {
    const bad = { type: 'chat.message', channel: 'a b', event_id: 'e-bad' };
    expect((await postEvents(stack.adminUrl, [bad])).status).toBe(400);
    expect((await postEvents(stack.adminUrl, [{ ...bad, channel: 'fixed' }])).body.accepted).toBe(1);
  });

  it('caps the distinct values of a free-form field and counts the overflow', async () => {
    const models = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-1'];
    const res = await postEvents(
      stack.adminUrl,
      models.map((model) => ({ type: 'llm.request', provider: 'openai', model, duration_s: 1 })),
    );
    expect(res.body.accepted).toBe(6);
    const samples = await scrape(stack.adminUrl);
    const count = (model: string) =>
      valueOf(samples, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_request_model: model });
    expect([count('m-1'), count('m-2'), count('m-3'), count('_OTHER')]).toEqual([2, 1, 1, 2]);
    expect(count('m-4')).toBeNaN();
    expect(valueOf(samples, 'sidecar_label_overflow_total', { type: 'llm.request', field: 'model' })).toBe(2);
    expect(valueOf(samples, 'sidecar_ingest_label_values', { type: 'llm.request', field: 'model' })).toBe(3);
    // Other fields keep the default budget (5 here).
    expect(valueOf(samples, 'sidecar_ingest_label_values', { type: 'llm.request', field: 'provider' })).toBe(
      1,
    );
  });

  it('a cardinality flood of 500 distinct values mints no more than the budget', async () => {
    const flood = Array.from({ length: 500 }, (_, i) => ({
      type: 'document.upload',
      document_type: `t${i}`,
    }));
    expect((await postEvents(stack.adminUrl, flood)).body.accepted).toBe(500);
    const samples = await scrape(stack.adminUrl);
    const series = samples.filter((s) => s.name === 'app_document_uploads_total');
    // 5 admitted values and _OTHER, each with both outcomes.
    expect(new Set(series.map((s) => s.labels.document_type)).size).toBe(6);
    expect(
      valueOf(samples, 'app_document_uploads_total', { document_type: '_OTHER', outcome: 'success' }),
    ).toBe(495);
    expect(
      valueOf(samples, 'sidecar_label_overflow_total', { type: 'document.upload', field: 'document_type' }),
    ).toBe(495);
  });

  it('answers 413 to a chunked body as soon as it passes the limit, without waiting for the rest', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${stack.adminUrl}/v1/events`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (error) => reject(error));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // 2 MiB, written slowly enough that the answer arrives before the end.
      let sent = 0;
      const write = () => {
        if (sent >= 32 || req.destroyed) return void (req.destroyed || req.end());
        sent++;
        req.write(chunk, () => setTimeout(write, 1));
      };
      req.write('[');
      write();
    });
    expect(status).toBe(413);
    const samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, 'sidecar_ingest_rejections_total', { reason: 'body_too_large' })).toBe(1);
  });

  it('serves the JSON Schema generated from the catalog', async () => {
    const res = await fetch(`${stack.adminUrl}/v1/events/schema`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/schema+json');
    const schema = (await res.json()) as {
      $defs: Record<
        string,
        {
          properties: Record<string, { pattern?: string; enum?: string[]; maximum?: number }>;
          required: string[];
        }
      >;
    };
    expect(Object.keys(schema.$defs)).toEqual(
      expect.arrayContaining(['db.query', 'llm.request', 'error', 'event']),
    );
    const db = schema.$defs['db.query']!;
    expect(db.required).toEqual(['type', 'system', 'operation', 'duration_s']);
    expect(db.properties.duration_s!.maximum).toBe(86_400);
    expect(db.properties.system!.pattern).toBe('^[A-Za-z0-9_.:/@+-]+$');
    expect(schema.$defs['cache.operation']!.properties.result!.enum).toEqual(['hit', 'miss', 'ok', 'error']);
  });

  it('answers 405 to other methods on /v1/events', async () => {
    const res = await fetch(`${stack.adminUrl}/v1/events`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('ingest: switched off', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ INGEST_ENABLED: 'false' });
  });
  afterAll(() => stack.close());

  it('has no /v1/events and says so on /health', async () => {
    expect((await postEvents(stack.adminUrl, { type: 'chat.message' })).status).toBe(404);
    const health = (await (await fetch(`${stack.adminUrl}/health`)).json()) as {
      monitoring: { ingest: boolean };
    };
    expect(health.monitoring.ingest).toBe(false);
    const samples = await scrape(stack.adminUrl);
    expect(samples.some((s) => s.name.startsWith('sidecar_ingest_'))).toBe(false);
  });
});

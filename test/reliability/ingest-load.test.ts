import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildSidecar } from '../helpers/child-sidecar.js';
import { type Sample, scrape, valueOf } from '../helpers/prometheus-text.js';
import { runLoad, statusCounts, summary } from './support/load.js';
import { type BackendProcess, spawnProductionSidecar, startBackendProcess } from './support/processes.js';

/**
 * Ingest under concurrent load, beside proxied traffic: 16 clients post batches of 100 events
 * (valid ones of three types, invalid ones, and retried batches that are all duplicates). What the
 * answers say was accepted is exactly what the metrics recorded, type by type.
 */

const POSTERS = 16;
const BATCHES = Number(process.env.RELIABILITY_INGEST_BATCHES ?? 40);
const BATCH = 100;
const TOKEN = 'reliability-ingest-token-0123456789';

type Event = Record<string, unknown>;

function event(i: number): Event {
  const event_id = randomUUID();
  switch (i % 10) {
    case 0:
      // Invalid: a transaction needs its type.
      return { type: 'transaction', channel: 'web', outcome: 'success', event_id };
    case 1:
    case 2:
    case 3:
      return {
        type: 'transaction',
        transaction_type: 'payment',
        channel: ['web', 'ios', 'android'][i % 3],
        outcome: i % 2 ? 'success' : 'declined',
        amount: 10 + (i % 7),
        currency: 'EUR',
        event_id,
      };
    case 4:
    case 5:
    case 6:
      return {
        type: 'db.query',
        system: 'postgresql',
        operation: 'SELECT',
        collection: 'users',
        duration_s: 0.001 * (i % 50),
        event_id,
      };
    default:
      return { type: 'chat.message', channel: ['web', 'ios', 'android'][i % 3], event_id };
  }
}

interface Answer {
  status: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

function post(adminUrl: string, events: Event[]): Promise<Answer> {
  const body = Buffer.from(JSON.stringify(events));
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${adminUrl}/v1/events`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${TOKEN}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c;
        });
        res.on('end', () => {
          const json = JSON.parse(text) as { accepted?: number; duplicates?: number; rejected?: unknown[] };
          resolve({
            status: res.statusCode ?? 0,
            accepted: json.accepted ?? 0,
            duplicates: json.duplicates ?? 0,
            rejected: json.rejected?.length ?? 0,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sum = (samples: Sample[], name: string, match: Record<string, string> = {}) =>
  valueOf(samples, name, match) || 0;

describe('ingest under concurrent load', () => {
  let backend: BackendProcess;
  let sidecar: ChildSidecar;

  beforeAll(async () => {
    backend = await startBackendProcess();
    sidecar = await spawnProductionSidecar({ UPSTREAM_URL: backend.url, INGEST_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
  });

  it('records exactly the events it answered as accepted, beside proxied traffic', async () => {
    const before = await scrape(sidecar.adminUrl);
    const sent = { transaction: 0, 'db.query': 0, 'chat.message': 0, invalid: 0 };
    const answers: Answer[] = [];
    let resent = 0;
    let invalidResent = 0;
    const poster = async (p: number) => {
      for (let b = 0; b < BATCHES; b++) {
        const events = Array.from({ length: BATCH }, (_, i) => event(p * 1_000_003 + b * BATCH + i));
        for (const e of events) {
          if (e.type === 'transaction' && e.transaction_type === undefined) sent.invalid++;
          else sent[e.type as keyof typeof sent]++;
        }
        answers.push(await post(sidecar.adminUrl, events));
        // Every tenth batch is sent again, as a client retrying after a lost answer would.
        if (b % 10 === 9) {
          answers.push(await post(sidecar.adminUrl, events));
          resent += events.length;
          invalidResent += events.filter(
            (e) => e.type === 'transaction' && e.transaction_type === undefined,
          ).length;
        }
      }
    };
    const started = Date.now();
    const [proxied] = await Promise.all([
      runLoad(sidecar.proxyUrl, {
        total: 10_000,
        concurrency: 16,
        spec: (i) => ({ path: `/api/users/${i % 500}` }),
      }),
      ...Array.from({ length: POSTERS }, (_, p) => poster(p)),
    ]);
    const elapsed = (Date.now() - started) / 1000;
    const total = (key: keyof Answer) => answers.reduce((n, a) => n + a[key], 0);
    const events = POSTERS * BATCHES * BATCH;
    console.log(
      `ingest: ${answers.length} posts, ${events} events (+${resent} resent) in ${elapsed.toFixed(1)} s ` +
        `(${(events / elapsed).toFixed(0)} events/s) beside ${summary(proxied)}`,
    );
    expect(statusCounts(proxied)).toEqual({ '200': 10_000 });
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const valid = sent.transaction + sent['db.query'] + sent['chat.message'];
    expect(total('accepted')).toBe(valid);
    // A resent batch: its valid events are duplicates, its invalid ones are refused again.
    expect(total('rejected')).toBe(sent.invalid + invalidResent);
    expect(total('duplicates')).toBe(resent - invalidResent);

    const after = await scrape(sidecar.adminUrl);
    const delta = (name: string, match: Record<string, string> = {}) =>
      sum(after, name, match) - sum(before, name, match);
    expect(delta('sidecar_ingest_events_total', { outcome: 'accepted' })).toBe(total('accepted'));
    expect(delta('sidecar_ingest_events_total', { outcome: 'duplicate' })).toBe(total('duplicates'));
    expect(delta('sidecar_ingest_events_total', { outcome: 'rejected' })).toBe(total('rejected'));
    expect(delta('app_transactions_total')).toBe(sent.transaction);
    expect(delta('db_client_operation_duration_seconds_count')).toBe(sent['db.query']);
    expect(delta('app_chat_messages_total')).toBe(sent['chat.message']);
  });
});

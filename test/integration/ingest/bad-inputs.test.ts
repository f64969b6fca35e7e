import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationSnapshot, changes, newSeries, postEvents } from '../../helpers/ingest.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../../helpers/sidecar.js';

interface Case {
  name: string;
  body?: unknown;
  text?: string;
  base64?: string;
  generate?: {
    kind: string;
    depth?: number;
    bytes?: number;
    count?: number;
    gzip?: boolean;
    ndjson?: boolean;
  };
  contentType?: string | null;
  contentEncoding?: string;
  status: number;
  error: string;
  reason?: string;
  metricReason: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/ingest-bad-inputs.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

function chatMessages(count: number, ndjson: boolean): string {
  const lines = Array.from({ length: count }, () => '{"type":"chat.message"}');
  return ndjson ? lines.join('\n') : `[${lines.join(',')}]`;
}

/** A valid event padded to exactly `bytes` bytes. */
function paddedEvent(bytes: number): string {
  const shell = '[{"type":"error","error_type":"E","message":""}]';
  return shell.replace('"message":""', `"message":"${'x'.repeat(bytes - shell.length)}"`);
}

function bodyOf(c: Case): Buffer {
  if (c.base64 !== undefined) return Buffer.from(c.base64, 'base64');
  if (c.text !== undefined) return Buffer.from(c.text, 'utf8');
  if (c.generate === undefined) return Buffer.from(JSON.stringify(c.body), 'utf8');
  const g = c.generate;
  switch (g.kind) {
    case 'deep': {
      return Buffer.from('['.repeat(g.depth!) + ']'.repeat(g.depth!));
    }
    case 'oversize': {
      const text = Buffer.from(paddedEvent(g.bytes!));
      return g.gzip ? gzipSync(text) : text;
    }
    case 'gzip_bomb': {
      const shell = Buffer.from('{"type":"error","error_type":"E","message":"');
      const body = Buffer.concat([shell, Buffer.alloc(g.bytes!, 0x30), Buffer.from('"}')]);
      return gzipSync(body, { level: 9 });
    }
    case 'truncated_gzip': {
      const full = gzipSync(Buffer.from(chatMessages(10, false)));
      return full.subarray(0, full.length - 12);
    }
    case 'many_events':
      return Buffer.from(chatMessages(g.count!, g.ndjson ?? false));
    case 'many_context_keys': {
      const context = Object.fromEntries(Array.from({ length: g.count! }, (_, i) => [`k${i}`, i]));
      return Buffer.from(JSON.stringify([{ type: 'error', message: 'm', error_type: 'E', context }]));
    }
    default:
      throw new Error(`unknown generator ${g.kind}`);
  }
}

describe('ingest: corpus of bad inputs', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('holds at least 60 cases with distinct names', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.cases.map((c) => c.name)).size).toBe(corpus.cases.length);
  });

  for (const c of corpus.cases) {
    it(`${c.name} → ${c.status} ${c.error}`, async () => {
      const before = await applicationSnapshot(stack.adminUrl);
      const selfBefore = await scrape(stack.adminUrl);
      const res = await postEvents(stack.adminUrl, bodyOf(c), {
        contentType: c.contentType,
        contentEncoding: c.contentEncoding,
      });
      expect(res.status).toBe(c.status);
      expect(res.body.error).toBe(c.error);
      if (c.reason !== undefined) {
        const reason = c.error === 'no_valid_events' ? res.body.rejected?.[0]?.reason : res.body.message;
        expect(reason).toContain(c.reason);
      }
      if (c.error === 'no_valid_events') expect(res.body.accepted).toBe(0);

      const after = await applicationSnapshot(stack.adminUrl);
      expect(Object.fromEntries(changes(before, after))).toEqual({});
      expect(newSeries(before, after)).toEqual([]);

      const selfAfter = await scrape(stack.adminUrl);
      const delta = (name: string, labels: Record<string, string>) =>
        valueOf(selfAfter, name, labels) - valueOf(selfBefore, name, labels);
      if (c.error === 'no_valid_events') {
        // One per refused event, and one for the request that held no valid event.
        expect(delta('sidecar_ingest_rejections_total', { reason: c.metricReason })).toBe(
          res.body.rejected?.length,
        );
        expect(delta('sidecar_ingest_rejections_total', { reason: 'no_valid_events' })).toBe(1);
      } else {
        expect(delta('sidecar_ingest_rejections_total', { reason: c.metricReason })).toBe(1);
      }
      expect(delta('sidecar_ingest_requests_total', { status: String(c.status) })).toBe(1);
    });
  }
});

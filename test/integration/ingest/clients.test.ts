import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSidecarClient, SidecarClient } from '../../../src/client/index.js';
import { freePort } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../../helpers/sidecar.js';

const TOKEN = 'client-token-0123456789abcdef';
const DRIVER = fileURLToPath(new URL('../../fixtures/python/run_client.py', import.meta.url));

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [DRIVER, ...args], {
      env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('clients end to end against a running sidecar', () => {
  let stack: RunningSidecar;
  let url: string;
  beforeAll(async () => {
    stack = await startStack({ INGEST_TOKEN: TOKEN });
    url = `${stack.adminUrl}/v1/events`;
  });
  afterAll(() => stack.close());

  describe('TypeScript client', () => {
    it('sends every event type in batches, counts what the sidecar refused, never throws', async () => {
      const reasons: string[] = [];
      const client = createSidecarClient({
        url,
        token: TOKEN,
        batchSize: 40,
        flushIntervalMs: 50,
        gzip: true,
        flushOnExit: false,
        onError: (e) => reasons.push(e.message),
      });
      client.dbQuery({
        system: 'postgresql',
        operation: 'UPDATE',
        collection: 'ts',
        duration_s: 0.02,
        rows: 1,
      });
      client.dbPool({ pool: 'ts', used: 1, idle: 4, max: 5 });
      client.cacheOperation({ cache: 'ts', operation: 'get', result: 'hit' });
      client.storageOperation({ operation: 'delete', backend: 'ts-gcs', outcome: 'error', duration_s: 0.1 });
      client.speechRequest({
        operation: 'speech_to_text',
        provider: 'ts-stt',
        outcome: 'success',
        duration_s: 1,
      });
      client.llmRequest({ provider: 'ts-provider', model: 'ts-model', duration_s: 1, output_tokens: 5 });
      client.ragPipeline({ outcome: 'error', duration_s: 1, pipeline: 'ts' });
      client.documentProcessing({ document_type: 'ts-pdf', outcome: 'success', duration_s: 1 });
      client.authAttempt({ method: 'sso', outcome: 'success' });
      client.voiceInteraction({ channel: 'ts' });
      client.documentUpload({ document_type: 'ts-doc' });
      client.transaction({ transaction_type: 'ts-refund', outcome: 'success', amount: 5, currency: 'USD' });
      client.captureError(new TypeError('cannot read x of undefined'), { component: 'ts-worker' });
      // Invalid on purpose: the client passes it on and counts the refusal.
      client.chatMessage({ channel: 'has space' });
      // A value that is not an event is dropped without throwing.
      client.send(null as never);
      for (let i = 0; i < 100; i++) client.chatMessage({ channel: 'typescript' });
      await client.flush();
      expect(client.stats()).toEqual({
        queued: 0,
        accepted: 113,
        duplicates: 0,
        rejected: 1,
        dropped: 0,
        failedRequests: 0,
      });
      expect(reasons.join('\n')).toContain('channel: may contain only');
      await client.close();

      const samples = await scrape(stack.adminUrl);
      expect(valueOf(samples, 'app_chat_messages_total', { channel: 'typescript' })).toBe(100);
      expect(valueOf(samples, 'app_errors_total', { error_type: 'TypeError', component: 'ts-worker' })).toBe(
        1,
      );
      expect(valueOf(samples, 'gen_ai_client_token_usage_sum', { gen_ai_request_model: 'ts-model' })).toBe(5);
      expect(valueOf(samples, 'app_auth_attempts_total', { method: 'sso', outcome: 'success' })).toBe(1);
      expect(
        valueOf(samples, 'app_transaction_amount_sum', { transaction_type: 'ts-refund', currency: 'USD' }),
      ).toBe(5);
    });

    it('survives a missing sidecar: bounded queue, drops counted, no exception', async () => {
      const client = new SidecarClient({
        url: `http://127.0.0.1:${await freePort()}/v1/events`,
        batchSize: 10,
        maxQueue: 50,
        maxRetries: 1,
        flushIntervalMs: 10_000,
        timeoutMs: 500,
        flushOnExit: false,
      });
      for (let i = 0; i < 80; i++) client.send({ type: 'chat.message' });
      expect(client.stats().dropped).toBe(30);
      for (let i = 0; i < 20; i++) await client.flush();
      const stats = client.stats();
      expect(stats.accepted).toBe(0);
      expect(stats.failedRequests).toBeGreaterThan(0);
      expect(stats.dropped + stats.queued).toBe(80);
      await client.close();
      client.send({ type: 'chat.message' });
      expect(client.stats().dropped).toBe(stats.dropped + stats.queued + 1);
    });

    it('drops a batch the sidecar refuses for good (wrong token) and reports it', async () => {
      const reasons: string[] = [];
      const client = new SidecarClient({
        url,
        token: 'wrong-token-0123456789',
        flushOnExit: false,
        onError: (e) => reasons.push(e.message),
      });
      client.send({ type: 'chat.message', channel: 'ts-wrong-token' });
      await client.close();
      expect(client.stats()).toMatchObject({ accepted: 0, dropped: 1, failedRequests: 1 });
      expect(reasons[0]).toContain('401');
    });
  });

  describe('Python client (clients/python, standard library only)', () => {
    it('sends every event type with gzip, batching and a traceback', async () => {
      const { code, stdout, stderr } = await runPython([url, 'all', TOKEN]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const stats = JSON.parse(stdout.trim()) as Record<string, unknown> & { errors: string[] };
      expect(stats).toMatchObject({
        queued: 0,
        accepted: 263,
        duplicates: 0,
        rejected: 1,
        dropped: 0,
        failed_requests: 0,
      });
      expect(stats.errors.join('\n')).toContain('model: may contain only');

      const samples = await scrape(stack.adminUrl);
      expect(valueOf(samples, 'app_chat_messages_total', { channel: 'python' })).toBe(250);
      expect(valueOf(samples, 'db_client_response_returned_rows_sum', { db_collection_name: 'users' })).toBe(
        2,
      );
      expect(valueOf(samples, 'db_client_connection_count', { db_client_connection_pool_name: 'py' })).toBe(
        5,
      );
      expect(valueOf(samples, 'app_cache_operations_total', { cache: 'py', result: 'miss' })).toBe(1);
      expect(
        valueOf(samples, 'app_speech_provider_fallbacks_total', {
          from_provider: 'py-backup',
          to_provider: 'py-tts',
        }),
      ).toBe(1);
      expect(valueOf(samples, 'gen_ai_client_token_usage_sum', { gen_ai_request_model: 'py-model' })).toBe(
        30,
      );
      expect(valueOf(samples, 'app_rag_documents_retrieved_sum', { pipeline: 'py' })).toBe(4);
      expect(valueOf(samples, 'app_auth_attempts_total', { method: 'api_key', reason: 'expired' })).toBe(1);
      expect(valueOf(samples, 'app_transaction_amount_sum', { transaction_type: 'py-payment' })).toBeCloseTo(
        9.99,
      );
      expect(
        valueOf(samples, 'app_errors_total', { error_type: 'ValueError', component: 'py-payments' }),
      ).toBe(1);
      const errors = await (await fetch(`${stack.adminUrl}/errors?kind=app_error`)).text();
      expect(errors).toContain('ValueError');
      expect(errors).not.toContain('jane@example.com');
    });

    it('flushes the queue when the interpreter exits', async () => {
      const { code, stderr } = await runPython([url, 'exit', TOKEN]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(
        valueOf(await scrape(stack.adminUrl), 'app_chat_messages_total', { channel: 'python-exit' }),
      ).toBe(7);
    });

    it('survives a missing sidecar and counts what it dropped', async () => {
      const started = Date.now();
      const { code, stdout, stderr } = await runPython([
        `http://127.0.0.1:${await freePort()}/v1/events`,
        'down',
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      const stats = JSON.parse(stdout.trim()) as Record<string, number>;
      expect(stats.accepted).toBe(0);
      expect(stats.failed_requests).toBeGreaterThan(0);
      // 150 sent into a queue of 100: at least 50 dropped at once, the rest dropped after retries or still queued.
      expect(stats.dropped!).toBeGreaterThanOrEqual(50);
      expect(stats.dropped! + stats.queued!).toBe(150);
    });

    it('drops a refused batch (wrong token) instead of retrying it', async () => {
      const { stdout } = await runPython([url, 'token', 'wrong-token-0123456789']);
      expect(JSON.parse(stdout.trim())).toMatchObject({ accepted: 0, dropped: 1, failed_requests: 1 });
    });

    it("declares exactly the sidecar's event types and fields in its method signatures", async () => {
      const { code, stdout, stderr } = await runPython([url, 'catalog']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const python = JSON.parse(stdout.trim()) as Record<string, { fields: string[]; required: string[] }>;
      const schema = (await (await fetch(`${stack.adminUrl}/v1/events/schema`)).json()) as {
        $defs: Record<string, { properties: Record<string, unknown>; required: string[] }>;
      };
      const types = Object.keys(schema.$defs).filter((name) => name !== 'event');
      expect(Object.keys(python).sort()).toEqual(types.sort());
      // The error fields that link an error to its request, which the client sends ahead of a
      // sidecar that accepts them (it resends the event without them when refused).
      const linkFields = ['exception', 'request_id', 'span_id', 'trace_id'];
      for (const type of types) {
        const { properties, required } = schema.$defs[type]!;
        const fields = Object.keys(properties).filter((f) => f !== 'type');
        const ahead = python[type]!.fields.filter((f) => !fields.includes(f));
        expect({ type, missing: fields.filter((f) => !python[type]!.fields.includes(f)) }).toEqual({
          type,
          missing: [],
        });
        expect({ type, ahead: ahead.filter((f) => type !== 'error' || !linkFields.includes(f)) }).toEqual({
          type,
          ahead: [],
        });
        expect({ type, required: python[type]!.required }).toEqual({
          type,
          required: required.filter((f) => f !== 'type').sort(),
        });
      }
    });
  });
});

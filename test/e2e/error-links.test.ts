import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack, waitUntil } from './stack.js';

/**
 * One failure, one event, end to end: a FastAPI app with the Python client installed by pip
 * into a virtual environment (as users install it), the sidecar in front of it, and a Sentry
 * envelope sink. An exception escaping a route is a 500 the sidecar sees and an error event the
 * client posts; Sentry gets one event with the exception's frames and the request.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = process.env.E2E_PYTHON ?? '/usr/bin/python3';

function installClient(dir: string): string {
  const source = path.join(dir, 'source');
  cpSync(path.join(ROOT, 'clients/python'), source, { recursive: true });
  rmSync(path.join(source, 'tests'), { recursive: true, force: true });
  execFileSync(PYTHON, ['-m', 'venv', '--system-site-packages', path.join(dir, 'venv')]);
  const python = path.join(dir, 'venv/bin/python');
  execFileSync(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--no-index',
    '--no-build-isolation',
    '--no-deps',
    '--disable-pip-version-check',
    source,
  ]);
  return python;
}

interface SinkEvent {
  tags?: Record<string, string>;
  contexts?: { sidecar?: { request_id?: string }; trace?: { trace_id?: string } };
  exception?: { values: Array<{ type: string; stacktrace?: { frames: Array<{ function: string }> } }> };
  message?: string;
}

describe('one failure, one Sentry event, with the installed Python client', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-client-'));
  let stack: Stack;
  let proxy: string;

  beforeAll(async () => {
    stack = new Stack({
      backend: 'linked_app:app',
      backendReadyPath: '/health',
      backendPython: installClient(dir),
      sidecarEnv: { ERROR_LINK_WINDOW_MS: '2000' },
    });
    await stack.start();
    proxy = `http://127.0.0.1:${stack.ports.proxy}`;
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (route: string, requestId: string) => {
    const res = await fetch(`${proxy}${route}`, { headers: { 'x-request-id': requestId } });
    await res.arrayBuffer();
    return res.status;
  };

  const events = async (): Promise<SinkEvent[]> => {
    const received = (await (await fetch(`${stack.sinkUrl}/__envelopes`)).json()) as Array<{
      envelope: { items: Array<{ header: { type: string }; payload?: SinkEvent }> };
    }>;
    return received.flatMap((r) =>
      r.envelope.items.filter((i) => i.header.type === 'event').map((i) => i.payload!),
    );
  };
  const eventsFor = async (requestId: string) =>
    (await events()).filter((e) => e.contexts?.sidecar?.request_id === requestId);

  it('sends one event per raised exception, with the raising function innermost and the request', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `raise-${i}`);
    for (const id of ids) expect(await get('/raise', id)).toBe(500);
    await waitUntil(
      'an event for every failure',
      async () => {
        for (const id of ids) if ((await eventsFor(id)).length === 0) return false;
        return true;
      },
      15_000,
    );
    // Past the linking window: a second event for any of them would have come by now.
    await new Promise((r) => setTimeout(r, 2_500));
    for (const id of ids) {
      const found = await eventsFor(id);
      expect(found, id).toHaveLength(1);
      const event = found[0]!;
      const raised = event.exception!.values.at(-1)!;
      expect(raised.type).toBe('LedgerError');
      expect(raised.stacktrace!.frames.at(-1)!.function).toBe('post_entry');
      expect(event.tags).toMatchObject({ route: '/raise', status: '500', component: 'payments' });
      expect(event.contexts?.trace?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    }
  }, 60_000);

  it("sends a handled exception as its own event, in the request's trace", async () => {
    expect(await get('/handled', 'handled-1')).toBe(200);
    await waitUntil('the handled exception', async () => (await eventsFor('handled-1')).length > 0, 15_000);
    const [event] = await eventsFor('handled-1');
    expect(event!.tags).toMatchObject({ kind: 'app_error', component: 'payments' });
    expect(event!.exception!.values.at(-1)!.stacktrace!.frames.at(-1)!.function).toBe('post_entry');
    expect(event!.contexts?.trace?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  }, 30_000);

  it('loses none of a burst of 5,000 events while the sidecar restarts', async () => {
    type Stats = Record<
      'queued' | 'accepted' | 'duplicates' | 'dropped' | 'rejected' | 'failed_requests',
      number
    >;
    const stats = async () =>
      (await (await fetch(`http://127.0.0.1:${stack.ports.backend}/client-stats`)).json()) as Stats;
    const before = await stats();
    const answered = (s: Stats) => s.accepted + s.duplicates - before.accepted - before.duplicates;
    // The burst is queued while the sidecar is down: the client must hold it and send it again.
    await stack.restartSidecar(async () => {
      const res = await fetch(`http://127.0.0.1:${stack.ports.backend}/burst?n=5000`, { method: 'POST' });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_500));
    });
    await waitUntil(
      'every event of the burst answered by the sidecar',
      async () => {
        const s = await stats();
        return s.queued === 0 && answered(s) >= 5_000;
      },
      60_000,
      250,
    );
    const after = await stats();
    expect(answered(after)).toBe(5_000);
    expect(after.dropped - before.dropped).toBe(0);
    expect(after.rejected - before.rejected).toBe(0);
    expect(after.failed_requests).toBeGreaterThan(before.failed_requests);
  }, 90_000);

  it('keeps a route working when a call misspells an argument, with a warning', async () => {
    expect(await get('/misspelled', 'typo-1')).toBe(200);
    await waitUntil('the warning', async () => stack.output('backend').includes('modle'), 5_000);
  });
});

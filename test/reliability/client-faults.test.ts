import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildSidecar, memoryOf } from '../helpers/child-sidecar.js';
import { eventually } from '../helpers/http.js';
import { type Sample, scrape, valueOf } from '../helpers/prometheus-text.js';
import { runLoad, statusCounts, summary } from './support/load.js';
import { type BackendProcess, spawnProductionSidecar, startBackendProcess } from './support/processes.js';
import { rawRequest, statusesIn } from './support/raw.js';

/**
 * Clients that misbehave: they leave in the middle of an upload or a download, half-close their
 * side, dribble their headers (slowloris), or send heads and targets that are too large. Each gets
 * a deliberate answer or is recorded as gone (499); the refusals are counted; the sidecar stays
 * healthy and everybody else is served as usual.
 */

const MiB = 1024 * 1024;
const CLIENT_HEADER_TIMEOUT_MS = 2_000;
const DURATION_COUNT = 'http_server_request_duration_seconds_count';
const REJECTED = 'sidecar_rejected_requests_total';

const count = (s: Sample[], name: string, match: Record<string, string> = {}) => valueOf(s, name, match) || 0;

describe('misbehaving clients', () => {
  let backend: BackendProcess;
  let sidecar: ChildSidecar;
  let port: number;

  beforeAll(async () => {
    backend = await startBackendProcess();
    sidecar = await spawnProductionSidecar({
      UPSTREAM_URL: backend.url,
      CLIENT_HEADER_TIMEOUT_MS: String(CLIENT_HEADER_TIMEOUT_MS),
    });
    port = Number(new URL(sidecar.proxyUrl).port);
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
  });

  it('records clients that leave mid-upload and mid-download as 499, and serves everybody else', async () => {
    const before = await scrape(sidecar.adminUrl);
    const leavers = 40;
    // Uploads: a 64 MiB body is announced, 512 KiB are sent, then the client is gone.
    const uploads = Array.from(
      { length: leavers },
      () =>
        new Promise<void>((resolve) => {
          const req = http.request(`${sidecar.proxyUrl}/api/upload`, {
            method: 'POST',
            agent: false,
            headers: { 'content-length': 64 * MiB, 'content-type': 'application/octet-stream' },
          });
          req.on('error', () => resolve());
          req.on('close', () => resolve());
          req.write(Buffer.alloc(512 * 1024, 'u'), () => setTimeout(() => req.destroy(), 50));
        }),
    );
    // Downloads: 256 MiB offered, the client reads 1 MiB and is gone.
    const downloads = Array.from(
      { length: leavers },
      () =>
        new Promise<number>((resolve) => {
          http
            .get(`${sidecar.proxyUrl}/api/download?bytes=${256 * MiB}`, { agent: false }, (res) => {
              let got = 0;
              res.on('data', (chunk: Buffer) => {
                got += chunk.length;
                if (got >= MiB) res.destroy();
              });
              res.on('close', () => resolve(got));
            })
            .on('error', () => resolve(-1));
        }),
    );
    const others = await runLoad(sidecar.proxyUrl, {
      total: 3_000,
      concurrency: 16,
      spec: (i) => ({ path: `/api/users/${i % 100}` }),
    });
    await Promise.all(uploads);
    const got = await Promise.all(downloads);
    const peak = memoryOf(sidecar.child.pid!).peak;
    console.log(`leavers beside ${summary(others)}; sidecar peak RSS ${(peak / MiB).toFixed(1)} MiB`);
    expect(statusCounts(others)).toEqual({ '200': 3_000 });
    expect(got.every((n) => n >= MiB)).toBe(true);

    const after = await eventually(async () => {
      const s = await scrape(sidecar.adminUrl);
      return count(s, DURATION_COUNT, { error_type: 'client_abort' }) -
        count(before, DURATION_COUNT, { error_type: 'client_abort' }) ===
        2 * leavers
        ? s
        : undefined;
    }, 10_000);
    const delta = (match: Record<string, string>) =>
      count(after, DURATION_COUNT, match) - count(before, DURATION_COUNT, match);
    // The backend never answered the uploads: their route was not confirmed (docs/METRICS.md).
    expect(
      delta({ http_request_method: 'POST', http_response_status_code: '499', error_type: 'client_abort' }),
    ).toBe(leavers);
    expect(delta({ http_route: '/api/download', error_type: 'client_abort' })).toBe(leavers);
    expect(count(after, 'http_server_active_requests')).toBe(0);
    // 40 downloads offered 10 GiB in all: the backend is read only as fast as each client reads,
    // and not at all once it left. (What the peak holds above the idle ~95 MiB is mostly socket
    // buffers already freed and not yet collected.)
    expect(peak / MiB).toBeLessThan(400);
  });

  it('treats a client that half-closes its side as gone (499), and cancels its backend request', async () => {
    const before = await scrape(sidecar.adminUrl);
    const answer = await rawRequest(port, 'GET /api/slow?ms=2000 HTTP/1.1\r\nHost: sidecar\r\n\r\n', {
      halfClose: true,
      waitMs: 3_000,
    });
    expect(answer.text).toBe('');
    expect(answer.ended).toBe('closed');
    const gone = {
      http_route: '__unconfirmed__',
      http_response_status_code: '499',
      error_type: 'client_abort',
    };
    const after = await eventually(async () => {
      const s = await scrape(sidecar.adminUrl);
      return count(s, DURATION_COUNT, gone) === count(before, DURATION_COUNT, gone) + 1 ? s : undefined;
    });
    expect(count(after, 'http_server_active_requests')).toBe(0);
  });

  it('answers 414 to targets over MAX_URL_BYTES and 431 to heads over 16 KiB, and counts them', async () => {
    const before = await scrape(sidecar.adminUrl);
    const target = (bytes: number) => `/api/users/1?q=${'a'.repeat(bytes - '/api/users/1?q='.length)}`;
    const ask = (head: string) => rawRequest(port, head, { waitMs: 2_000 });
    const answers = {
      under: await ask(`GET ${target(8_192)} HTTP/1.1\r\nHost: sidecar\r\nConnection: close\r\n\r\n`),
      over: await ask(`GET ${target(8_193)} HTTP/1.1\r\nHost: sidecar\r\n\r\n`),
      farOver: await ask(`GET ${target(40_000)} HTTP/1.1\r\nHost: sidecar\r\n\r\n`),
      upgrade: await ask(
        `GET /ws/echo?${'a'.repeat(9_000)} HTTP/1.1\r\nHost: sidecar\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
      headers: await ask(
        `GET /api/users/1 HTTP/1.1\r\nHost: sidecar\r\nX-Big: ${'b'.repeat(17_000)}\r\n\r\n`,
      ),
      manyHeaders: await ask(
        `GET /api/users/1 HTTP/1.1\r\nHost: sidecar\r\n${Array.from({ length: 2_000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
      ),
    };
    expect(statusesIn(answers.under.text)).toEqual([200]);
    for (const key of ['over', 'farOver', 'upgrade'] as const) {
      expect(statusesIn(answers[key].text), key).toEqual([414]);
      expect(answers[key].text).toContain('"code":"URI_TOO_LONG"');
      expect(answers[key].ended, key).toBe('closed');
    }
    for (const key of ['headers', 'manyHeaders'] as const) {
      expect(statusesIn(answers[key].text), key).toEqual([431]);
      expect(answers[key].text).toContain('"code":"REQUEST_HEADER_TOO_LARGE"');
    }
    const after = await scrape(sidecar.adminUrl);
    const rejected = (status: string) =>
      count(after, REJECTED, { http_response_status_code: status }) -
      count(before, REJECTED, { http_response_status_code: status });
    expect(rejected('414')).toBe(3);
    expect(rejected('431')).toBe(2);
    // Refused requests never reached the backend, so they are not in the request histogram.
    expect(count(after, DURATION_COUNT) - count(before, DURATION_COUNT)).toBe(1);
    expect((await fetch(`${sidecar.adminUrl}/health`)).status).toBe(200);
  });

  it('closes slowloris connections with 408 after CLIENT_HEADER_TIMEOUT_MS while serving everybody else', async () => {
    const before = await scrape(sidecar.adminUrl);
    const slow = 200;
    const head = 'GET /api/users/1 HTTP/1.1\r\nHost: sidecar\r\n' + 'X-Drip: 1\r\n'.repeat(100);
    const dribblers = Array.from({ length: slow }, () =>
      // One byte every 100 ms: the whole head would take more than two minutes.
      rawRequest(port, [...head], { gapMs: 100, waitMs: 15_000 }),
    );
    const others = await runLoad(sidecar.proxyUrl, {
      total: 3_000,
      concurrency: 16,
      spec: (i) => ({ path: `/api/users/${i % 100}` }),
    });
    const answers = await Promise.all(dribblers);
    console.log(`beside ${slow} slowloris clients: ${summary(others)}`);
    expect(statusCounts(others)).toEqual({ '200': 3_000 });
    for (const answer of answers) {
      expect(statusesIn(answer.text)).toEqual([408]);
      expect(answer.ended).toBe('closed');
    }
    const after = await scrape(sidecar.adminUrl);
    expect(
      count(after, REJECTED, { error_type: 'header_timeout' }) -
        count(before, REJECTED, { error_type: 'header_timeout' }),
    ).toBe(slow);
  });

  it('gives a connection that never sends a byte the same 408', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(text));
    });
    expect(statusesIn(answer)).toEqual([408]);
  });
});

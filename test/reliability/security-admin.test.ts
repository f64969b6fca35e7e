import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvents } from '../helpers/ingest.js';
import { type RunningSidecar, startSidecar } from '../helpers/sidecar.js';
import { type RecordingBackend, rawRequest, recordingBackend, responsesIn } from './support/raw.js';

/**
 * The admin port (/metrics, /health, /ready, /v1/events, /errors) is never reachable through the
 * proxy port, whatever the path, the Host header, the request-target form or the forwarding
 * headers say: every such request is answered by the backend (or refused by the sidecar), and the
 * admin server sees none of them. The ingest API on the admin port trusts only its bearer token or
 * a loopback peer, never a header.
 */

const EXTERNAL = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('the admin port through the proxy port', () => {
  let backend: RecordingBackend;
  let stack: RunningSidecar;
  let adminRequests = 0;

  beforeAll(async () => {
    backend = await recordingBackend();
    stack = await startSidecar(backend.url);
    stack.sidecar.admin.on('request', () => {
      adminRequests++;
    });
  });
  afterAll(async () => {
    await stack?.close();
    await backend?.close();
  });

  const probes = (admin: number): Array<[string, string]> => {
    const paths = ['/metrics', '/health', '/ready', '/errors', '/v1/events/schema'];
    const hosts = [`127.0.0.1:${admin}`, `localhost:${admin}`, `[::1]:${admin}`, 'sidecar'];
    const list: Array<[string, string]> = [];
    for (const path of paths) {
      for (const host of hosts)
        list.push([`${path} with Host ${host}`, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`]);
      list.push([
        `absolute-form http://127.0.0.1:${admin}${path}`,
        `GET http://127.0.0.1:${admin}${path} HTTP/1.1\r\nHost: sidecar\r\n\r\n`,
      ]);
      list.push([
        `absolute-form http://localhost:${admin}${path}`,
        `GET http://localhost:${admin}${path} HTTP/1.1\r\nHost: 127.0.0.1:${admin}\r\n\r\n`,
      ]);
      list.push([
        `absolute-form https://[::1]:${admin}${path}`,
        `GET https://[::1]:${admin}${path} HTTP/1.1\r\nHost: a\r\n\r\n`,
      ]);
      list.push([
        `//127.0.0.1:${admin}${path}`,
        `GET //127.0.0.1:${admin}${path} HTTP/1.1\r\nHost: a\r\n\r\n`,
      ]);
      list.push([`/..${path}`, `GET /..${path} HTTP/1.1\r\nHost: a\r\n\r\n`]);
      list.push([`/%2e%2e${path}`, `GET /%2e%2e${path} HTTP/1.1\r\nHost: a\r\n\r\n`]);
      list.push([
        `${path} with X-Forwarded-Host and X-Forwarded-Port`,
        `GET ${path} HTTP/1.1\r\nHost: a\r\nX-Forwarded-Host: 127.0.0.1:${admin}\r\nX-Forwarded-Port: ${admin}\r\n\r\n`,
      ]);
    }
    list.push([
      'POST /v1/events',
      'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 23\r\n\r\n{"type":"chat.message"}',
    ]);
    list.push([
      'a WebSocket upgrade to the admin port',
      `GET http://127.0.0.1:${admin}/metrics HTTP/1.1\r\nHost: 127.0.0.1:${admin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ]);
    return list;
  };

  it('never answers from the admin server, whatever the target, Host or forwarding headers', async () => {
    const list = probes(stack.adminPort);
    const answeredBy: Record<string, string> = {};
    for (const [name, probe] of list) {
      // Connection: close, so that the answer ends with the connection.
      const closing = probe.replace('\r\n', '\r\nConnection: close\r\n');
      const answer = await rawRequest(stack.proxyPort, probe.includes('Upgrade:') ? probe : closing, {
        waitMs: 500,
      });
      const [response] = responsesIn(answer.text);
      expect(response, name).toBeDefined();
      expect(answer.text, name).not.toMatch(
        /sidecar_build_info|# HELP|"status":"(ok|ready|not_ready)"|"errors":/,
      );
      const body = JSON.parse(response!.body) as { target?: string; code?: string };
      // The backend's own answer (it names the target it got), or a refusal from the sidecar.
      answeredBy[name] =
        body.target !== undefined ? `backend ${body.target}` : `sidecar ${response!.status} ${body.code}`;
    }
    expect(adminRequests).toBe(0);
    // Absolute-form targets reach the backend in origin form, with their authority as Host.
    expect(answeredBy[`absolute-form http://127.0.0.1:${stack.adminPort}/metrics`]).toBe('backend /metrics');
    const viaAbsolute = backend
      .requests()
      .filter((r) => r.headers.some(([n, v]) => n === 'host' && v === `127.0.0.1:${stack.adminPort}`));
    expect(viaAbsolute.length).toBeGreaterThan(0);
    expect(
      Object.values(answeredBy).every(
        (a) => a.startsWith('backend ') || a === 'sidecar 405 METHOD_NOT_ALLOWED',
      ),
    ).toBe(true);
  });

  it('refuses CONNECT to the admin port with 405', async () => {
    const answer = await rawRequest(
      stack.proxyPort,
      `CONNECT 127.0.0.1:${stack.adminPort} HTTP/1.1\r\nHost: 127.0.0.1:${stack.adminPort}\r\n\r\n`,
    );
    expect(responsesIn(answer.text).map((r) => r.status)).toEqual([405]);
    expect(adminRequests).toBe(0);
  });
});

describe('the ingest API trusts its token or a loopback peer, never a header', () => {
  const TOKEN = 'ingest-token-for-the-security-suite';
  const event = { type: 'chat.message', channel: 'web' };

  it('refuses every token but the exact one', async () => {
    const stack = await startSidecar('http://127.0.0.1:9', { INGEST_TOKEN: TOKEN });
    try {
      const wrong = [
        '',
        'Bearer',
        `Bearer ${TOKEN.slice(0, -1)}`,
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(0, -1)}X`,
        `Bearer ${TOKEN.toUpperCase()}`,
        `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
        `Bearer ${TOKEN} ${TOKEN}`,
        TOKEN,
      ];
      for (const authorization of wrong) {
        const res = await postEvents(stack.adminUrl, event, {
          headers: authorization ? { authorization } : {},
        });
        expect(res.status, authorization).toBe(401);
      }
      expect(
        (await postEvents(stack.adminUrl, event, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(200);
      // The token never appears in what the sidecar writes.
      expect(stack.logs.text()).not.toContain(TOKEN);
    } finally {
      await stack.close();
    }
  });

  it.skipIf(EXTERNAL === undefined)(
    'without a token, refuses a non-loopback peer that claims to be loopback',
    async () => {
      const stack = await startSidecar('http://127.0.0.1:9', { ADMIN_HOST: '0.0.0.0' });
      try {
        const adminUrl = `http://${EXTERNAL}:${stack.adminPort}`;
        const res = await postEvents(adminUrl, event, {
          localAddress: EXTERNAL,
          headers: {
            'x-forwarded-for': '127.0.0.1',
            'x-real-ip': '127.0.0.1',
            forwarded: 'for=127.0.0.1',
            host: '127.0.0.1',
          },
        });
        expect(res.status).toBe(403);
        expect((await postEvents(stack.adminUrl, event)).status).toBe(200);
      } finally {
        await stack.close();
      }
    },
  );
});

import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvents } from '../../helpers/ingest.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../../helpers/sidecar.js';

const TOKEN = 'test-token-0123456789abcdef';
const event = { type: 'chat.message', channel: 'auth' };

/** A local address that is not loopback (the machine's own interface), if there is one. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

describe('ingest auth: INGEST_TOKEN set', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ INGEST_TOKEN: TOKEN });
  });
  afterAll(() => stack.close());

  it('accepts the right bearer token', async () => {
    const res = await postEvents(stack.adminUrl, event, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    // The scheme is case-insensitive (RFC 9110).
    const lower = await postEvents(stack.adminUrl, event, { headers: { authorization: `bearer ${TOKEN}` } });
    expect(lower.status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer wrong-token-0123456789abcdef'],
    ['the token with a character missing', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with a suffix', `Bearer ${TOKEN}x`],
    ['Basic auth', `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`],
    ['the bare token', TOKEN],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s with 401 and records nothing', async (_name, authorization) => {
    const before = valueOf(await scrape(stack.adminUrl), 'app_chat_messages_total', { channel: 'auth' });
    const res = await postEvents(stack.adminUrl, event, {
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="observability-sidecar"');
    expect(res.body.error).toBe('unauthorized');
    const after = await scrape(stack.adminUrl);
    expect(valueOf(after, 'app_chat_messages_total', { channel: 'auth' })).toBe(before);
  });

  it('checks the token before reading the body', async () => {
    const res = await postEvents(stack.adminUrl, 'not json at all', { contentType: 'text/plain' });
    expect(res.status).toBe(401);
  });

  it('counts refusals and logs the mode at start-up, never the token', async () => {
    const samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, 'sidecar_ingest_requests_total', { status: '401' })).toBe(8);
    expect(valueOf(samples, 'sidecar_ingest_rejections_total', { reason: 'unauthorized' })).toBe(8);
    expect(stack.logs.text()).toContain('/v1/events (bearer token required)');
    expect(stack.logs.text()).not.toContain(TOKEN);
  });
});

describe('ingest auth: no INGEST_TOKEN', () => {
  let stack: RunningSidecar;
  let external: { adminUrl: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
    await external?.close();
  });

  it('serves loopback clients without a token and warns at start-up', async () => {
    expect((await postEvents(stack.adminUrl, event)).status).toBe(200);
    const warning = stack.logs.lines.find((l) => String(l.msg).includes('accepts loopback clients only'));
    expect(warning?.level).toBe('warn');
  });

  it.skipIf(externalAddress === undefined)('refuses a non-loopback peer with 403', async () => {
    const running = await startStack({ ADMIN_HOST: externalAddress! });
    external = running;
    const adminUrl = `http://${externalAddress}:${running.adminPort}`;
    const res = await postEvents(adminUrl, event, { localAddress: externalAddress });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: 'forbidden',
      code: 'forbidden',
      message: 'INGEST_TOKEN is not set, so only loopback clients may send events; set it to accept others',
    });
    // A token does not help when none is configured.
    const withToken = await postEvents(adminUrl, event, {
      localAddress: externalAddress,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(withToken.status).toBe(403);
    const samples = await scrape(adminUrl);
    expect(valueOf(samples, 'app_chat_messages_total', { channel: 'auth' })).toBeNaN();
    expect(valueOf(samples, 'sidecar_ingest_requests_total', { status: '403' })).toBe(2);
  });
});

describe('ingest auth: token and a non-loopback peer', () => {
  it.skipIf(externalAddress === undefined)('serves a remote client that has the token', async () => {
    const running = await startStack({ ADMIN_HOST: externalAddress!, INGEST_TOKEN: TOKEN });
    try {
      const adminUrl = `http://${externalAddress}:${running.adminPort}`;
      const res = await postEvents(adminUrl, event, {
        localAddress: externalAddress,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await running.close();
    }
  });
});

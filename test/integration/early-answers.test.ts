import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListeningBackend, listenOnLoopback } from '../helpers/http.js';
import { type RunningSidecar, startSidecar } from '../helpers/sidecar.js';

/**
 * Answers given before the request body is all in (ingest's 413, the proxy's 414 and 431)
 * must reach clients that send the whole body before they read, as Node's fetch and Python's
 * urllib do: the sidecar reads and discards the rest before it closes (src/http/linger.ts).
 * Without that, these clients report a broken pipe instead of the answer.
 */
const BODY_BYTES = 3 * 1024 * 1024;

let backend: ListeningBackend;
let sidecar: RunningSidecar;

beforeAll(async () => {
  backend = await listenOnLoopback((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  sidecar = await startSidecar(backend.url, { INGEST_MAX_BODY_BYTES: String(1024 * 1024) });
});

afterAll(async () => {
  await sidecar?.close();
  await backend?.close();
});

const PYTHON = `
import sys, urllib.request, urllib.error
url, headers = sys.argv[1], dict(h.split(":", 1) for h in sys.argv[2:])
req = urllib.request.Request(url, data=b"a" * ${BODY_BYTES}, headers={"content-type": "application/json", **headers}, method="POST")
try:
    with urllib.request.urlopen(req, timeout=20) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode()[:40])
except Exception as e:
    print("failed", repr(e))
`;

async function urllib(url: string, headers: Record<string, string> = {}): Promise<string> {
  const args = Object.entries(headers).map(([k, v]) => `${k}:${v}`);
  const { stdout } = await promisify(execFile)('python3', ['-c', PYTHON, url, ...args], { timeout: 30_000 });
  return stdout.trim();
}

async function nodeFetch(url: string, headers: Record<string, string> = {}): Promise<string> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      body: Buffer.alloc(BODY_BYTES, 'a'),
      headers: { 'content-type': 'application/json', ...headers },
    });
    return `${res.status} ${(await res.text()).slice(0, 40)}`;
  } catch (error) {
    return `failed ${String((error as { cause?: { code?: string } }).cause?.code ?? error)}`;
  }
}

describe('answers given before the body is all in', () => {
  it("ingest's 413 for a 3 MB body reaches Node's fetch and Python's urllib", async () => {
    const url = `${sidecar.adminUrl}/v1/events`;
    for (let i = 0; i < 3; i++) {
      expect(await nodeFetch(url)).toMatch(/^413 \{"error":"body_too_large"/);
      expect(await urllib(url)).toMatch(/^413 \{"error":"body_too_large"/);
    }
  });

  it("the proxy's 414 for a target too long, with a body behind it", async () => {
    const url = `${sidecar.proxyUrl}/${'a'.repeat(9_000)}`;
    expect(await nodeFetch(url)).toMatch(/^414 \{"error":"URI Too Long"/);
    expect(await urllib(url)).toMatch(/^414 \{"error":"URI Too Long"/);
  });

  it("the proxy's 431 for a head too large, with a body behind it", async () => {
    const headers = { 'x-large': 'b'.repeat(20_000) };
    expect(await nodeFetch(`${sidecar.proxyUrl}/upload`, headers)).toMatch(/^431 /);
    expect(await urllib(`${sidecar.proxyUrl}/upload`, headers)).toMatch(/^431 /);
  });
});

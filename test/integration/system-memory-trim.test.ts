import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBackend, startDemoBackend } from '../../examples/demo/backend.js';
import { type ChildSidecar, spawnSidecar } from '../helpers/child-sidecar.js';
import { eventually, request, sleep } from '../helpers/http.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';

const TRIMS = 'sidecar_memory_trim_duration_seconds_count';

describe('memory trim (the built program, as the image runs it)', () => {
  let backend: DemoBackend;
  let sidecar: ChildSidecar;
  const trims = () => sidecar.lines().filter((l) => l.msg === 'memory trimmed');

  beforeAll(async () => {
    backend = await startDemoBackend();
    sidecar = await spawnSidecar({
      UPSTREAM_URL: backend.url,
      LOG_LEVEL: 'debug',
      MEMORY_TRIM_IDLE_MS: '400',
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.close();
  });

  it('gives the heap start-up grew back once the program is loaded', async () => {
    const [first] = await eventually(() => {
      const t = trims();
      return t.length > 0 ? t : undefined;
    }, 5000);
    expect(first).toMatchObject({ reason: 'start-up' });
    // Loading the program grows the young generation and leaves garbage in the old one; a plain
    // full collection gives back ~0.5 MB of the heap here, the trim ~17 MB.
    const freed = (first!.heap_before_bytes as number) - (first!.heap_after_bytes as number);
    expect(freed).toBeGreaterThan(4 * 2 ** 20);
    expect(first!.pause_ms as number).toBeGreaterThan(0);
  });

  it('trims again after proxied traffic stops, not while it flows', async () => {
    await eventually(() => (trims().length >= 1 ? true : undefined), 5000);
    const before = trims().length;
    // Requests every 100 ms for 1.2 s: no quiet period of 400 ms.
    for (let i = 0; i < 12; i++) {
      expect((await request(`${sidecar.proxyUrl}/api/users/${i}`)).status).toBe(200);
      await sleep(100);
    }
    expect(trims().length).toBe(before);
    const after = await eventually(() => {
      const t = trims();
      return t.length > before ? t : undefined;
    }, 5000);
    expect(after.at(-1)).toMatchObject({ reason: 'idle' });
    // One trim per quiet period.
    await sleep(1200);
    expect(trims().length).toBe(before + 1);
    expect(valueOf(await scrape(sidecar.adminUrl), TRIMS)).toBe(before + 1);
  });
});

describe('memory trim switched off', () => {
  it('never runs with MEMORY_TRIM_IDLE_MS=0, and the metric stays at zero', async () => {
    const backend = await startDemoBackend();
    const sidecar = await spawnSidecar({
      UPSTREAM_URL: backend.url,
      LOG_LEVEL: 'debug',
      MEMORY_TRIM_IDLE_MS: '0',
    });
    try {
      await sleep(1600);
      expect(sidecar.lines().filter((l) => l.msg === 'memory trimmed')).toEqual([]);
      expect(valueOf(await scrape(sidecar.adminUrl), TRIMS)).toBe(0);
    } finally {
      await sidecar.stop();
      await backend.close();
    }
  });
});

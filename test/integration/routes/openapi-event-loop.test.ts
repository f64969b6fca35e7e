import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A 20 MB document is discovered by the built code (dist/src) in a plain Node process that goes
 * on serving requests (test/fixtures/openapi/discovery-harness.mjs). The harness also measures
 * what decoding and JSON.parse of the same document cost its main thread inline, on this
 * machine under its current load; discovery must cost the main thread a small fraction of it.
 * A plain process rather than this test's: the test runner's own work on the main thread would
 * blur the figures.
 */

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/openapi/${name}`, import.meta.url));

interface Figures {
  bytes: number;
  /** Discovery alone: the main thread's CPU from start to templates. */
  quiet: { templates: number; mainCpuMs: number };
  /** Three discoveries, each beside a request loop on another port. */
  busy: Array<{ requests: number; maxDelayMs: number; slowestRequestMs: number }>;
  /** The parse on the main thread, for comparison. */
  inline: { cpuMs: number; wallMs: number };
}

let backend: ChildProcess | undefined;
let figures: Figures;

beforeAll(async () => {
  backend = spawn(process.execPath, [fixture('large-document-backend.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    backend!.stdout!.once('data', (d: Buffer) => resolve(String(d))),
  );
  const { port } = JSON.parse(line) as { port: number };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [fixture('discovery-harness.mjs'), `http://127.0.0.1:${port}`],
    {
      timeout: 120_000,
    },
  );
  figures = JSON.parse(stdout) as Figures;
}, 150_000);

afterAll(() => {
  backend?.kill();
});

describe('a 20 MB document', () => {
  it('is parsed off the main thread: discovery costs it a small fraction of the CPU of the parse', () => {
    expect(figures.bytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(figures.quiet.templates).toBe(5_200);
    expect(figures.inline.cpuMs).toBeGreaterThan(50);
    // The main thread asks first itself (small JSON documents are parsed there) and hands over
    // on the declared length: one refused request, ~1 ms warm and ~10 ms as the process's first.
    expect(figures.quiet.mainCpuMs).toBeLessThan(figures.inline.cpuMs / 3);
  });

  it('stalls no request on another port for anything like the time the parse takes', () => {
    // On a loaded machine the scheduler delays the loop now and then, whoever parses, so one run
    // may see a long delay; a parse on the main thread would hold it for all of inline.wallMs in
    // every run. The typical (median) run decides.
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    expect(median(figures.busy.map((run) => run.maxDelayMs))).toBeLessThan(figures.inline.wallMs * 0.6);
    expect(median(figures.busy.map((run) => run.slowestRequestMs))).toBeLessThan(figures.inline.wallMs * 0.6);
    for (const run of figures.busy) expect(run.requests).toBeGreaterThan(20);
  });
});

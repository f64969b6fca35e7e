import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { TemplateOptions } from '../../../../src/routes/openapi/document-templates.js';
import { parseInChild } from '../../../../src/routes/openapi/parse-in-child.js';
import { eventually } from '../../../helpers/http.js';

/** The real parser process, started from the TypeScript sources as Node runs them. */

const options: TemplateOptions = {
  maxRoutes: 100,
  serverPrefix: true,
  documentUrl: 'http://backend:8000/openapi.json',
};
const limits = { memoryMb: 64, timeoutMs: 20_000 };

/** Small as text, large as objects: millions of empty objects in one array, parsed by one native call. */
function memoryBomb(megabytes: number): Buffer {
  const count = Math.floor((megabytes * 1024 * 1024) / 3);
  return Buffer.from(`{"openapi":"3.1.0","paths":{"/a":{}},"x":[${'{},'.repeat(count)}{}]}`);
}

describe('parsing in a child process', () => {
  it('returns the templates of a YAML document', async () => {
    const doc = Buffer.from(
      'swagger: "2.0"\nbasePath: /v1\npaths:\n  /items/{id}: {get: {}}\n  /items: {}\n',
    );
    expect(await parseInChild([doc.subarray(0, 20), doc.subarray(20)], options, limits).result).toMatchObject(
      {
        ok: true,
        version: 'Swagger 2.0',
        templates: ['/items/{id}', '/items'],
        serverPrefix: '/v1',
      },
    );
  });

  it('survives a JSON memory bomb that would abort a worker thread, and parses the next document', async () => {
    // 15 MB of `{},` needs several hundred MB of heap; in a worker thread with the same limit,
    // V8 aborts the whole process (nodejs/node#47224).
    const reply = await parseInChild([memoryBomb(15)], options, { memoryMb: 64, timeoutMs: 20_000 }).result;
    expect(reply).toEqual({
      ok: false,
      outcome: 'parse_error',
      reason:
        'parsing needs more than the 64 MB the parser may use (raise OPENAPI_PARSE_MEMORY_MB, or serve the document as JSON, which needs far less than YAML)',
      notApiDescription: false,
    });
    const next = await parseInChild([Buffer.from('{"openapi":"3.1.0","paths":{"/b":{}}}')], options, limits)
      .result;
    expect(next).toMatchObject({ ok: true, templates: ['/b'] });
  });

  it('gives up on a parse that takes longer than its time limit', async () => {
    const reply = await parseInChild([memoryBomb(6)], options, { memoryMb: 256, timeoutMs: 50 }).result;
    expect(reply).toMatchObject({
      ok: false,
      outcome: 'parse_error',
      reason: 'parsing took longer than 0.05 s',
    });
  });

  it('says what a parser killed from outside most likely ran into', async () => {
    const marker = `http://killed.invalid/${process.pid}/openapi.json`;
    const job = parseInChild(
      [memoryBomb(6)],
      { ...options, documentUrl: marker },
      { memoryMb: 256, timeoutMs: 20_000 },
    );
    const pid = await eventually(
      () => execFileSync('pgrep', ['-f', marker]).toString().trim().split('\n')[0],
    );
    process.kill(Number(pid), 'SIGKILL');
    expect(await job.result).toMatchObject({
      outcome: 'parse_error',
      reason:
        'the parser was killed (SIGKILL): the container may lack the memory for OPENAPI_PARSE_MEMORY_MB (256 MB)',
    });
  });

  it('ends the parser when cancelled', async () => {
    const job = parseInChild([memoryBomb(6)], options, { memoryMb: 256, timeoutMs: 20_000 });
    job.cancel();
    expect(await job.result).toMatchObject({ reason: 'parsing was cancelled: the sidecar is stopping' });
  });
});

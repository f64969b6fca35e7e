import { describe, expect, it } from 'vitest';
import type { TemplateOptions } from '../../../../src/routes/openapi/document-templates.js';
import { parseAndExtract } from '../../../../src/routes/openapi/openapi-parser.js';

/** What the worker does with the bytes, called in-process; the worker itself is tested in parse-in-worker.test.ts. */

const options: TemplateOptions = {
  maxRoutes: 100,
  serverPrefix: true,
  documentUrl: 'http://backend:8000/openapi.yaml',
};
const bytes = (text: string) => new TextEncoder().encode(text);

describe('parsing a document', () => {
  it('reads YAML, with the servers path apart', () => {
    const yaml = [
      'openapi: 3.0.3',
      'info: {title: shop, version: "1"}',
      'servers:',
      '  - url: https://shop.example.com/store',
      'paths:',
      '  /orders/{orderId}:',
      '    get:',
      '      responses:',
      "        '200': {description: ok}",
      '  /orders:',
      '    post: {responses: {"201": {description: created}}}',
    ].join('\n');
    expect(parseAndExtract(bytes(yaml), options)).toMatchObject({
      ok: true,
      version: 'OpenAPI 3.0.3',
      templates: ['/orders/{orderId}', '/orders'],
      serverPrefix: '/store',
    });
  });

  it('reads JSON, with a byte-order mark and leading whitespace', () => {
    const json = `\uFEFF\n  ${JSON.stringify({ swagger: '2.0', basePath: '/v1', paths: { '/a': {} } })}`;
    expect(parseAndExtract(bytes(json), options)).toMatchObject({
      ok: true,
      templates: ['/a'],
      serverPrefix: '/v1',
    });
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const lines = ['openapi: 3.1.0', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    }
    lines.push('paths: {/a: {}}');
    expect(parseAndExtract(bytes(lines.join('\n')), options)).toEqual({
      ok: false,
      outcome: 'parse_error',
      reason: 'not valid YAML: Excessive alias count indicates a resource exhaustion attack',
      notApiDescription: false,
    });
  });

  it('says what is wrong with text that is neither JSON nor YAML, or not text', () => {
    const json = parseAndExtract(bytes('{"openapi": "3.1.0", "paths": {'), options);
    expect(json).toMatchObject({ ok: false, outcome: 'parse_error' });
    expect(!json.ok && json.reason).toMatch(/^not valid JSON: /);
    const yaml = parseAndExtract(bytes('openapi: 3.1.0\npaths: {/a: [}\n'), options);
    expect(!yaml.ok && yaml.reason).toMatch(/^not valid YAML: /);
    expect(parseAndExtract(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), options)).toMatchObject({
      outcome: 'parse_error',
      reason: 'not UTF-8 text',
    });
    const twoDocuments = parseAndExtract(bytes('openapi: 3.1.0\n---\nopenapi: 3.1.0\n'), options);
    expect(!twoDocuments.ok && twoDocuments.reason).toMatch(/multiple documents/);
  });

  it('refuses YAML nested deeper than the parser can go, and takes JSON nested as deep', () => {
    const depth = 20_000;
    const yaml = `openapi: 3.1.0\npaths: {}\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    expect(parseAndExtract(bytes(yaml), options)).toMatchObject({
      outcome: 'parse_error',
      reason: 'nested too deeply to parse',
    });
    const json = `{"openapi":"3.1.0","paths":{"/a":{}},"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(parseAndExtract(bytes(json), options)).toMatchObject({ ok: true, templates: ['/a'] });
  });
});

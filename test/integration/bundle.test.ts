import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The bundle the image runs (`npm run build`, rolldown.config.mjs), as built: what each module
 * loads decides the sidecar's memory (docs/PERFORMANCE.md), and a static import slipped in
 * anywhere would quietly load the whole Sentry SDK into every sidecar.
 */

const chunk = (name: string) => readFileSync(`dist/bundle/${name}`, 'utf8');
const staticImports = (code: string) =>
  [
    ...code.matchAll(/^import\s[^;]*?from\s+"([^"]+)";?$/gm),
    ...code.matchAll(/^import\s+"([^"]+)";?$/gm),
  ].map((m) => m[1]!);

describe('the production bundle', () => {
  it('keeps the Sentry SDK out of the program until a DSN asks for it', () => {
    const main = chunk('main.js');
    expect(main).not.toContain('@sentry/');
    // rolldown's own helpers for CommonJS modules (protobufjs) get a chunk of their own once two
    // chunks use them; it holds those helpers and nothing else.
    expect(staticImports(main).filter((m) => !m.startsWith('node:'))).toEqual([
      './rolldown-runtime.js',
      'url',
    ]);
    const runtime = chunk('rolldown-runtime.js');
    expect(staticImports(runtime).filter((m) => !m.startsWith('node:'))).toEqual([]);
    expect(runtime).not.toContain('@sentry/');
    expect(main).toContain('await import("./sentry-client.js")');
  });

  it('loads @sentry/node only for the transport through an HTTP proxy, and no OpenTelemetry SDK', () => {
    const sentry = chunk('sentry-client.js');
    expect(staticImports(sentry).filter((m) => !m.startsWith('node:'))).toEqual([
      './request-spans.js',
      './main.js',
    ]);
    // The spans of sampled requests, shared with tracing without Sentry: of the SDK, only its
    // table of span statuses.
    const spans = chunk('request-spans.js');
    expect(
      staticImports(spans)
        .filter((m) => !m.startsWith('node:'))
        .sort(),
    ).toEqual(['./main.js', './rolldown-runtime.js']);
    expect([...spans.matchAll(/^\/\/ node_modules\/(@sentry\/.*)$/gm)].map((m) => m[1])).toEqual([
      '@sentry/core/build/esm/types/spanStatus.js',
    ]);
    expect([...sentry.matchAll(/import\("@sentry\/node"\)/g)]).toHaveLength(1);
    for (const name of ['main.js', 'sentry-client.js', 'lib.js']) {
      // rolldown heads each bundled module with its path.
      expect(chunk(name)).not.toMatch(
        /^\/\/ node_modules\/(?:@opentelemetry\/(?!api\/)|import-in-the-middle|@sentry\/node\/)/m,
      );
    }
  });
});

import { parse as parseYaml } from 'yaml';
import type { TemplateOptions } from './document-templates.js';
import { documentTemplates } from './document-templates.ts';
import type { ParseReply } from './parser-protocol.js';
import { PARSE_FLAG } from './parser-protocol.ts';

/**
 * The program that turns a fetched document into route templates, run as a child process of
 * the sidecar for each new document. Parsing a large JSON document, or any YAML one, takes long
 * enough to stall every proxied request if it ran on the main thread. It is a process rather
 * than a worker thread because V8 aborts the whole process, not just the worker, when a worker
 * thread's heap limit is reached inside one long native call such as JSON.parse of a memory
 * bomb (nodejs/node#47224); a child's heap limit (--max-old-space-size) ends only the child.
 *
 * Node starts this file three ways: compiled (dist/src), bundled as its own entry (dist/bundle,
 * rolldown.config.mjs), and, in tests, straight from TypeScript, which Node's type stripping
 * does only for erasable syntax. Its relative runtime imports therefore name .ts files, which
 * the compiler rewrites to .js (tsconfig `rewriteRelativeImportExtensions`); so do theirs. Type
 * imports, erased before anything runs, keep the usual .js.
 */

/** No OpenAPI document needs aliases; a few are harmless, many are an expansion attack. */
const YAML_MAX_ALIASES = 100;
const REASON_LENGTH = 200;

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > REASON_LENGTH ? `${line.slice(0, REASON_LENGTH)}…` : line;
}

type Parsed = { ok: true; doc: unknown } | { ok: false; reason: string };

function parseText(text: string): Parsed {
  const start = text.trimStart()[0];
  const json = start === '{' || start === '[';
  try {
    if (json) return { ok: true, doc: JSON.parse(text) };
    return {
      ok: true,
      doc: parseYaml(text, {
        maxAliasCount: YAML_MAX_ALIASES,
        // Checking each new key against every earlier one is quadratic in a map's size, and a
        // `paths` map holds thousands; JSON.parse keeps the last of duplicate keys too.
        uniqueKeys: false,
        // 'error' throws on errors without printing warnings ('silent' would swallow errors).
        logLevel: 'error',
      }),
    };
  } catch (error) {
    const message = firstLine(error instanceof Error ? error.message : String(error));
    // The YAML parser recurses per level of nesting and reports the overflow as its own error.
    if (/Maximum call stack/.test(message)) return { ok: false, reason: 'nested too deeply to parse' };
    return { ok: false, reason: `not valid ${json ? 'JSON' : 'YAML'}: ${message}` };
  }
}

/** Parses JSON or YAML and extracts the templates; never throws. */
export function parseAndExtract(bytes: Uint8Array, options: TemplateOptions): ParseReply {
  let text: string;
  try {
    // fatal: bytes that are not UTF-8 are refused rather than turned into replacement characters.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, outcome: 'parse_error', reason: 'not UTF-8 text', notApiDescription: false };
  }
  const parsed = parseText(text);
  if (!parsed.ok)
    return { ok: false, outcome: 'parse_error', reason: parsed.reason, notApiDescription: false };
  return documentTemplates(parsed.doc, options);
}

async function serve(options: TemplateOptions): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const reply = parseAndExtract(Buffer.concat(chunks), options);
  process.send?.(reply, () => process.exit(0));
}

if (process.argv[2] === PARSE_FLAG && process.send) {
  // The channel closes when whoever started the parser is gone: nobody wants the result then.
  process.on('disconnect', () => process.exit(1));
  void serve(JSON.parse(process.argv[3] ?? '{}') as TemplateOptions);
}

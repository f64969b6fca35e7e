import { parse as parseYaml } from 'yaml';
import type { TemplateOptions } from './document-templates.js';
import { documentTemplates } from './document-templates.ts';
import { firstLine, isJson, jsonTemplates, parseFailure, utf8Text } from './json-document.ts';
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

function yamlTemplates(text: string, options: TemplateOptions): ParseReply {
  let doc: unknown;
  try {
    doc = parseYaml(text, {
      maxAliasCount: YAML_MAX_ALIASES,
      // Checking each new key against every earlier one is quadratic in a map's size, and a
      // `paths` map holds thousands; JSON.parse keeps the last of duplicate keys too.
      uniqueKeys: false,
      // 'error' throws on errors without printing warnings ('silent' would swallow errors).
      logLevel: 'error',
    });
  } catch (error) {
    const message = firstLine(error instanceof Error ? error.message : String(error));
    // The YAML parser recurses per level of nesting and reports the overflow as its own error.
    if (/Maximum call stack/.test(message)) return parseFailure('nested too deeply to parse');
    return parseFailure(`not valid YAML: ${message}`);
  }
  return documentTemplates(doc, options);
}

/** Parses JSON or YAML and extracts the templates; never throws. */
export function parseAndExtract(bytes: Uint8Array, options: TemplateOptions): ParseReply {
  const text = utf8Text(bytes);
  if (text === undefined) return parseFailure('not UTF-8 text');
  return isJson(text) ? jsonTemplates(text, options) : yamlTemplates(text, options);
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

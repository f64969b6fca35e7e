import { documentTemplates, type TemplateOptions } from './document-templates.ts';
import type { ParseReply } from './parser-protocol.js';

/**
 * A document's bytes as text, and the templates of a JSON one: shared by the parser process
 * (openapi-parser.ts, which also reads YAML) and the sidecar's own thread, which parses small
 * JSON documents itself (look.ts). No YAML here, so that main.js loads no YAML library.
 */

const REASON_LENGTH = 200;

export function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > REASON_LENGTH ? `${line.slice(0, REASON_LENGTH)}…` : line;
}

export function parseFailure(reason: string): ParseReply {
  return { ok: false, outcome: 'parse_error', reason, notApiDescription: false };
}

/** UTF-8 text, or undefined: bytes that are not UTF-8 are refused rather than turned into replacement characters. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** JSON starts with an object or an array; anything else is read as YAML. */
export function isJson(text: string): boolean {
  const start = text.trimStart()[0];
  return start === '{' || start === '[';
}

/** The templates of a JSON document (isJson); never throws. */
export function jsonTemplates(text: string, options: TemplateOptions): ParseReply {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return parseFailure(
      `not valid JSON: ${firstLine(error instanceof Error ? error.message : String(error))}`,
    );
  }
  return documentTemplates(doc, options);
}

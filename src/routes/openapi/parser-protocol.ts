import type { TemplatesVerdict } from './document-templates.js';

/**
 * How the sidecar and its OpenAPI parser process talk: the parser is started with argv
 * `PARSE_FLAG <TemplateOptions as JSON>`, reads the document from stdin and sends one
 * ParseReply over the IPC channel. Its own module, so that the sidecar's side imports no
 * parser code (and no YAML library) into main.js.
 */
export const PARSE_FLAG = '--openapi-parse';

export type ParseReply =
  | TemplatesVerdict
  | {
      readonly ok: false;
      readonly outcome: 'parse_error';
      readonly reason: string;
      readonly notApiDescription: false;
    };

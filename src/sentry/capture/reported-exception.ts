import { scrubText, scrubValue } from '../scrub/index.js';
import type { StackFrame } from './stack-frames.js';

/** A frame as a backend's client sends it (src/ingest/families/error/exception-schema.ts). */
export interface FrameInput {
  readonly filename: string;
  readonly abs_path?: string | undefined;
  readonly function?: string | undefined;
  readonly module?: string | undefined;
  readonly lineno?: number | undefined;
  readonly colno?: number | undefined;
  readonly in_app?: boolean | undefined;
  readonly context_line?: string | undefined;
  readonly pre_context?: readonly string[] | undefined;
  readonly post_context?: readonly string[] | undefined;
  readonly vars?: Readonly<Record<string, string>> | undefined;
}

/** One exception of a chain as a client sends it, causes first. */
export interface ExceptionEntryInput {
  readonly type: string;
  readonly value?: string | undefined;
  readonly module?: string | undefined;
  readonly stacktrace?: { readonly frames: readonly FrameInput[] } | undefined;
}

/** A frame as it leaves for Sentry: its source lines and variables scrubbed. */
export interface ReportedFrame extends StackFrame {
  readonly abs_path?: string;
  readonly module?: string;
  readonly context_line?: string;
  readonly pre_context?: readonly string[];
  readonly post_context?: readonly string[];
  readonly vars?: Readonly<Record<string, unknown>>;
}

/** One exception of a report's chain, causes first, in the order of Sentry's `exception.values`. */
export interface ReportedException {
  readonly type: string;
  readonly value: string;
  readonly module?: string;
  readonly frames?: readonly ReportedFrame[];
}

const MAX_VARS = 50;

function scrubbedVars(vars: Readonly<Record<string, string>>): Record<string, unknown> | undefined {
  const kept = Object.fromEntries(Object.entries(vars).slice(0, MAX_VARS));
  // Keys naming secrets (`password`, `token`…) go, values are scrubbed like any context.
  const scrubbed = scrubValue(kept);
  return scrubbed && typeof scrubbed === 'object' ? (scrubbed as Record<string, unknown>) : undefined;
}

function reportedFrame(f: FrameInput): ReportedFrame {
  const lines = (list: readonly string[] | undefined) => list?.map((l) => scrubText(l));
  const vars = f.vars === undefined ? undefined : scrubbedVars(f.vars);
  return {
    filename: scrubText(f.filename),
    function: scrubText(f.function ?? '') || '?',
    in_app: f.in_app ?? true,
    ...(f.lineno === undefined ? {} : { lineno: f.lineno }),
    ...(f.colno === undefined ? {} : { colno: f.colno }),
    ...(f.abs_path === undefined ? {} : { abs_path: scrubText(f.abs_path) }),
    ...(f.module === undefined ? {} : { module: f.module }),
    ...(f.context_line === undefined ? {} : { context_line: scrubText(f.context_line) }),
    ...(f.pre_context === undefined ? {} : { pre_context: lines(f.pre_context) }),
    ...(f.post_context === undefined ? {} : { post_context: lines(f.post_context) }),
    ...(vars === undefined ? {} : { vars }),
  };
}

/** A client's exception chain, scrubbed: messages, paths, source lines and variables. */
export function reportedExceptions(chain: readonly ExceptionEntryInput[]): ReportedException[] {
  return chain.map((e) => ({
    type: scrubText(e.type) || 'Error',
    value: scrubText(e.value ?? ''),
    ...(e.module === undefined ? {} : { module: e.module }),
    ...(e.stacktrace?.frames.length ? { frames: e.stacktrace.frames.map(reportedFrame) } : {}),
  }));
}

import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateOptions } from './document-templates.js';
import type { ParseReply } from './parser-protocol.js';
import { PARSE_FLAG } from './parser-protocol.ts';

export interface ParseLimits {
  /** Heap limit of the parser process (OPENAPI_PARSE_MEMORY_MB). */
  readonly memoryMb: number;
  readonly timeoutMs: number;
}

export interface ParseJob {
  readonly result: Promise<ParseReply>;
  /** Ends the parser now; the result becomes a parse_error. */
  cancel(): void;
}

/**
 * The parser program sits next to this module under the same extension: `.js` in dist/src and
 * in dist/bundle (where it is an entry of its own beside main.js), `.ts` when tests run the
 * sources.
 */
const PARSER = fileURLToPath(
  new URL(`./openapi-parser${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);
/** The end of the parser's stderr kept, to tell a heap exhaustion from another crash. */
const STDERR_TAIL = 4096;

function failure(reason: string): ParseReply {
  return { ok: false, outcome: 'parse_error', reason, notApiDescription: false };
}

/** Why the parser ended without a reply, from how it ended and the end of its stderr. */
function whyStopped(code: number | null, signal: string | null, stderr: string, memoryMb: number): string {
  if (/heap out of memory|Allocation failed/.test(stderr)) {
    return `parsing needs more than the ${memoryMb} MB the parser may use (raise OPENAPI_PARSE_MEMORY_MB, or serve the document as JSON, which needs far less than YAML)`;
  }
  // Not by the sidecar, which settles before it kills: most likely the kernel's OOM killer,
  // which picks the parser first (its oom_score_adj is raised).
  if (signal === 'SIGKILL') {
    return `the parser was killed (SIGKILL): the container may lack the memory for OPENAPI_PARSE_MEMORY_MB (${memoryMb} MB)`;
  }
  const last = stderr.trim().split('\n').at(-1) ?? '';
  return `the parser stopped (${signal ?? `exit code ${code}`})${last ? `: ${last}` : ''}`;
}

/**
 * Parses a document in a fresh child process that ends with the parse: documents change
 * rarely, and a parser that lived on would hold its memory for nothing. The chunks are written
 * to its stdin as they are, never joined, copied or parsed on the main thread.
 */
export function parseInChild(
  chunks: readonly Uint8Array[],
  options: TemplateOptions,
  limits: ParseLimits,
): ParseJob {
  let settle: (reply: ParseReply) => void = () => {};
  const result = new Promise<ParseReply>((resolve) => {
    settle = resolve;
  });
  const child = fork(PARSER, [PARSE_FLAG, JSON.stringify(options)], {
    // Nothing inherited: no NODE_OPTIONS, no inspector, only the heap limit.
    execArgv: [`--max-old-space-size=${limits.memoryMb}`],
    env: {},
    stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let stderr = '';
  let done = false;
  const finish = (reply: ParseReply) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    settle(reply);
  };
  const timer = setTimeout(
    () => finish(failure(`parsing took longer than ${limits.timeoutMs / 1000} s`)),
    limits.timeoutMs,
  );
  timer.unref();
  child.on('error', (error) => finish(failure(`the parser did not start (${error.message})`)));
  child.on('message', (reply: ParseReply) => finish(reply));
  child.on('exit', (code, signal) => finish(failure(whyStopped(code, signal, stderr, limits.memoryMb))));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  // A failed write means the parser is gone; its exit reports why.
  child.stdin?.on('error', () => {});
  // Corked, the chunks leave in one vectored write instead of one write each.
  child.stdin?.cork();
  for (const chunk of chunks) child.stdin?.write(chunk);
  child.stdin?.end();
  // Should the container run short of memory, the kernel ends the parser rather than the proxy.
  if (child.pid !== undefined) writeFile(`/proc/${child.pid}/oom_score_adj`, '1000').catch(() => {});
  // The parser never keeps the sidecar alive, e.g. while it shuts down.
  child.unref();
  child.channel?.unref();
  return { result, cancel: () => finish(failure('parsing was cancelled: the sidecar is stopping')) };
}

/**
 * A thrown value as the ingest API's structured `exception`: its `cause` chain, causes first and
 * the thrown error last, each with the frames of its V8 stack, oldest first (the throwing frame
 * last), as Sentry orders them.
 */
export interface ExceptionFrame {
  filename: string;
  function?: string;
  lineno?: number;
  colno?: number;
  in_app: boolean;
}

export interface ExceptionEntry {
  type: string;
  value?: string;
  stacktrace?: { frames: ExceptionFrame[] };
}

const MAX_CHAIN = 10;
const MAX_FRAMES = 100;
/** `    at fn (file:line:col)`, `    at file:line:col`, `    at async fn (file:line:col)`. */
const FRAME = /^\s*at (?:async )?(?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;
const LIBRARY = /node_modules|^node:|^internal\//;

function framesOf(stack: string | undefined): ExceptionFrame[] {
  const frames: ExceptionFrame[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const filename = m[2]!.replace(/^file:\/\//, '');
    frames.push({
      filename,
      ...(m[1] ? { function: m[1] } : {}),
      lineno: Number(m[3]),
      colno: Number(m[4]),
      in_app: !LIBRARY.test(filename),
    });
    if (frames.length === MAX_FRAMES) break;
  }
  // V8 lists the throwing frame first.
  return frames.reverse();
}

export function exceptionChain(error: unknown): ExceptionEntry[] {
  const chain: ExceptionEntry[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current) && chain.length < MAX_CHAIN) {
    seen.add(current);
    const err = current instanceof Error ? current : undefined;
    const frames = err ? framesOf(err.stack) : [];
    chain.push({
      type: (err ? err.name || err.constructor.name : typeof current).slice(0, 256) || 'Error',
      value: (err ? err.message : String(current)).slice(0, 8192),
      ...(frames.length > 0 ? { stacktrace: { frames } } : {}),
    });
    current = err?.cause;
  }
  return chain.reverse();
}

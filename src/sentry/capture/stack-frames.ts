import { scrubText } from '../scrub/index.js';

/** One frame in Sentry's order: the outermost call first, the failing line last. */
export interface StackFrame {
  readonly filename: string;
  readonly function: string;
  readonly lineno?: number;
  readonly colno?: number;
  readonly in_app: boolean;
}

const MAX_FRAMES = 100;
const PYTHON_FRAME = /^\s*File "([^"]{1,512})", line (\d{1,7}), in (.{1,256})$/;
const NODE_FRAME = /^\s*at (?:(.{1,256}?) \()?(.{1,512}?):(\d{1,7}):(\d{1,7})\)?$/;
const LIBRARY_PATH = /site-packages|dist-packages|node_modules|<frozen |^node:|^internal\//;

function frame(filename: string, fn: string, lineno?: number, colno?: number): StackFrame {
  const safeFile = scrubText(filename);
  return {
    filename: safeFile,
    function: scrubText(fn) || '?',
    ...(lineno === undefined ? {} : { lineno }),
    ...(colno === undefined ? {} : { colno }),
    in_app: !LIBRARY_PATH.test(safeFile),
  };
}

/**
 * Frames from a Python traceback or a Node.js stack, the two runtimes the sidecar's backends use.
 * Frames give Sentry a readable stack and the fingerprint a stable shape; source lines and local
 * variables are never read. Anything else yields no frames, and the text is kept as scrubbed
 * context instead.
 */
export function parseStack(stack: string): StackFrame[] | undefined {
  const lines = stack.split('\n', 2_000);
  const python: StackFrame[] = [];
  const node: StackFrame[] = [];
  for (const line of lines) {
    const py = PYTHON_FRAME.exec(line);
    if (py) {
      python.push(frame(py[1]!, py[3]!.trim(), Number(py[2])));
      continue;
    }
    const js = NODE_FRAME.exec(line);
    if (js) node.push(frame(js[2]!, js[1] ?? '?', Number(js[3]), Number(js[4])));
  }
  // Python prints the failing call last, as Sentry wants; Node prints it first.
  if (python.length > 0) return python.slice(-MAX_FRAMES);
  if (node.length > 0) return node.slice(0, MAX_FRAMES).reverse();
  return undefined;
}

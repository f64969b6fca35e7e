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
/** `\tat com.bank.Ledger.post(Ledger.java:42)` */
const JAVA_FRAME = /^\s*at ([\w$.<>]{1,256})\(([\w$.-]{1,256}):(\d{1,7})\)$/;
/** Go: `main.postEntry(...)` then, indented, `/app/ledger.go:42 +0x1d`. */
const GO_FUNCTION = /^([\w./*()-]{1,256})\(.*\)$/;
const GO_LOCATION = /^\s+(.{1,512}\.go):(\d{1,7})(?: \+0x[0-9a-f]+)?$/;
const LIBRARY_PATH =
  /site-packages|dist-packages|node_modules|<frozen |^node:|^internal\/|\/pkg\/mod\/|\/go\/src\//;
/** Java frames name no path: the platform's and the frameworks' packages are not the app. */
const JAVA_LIBRARY =
  /^(?:java|javax|jdk|sun|com\.sun|kotlin|org\.springframework|org\.apache|org\.hibernate)\./;

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
 * Frames from a Python traceback or a Node.js stack, the runtimes the sidecar's backends use most,
 * and from a Java or Go stack, which are as cheap to read.
 * Frames give Sentry a readable stack and the fingerprint a stable shape; source lines and local
 * variables are never read. Anything else yields no frames, and the text is kept as scrubbed
 * context instead.
 */
export function parseStack(stack: string): StackFrame[] | undefined {
  const lines = stack.split('\n', 2_000);
  const python: StackFrame[] = [];
  const node: StackFrame[] = [];
  const java: StackFrame[] = [];
  const go: StackFrame[] = [];
  let goFunction: string | undefined;
  for (const line of lines) {
    const py = PYTHON_FRAME.exec(line);
    if (py) {
      python.push(frame(py[1]!, py[3]!.trim(), Number(py[2])));
      continue;
    }
    const jv = JAVA_FRAME.exec(line);
    if (jv) {
      java.push({
        ...frame(jv[2]!, jv[1]!, Number(jv[3])),
        ...(JAVA_LIBRARY.test(jv[1]!) ? { in_app: false } : {}),
      });
      continue;
    }
    const js = NODE_FRAME.exec(line);
    if (js) {
      node.push(frame(js[2]!, js[1] ?? '?', Number(js[3]), Number(js[4])));
      continue;
    }
    const goLocation = goFunction === undefined ? null : GO_LOCATION.exec(line);
    if (goLocation) go.push(frame(goLocation[1]!, goFunction!, Number(goLocation[2])));
    goFunction = GO_FUNCTION.exec(line)?.[1];
  }
  // Python prints the failing call last, as Sentry wants; Node, Java and Go print it first.
  if (python.length > 0) return python.slice(-MAX_FRAMES);
  for (const firstFirst of [node, java, go]) {
    if (firstFirst.length > 0) return firstFirst.slice(0, MAX_FRAMES).reverse();
  }
  return undefined;
}

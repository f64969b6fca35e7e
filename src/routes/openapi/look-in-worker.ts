import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { failedLook, type LookReply, type LookRequest } from './look.js';

export interface LookJob {
  readonly result: Promise<LookReply>;
  /** Ends the look now (at shutdown); its result becomes a fetch_error. */
  cancel(): void;
}

/**
 * The worker module sits next to this one under the same extension: `.js` in dist/src and in
 * dist/bundle (an entry of its own beside main.js), `.ts` when tests run the sources.
 */
const WORKER = new URL(`./openapi-discovery${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);
/** The worker only fetches, hashes and waits: its heap holds a few kilobytes (bodies are Buffers, outside it). */
const WORKER_HEAP_MB = 32;
/** Time a cancelled worker has to kill its parser and end, before it is terminated. */
const CANCEL_GRACE_MS = 1_000;

/**
 * Runs one look (look.ts) in a worker thread that ends with it. `deadlineMs` bounds the whole
 * look, whatever its fetches and parse do.
 */
export function lookInWorker(request: LookRequest, deadlineMs: number): LookJob {
  let settle: (reply: LookReply) => void = () => {};
  const result = new Promise<LookReply>((resolve) => {
    settle = resolve;
  });
  const failed = (reason: string) => failedLook(request, reason);
  let worker: Worker;
  try {
    worker = new Worker(WORKER, {
      name: 'openapi-discovery',
      workerData: request,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
  } catch (error) {
    settle(failed(`discovery could not start (${(error as Error).message})`));
    return { result, cancel: () => {} };
  }
  // The worker never keeps the sidecar alive, e.g. while it shuts down.
  worker.unref();
  let done = false;
  const finish = (reply: LookReply) => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    settle(reply);
  };
  const stop = (reason: string) => {
    finish(failed(reason));
    worker.postMessage('cancel');
    setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS).unref();
  };
  const deadline = setTimeout(() => stop(`no result within ${deadlineMs / 1000} s`), deadlineMs);
  deadline.unref();
  worker.on('message', (reply: LookReply) => finish(reply));
  worker.on('error', (error) => finish(failed(`discovery failed: ${error.message}`)));
  worker.on('exit', (code) => finish(failed(`discovery ended without a result (exit code ${code})`)));
  return { result, cancel: () => stop('the sidecar is stopping') };
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LookReply, LookRequest } from './look.js';
import { type LookJob, settleLook } from './look-job.js';

/**
 * The worker module sits next to this one under the same extension: `.js` in dist/src and in
 * dist/bundle (an entry of its own beside main.js), `.ts` when tests run the sources.
 */
const WORKER = new URL(`./openapi-discovery${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);
/** The worker only fetches, hashes and waits: its heap holds a few kilobytes (bodies are Buffers, outside it). */
const WORKER_HEAP_MB = 32;
/** Time a cancelled worker has to kill its parser and end, before it is terminated. */
const CANCEL_GRACE_MS = 1_000;

/** Runs one look (look.ts) in a worker thread that ends with it, within `deadlineMs`. */
export function lookInWorker(request: LookRequest, deadlineMs: number): LookJob {
  let worker: Worker | undefined;
  const { job, finish, fail } = settleLook(request, deadlineMs, () => {
    worker?.postMessage('cancel');
    setTimeout(() => void worker?.terminate(), CANCEL_GRACE_MS).unref();
  });
  try {
    worker = new Worker(WORKER, {
      name: 'openapi-discovery',
      workerData: request,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
  } catch (error) {
    fail(`discovery could not start (${(error as Error).message})`);
    return job;
  }
  // The worker never keeps the sidecar alive, e.g. while it shuts down.
  worker.unref();
  worker.on('message', (reply: LookReply) => finish(reply));
  worker.on('error', (error) => fail(`discovery failed: ${error.message}`));
  worker.on('exit', (code) => fail(`discovery ended without a result (exit code ${code})`));
  return job;
}

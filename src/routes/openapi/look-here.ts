import { type LookReply, type LookRequest, look } from './look.js';
import { lookInWorker } from './look-in-worker.js';
import { type LookJob, settleLook } from './look-job.js';

/**
 * Runs one look on the sidecar's own thread (look.ts, `inline`): small JSON documents are
 * fetched and parsed here; a reply with `needsWorker` sends the sidecar to the discovery worker
 * (look-in-worker.ts). `deadlineMs` bounds the look, whatever its fetches do.
 */
export function lookHere(request: LookRequest, deadlineMs: number): LookJob {
  const controller = new AbortController();
  const { job, finish, fail } = settleLook(request, deadlineMs, () => controller.abort());
  look(request, controller.signal, true).then(finish, (error: unknown) =>
    fail(`discovery failed: ${(error as Error).message}`),
  );
  return job;
}

export interface PlacedLookJob {
  /** The reply, and whether the look ended in the discovery worker. */
  readonly result: Promise<{ readonly reply: LookReply; readonly inWorker: boolean }>;
  cancel(): void;
}

/**
 * One look where it fits: on this thread, then in the discovery worker when the document needs
 * it; straight in the worker once a document has (`inWorker`).
 */
export function placeLook(request: LookRequest, deadlineMs: number, inWorker: boolean): PlacedLookJob {
  let current = inWorker ? lookInWorker(request, deadlineMs) : lookHere(request, deadlineMs);
  let cancelled = false;
  const result = current.result.then(async (reply) => {
    if (inWorker || !reply.needsWorker || cancelled) return { reply, inWorker };
    current = lookInWorker(request, deadlineMs);
    return { reply: await current.result, inWorker: true };
  });
  return {
    result,
    cancel: () => {
      cancelled = true;
      current.cancel();
    },
  };
}

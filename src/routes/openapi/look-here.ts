import { type LookRequest, look } from './look.js';
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

/**
 * One look where it fits: on this thread, then, when the document needs it, in the discovery
 * worker with what is left of `deadlineMs`. Every look starts here: the URL that served the
 * document in force is asked first, and an unchanged document (a 304, or the same bytes) needs
 * no parse, so a YAML document costs the worker only when it changed, and a large one when it
 * changed or, served without validators, at each look.
 */
export function placeLook(request: LookRequest, deadlineMs: number): LookJob {
  const started = Date.now();
  let current = lookHere(request, deadlineMs);
  let cancelled = false;
  const result = current.result.then((reply) => {
    if (!reply.needsWorker || cancelled) return reply;
    current = lookInWorker(request, Math.max(0, deadlineMs - (Date.now() - started)));
    return current.result;
  });
  return {
    result,
    cancel: () => {
      cancelled = true;
      current.cancel();
    },
  };
}

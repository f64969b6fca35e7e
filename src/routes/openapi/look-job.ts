import { failedLook, type LookReply, type LookRequest } from './look.js';

export interface LookJob {
  readonly result: Promise<LookReply>;
  /** Ends the look now (at shutdown); its result becomes a fetch_error. */
  cancel(): void;
}

/**
 * How one look ends, wherever it runs (look-here.ts, look-in-worker.ts): the first reply or
 * failure settles it; past `deadlineMs`, or when cancelled, it fails and `halt` stops what still
 * runs. `deadlineMs` bounds the whole look, whatever its fetches and parse do.
 */
export function settleLook(
  request: LookRequest,
  deadlineMs: number,
  halt: () => void,
): { readonly job: LookJob; finish(reply: LookReply): void; fail(reason: string): void } {
  let settle: (reply: LookReply) => void = () => {};
  const result = new Promise<LookReply>((resolve) => {
    settle = resolve;
  });
  let done = false;
  const finish = (reply: LookReply) => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    settle(reply);
  };
  const fail = (reason: string) => finish(failedLook(request, reason));
  const stop = (reason: string) => {
    fail(reason);
    halt();
  };
  const deadline = setTimeout(() => stop(`no result within ${deadlineMs / 1000} s`), deadlineMs);
  deadline.unref();
  return { job: { result, cancel: () => stop('the sidecar is stopping') }, finish, fail };
}

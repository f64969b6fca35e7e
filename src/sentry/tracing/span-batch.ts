/**
 * Span envelopes held for a moment and handed to the transport together.
 *
 * Sentry takes one trace per envelope, so every sampled request is still one POST; but POSTs
 * that leave together share the work around them (waking the event loop for the answers,
 * Sentry's side waking for the requests), where spaced-out ones each pay it alone: measured,
 * it takes CPU off every proxied request, more without a cap (docs/PERFORMANCE.md). The cap is
 * there for memory (see sdk/request-spans.ts).
 *
 * Bounded both ways: at most `max` envelopes wait (a burst never crowds the transport's queue),
 * and none waits longer than `holdMs`. `flush()` hands over whatever waits, on shutdown before
 * the client drains its queue.
 */
export class SpanBatch<E> {
  private held: E[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (envelope: E) => void,
    private readonly holdMs: number,
    private readonly max: number,
  ) {}

  add(envelope: E): void {
    this.held.push(envelope);
    if (this.held.length >= this.max) this.flush();
    // Unref'd: waiting spans never keep a process alive that is otherwise done.
    else this.timer ??= setTimeout(() => this.flush(), this.holdMs).unref();
  }

  /** Hands every waiting envelope to `send`, oldest first. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.held;
    this.held = [];
    for (const envelope of batch) this.send(envelope);
  }

  get size(): number {
    return this.held.length;
  }
}

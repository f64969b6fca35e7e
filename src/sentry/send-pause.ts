/**
 * When Sentry cannot be reached, every envelope would still try: a new connection, an error, a
 * stack trace, the SDK's loss accounting. Measured with 10% tracing against a DSN whose port
 * refuses connections, that raised the sidecar's CPU per proxied request by 40–60%. After
 * `threshold` consecutive failures, sending pauses instead: envelopes are refused at once (and
 * counted by the SDK as lost to a network error) until the pause ends. The next envelope then
 * tries again; a success ends the pauses, another failure doubles the next one, up to `maxMs`.
 */
export interface SendPauseOptions {
  readonly threshold: number;
  readonly firstMs: number;
  readonly maxMs: number;
  readonly now?: () => number;
}

export class SendPause {
  private failures = 0;
  private pauseMs = 0;
  private until = 0;
  private readonly now: () => number;

  constructor(private readonly options: SendPauseOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds left in the current pause; 0 when envelopes may be sent. */
  remaining(): number {
    return this.until === 0 ? 0 : Math.max(0, this.until - this.now());
  }

  /** Sentry answered. Returns true when this ends a run of pauses. */
  succeeded(): boolean {
    const wasPaused = this.pauseMs > 0;
    this.failures = 0;
    this.pauseMs = 0;
    this.until = 0;
    return wasPaused;
  }

  /** An envelope could not reach Sentry. Returns the length of the pause it starts, if any. */
  failed(): number | undefined {
    // Requests sent before a pause began may still fail during it; they do not lengthen it.
    if (this.remaining() > 0) return undefined;
    this.failures++;
    if (this.failures < this.options.threshold) return undefined;
    this.pauseMs = this.pauseMs === 0 ? this.options.firstMs : Math.min(this.pauseMs * 2, this.options.maxMs);
    this.until = this.now() + this.pauseMs;
    return this.pauseMs;
  }
}

/**
 * When Sentry cannot be reached, every envelope would still try: a new connection, an error, a
 * stack trace, the SDK's loss accounting. Against a DSN whose port refuses connections, that
 * made every proxied request markedly dearer in CPU (docs/PERFORMANCE.md). After
 * `threshold` consecutive failures, sending pauses instead: envelopes are refused at once (and
 * counted as lost to a network error). When the pause ends, one envelope goes as a probe while
 * the others are still refused: an answer ends the pauses, a failure starts the next one, twice
 * as long, up to `maxMs`.
 */
export interface SendPauseOptions {
  readonly threshold: number;
  readonly firstMs: number;
  readonly maxMs: number;
  readonly now?: () => number;
}

export class SendPause {
  private failures = 0;
  /** 0 while Sentry is reachable; the length of the last pause otherwise. */
  private pauseMs = 0;
  private pausedAt = Number.NEGATIVE_INFINITY;
  private until = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: SendPauseOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The time to pass to `failed()` for an envelope sent now. */
  started(): number {
    return this.now();
  }

  /** Whether an envelope may be sent now: none during a pause, one probe at a time after it. */
  admit(): boolean {
    if (this.pauseMs === 0) return true;
    if (this.probing || this.now() < this.until) return false;
    this.probing = true;
    return true;
  }

  /** Sentry answered. Returns true when this ends a run of pauses. */
  succeeded(): boolean {
    const wasPaused = this.pauseMs > 0;
    this.failures = 0;
    this.pauseMs = 0;
    this.pausedAt = Number.NEGATIVE_INFINITY;
    this.until = 0;
    this.probing = false;
    return wasPaused;
  }

  /** An envelope went nowhere without reaching Sentry (a full queue, a rate limit): no verdict. */
  inconclusive(): void {
    this.probing = false;
  }

  /**
   * An envelope sent at `startedAt` could not reach Sentry. Returns the length of the pause this
   * starts, if any. Envelopes already under way when a pause began (a hanging Sentry fails them
   * one deadline later) say nothing new and do not lengthen it.
   */
  failed(startedAt: number): number | undefined {
    if (startedAt < this.pausedAt) return undefined;
    this.probing = false;
    this.failures++;
    if (this.failures < this.options.threshold) return undefined;
    this.pauseMs = this.pauseMs === 0 ? this.options.firstMs : Math.min(this.pauseMs * 2, this.options.maxMs);
    this.pausedAt = this.now();
    this.until = this.pausedAt + this.pauseMs;
    return this.pauseMs;
  }
}

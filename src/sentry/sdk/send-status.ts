/**
 * Where sending to Sentry stands, for /health and the status page: `sending`, `paused` (since
 * when, why, when the next probe may go) or `disabled`. The transport writes it as its pause
 * (send-pause.ts) starts and ends, so it tells the truth the `sidecar_sentry_unreachable` gauge
 * tells, with the reason a gauge cannot carry.
 */
export interface SentrySendState {
  readonly state: 'disabled' | 'sending' | 'paused';
  /** When the current state began (ISO 8601): the first pause of a run of pauses, or the last resume. */
  readonly since: string | null;
  /** Why: the last error that reached the transport while paused, or why Sentry is disabled. */
  readonly reason: string | null;
  /** While paused: the earliest time the next envelope may go as a probe. */
  readonly next_probe_at: string | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export class SendStatus {
  private pausedSince: number | undefined;
  private nextProbeAt: number | undefined;
  private reason: string | undefined;
  private sendingSince: number | undefined;
  private disabledReason: string | undefined;

  constructor(disabledReason?: string) {
    this.disabledReason = disabledReason;
  }

  /** Sentry started sending (or will, at the first event). */
  started(now: number): void {
    this.disabledReason = undefined;
    this.sendingSince = now;
  }

  /** Sentry could not be started or was closed: nothing is sent. */
  disabled(reason: string): void {
    this.disabledReason = reason;
    this.pausedSince = undefined;
    this.nextProbeAt = undefined;
  }

  /** A pause began (or was lengthened after a failed probe) at `now`, for `ms`. */
  paused(now: number, ms: number, reason: string): void {
    this.pausedSince ??= now;
    this.nextProbeAt = now + ms;
    this.reason = reason;
  }

  /** Sentry answered again. */
  resumed(now: number): void {
    this.pausedSince = undefined;
    this.nextProbeAt = undefined;
    this.reason = undefined;
    this.sendingSince = now;
  }

  get current(): SentrySendState {
    if (this.disabledReason !== undefined) {
      return { state: 'disabled', since: null, reason: this.disabledReason, next_probe_at: null };
    }
    if (this.pausedSince !== undefined) {
      return {
        state: 'paused',
        since: iso(this.pausedSince),
        reason: this.reason ?? null,
        next_probe_at: iso(this.nextProbeAt),
      };
    }
    return { state: 'sending', since: iso(this.sendingSince), reason: null, next_probe_at: null };
  }
}

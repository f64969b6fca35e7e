/**
 * The last few refusals of the ingest API with their reasons, for the status page: a counter
 * says how many `missing_field` refusals there were, this says which field. The reasons name the
 * field and the rule, never a value (reasons.ts), so nothing personal is kept.
 */
export interface RecentRejection {
  readonly at: string;
  readonly code: string;
  readonly reason: string;
}

export class RecentRejections {
  private readonly ring: RecentRejection[] = [];

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(code: string, reason: string): void {
    if (this.ring.length === this.capacity) this.ring.shift();
    this.ring.push({ at: new Date(this.now()).toISOString(), code, reason });
  }

  /** Newest first. */
  list(): RecentRejection[] {
    return [...this.ring].reverse();
  }
}

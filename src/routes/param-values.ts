/**
 * The literal values seen at one `{param}` position, counted so that a real route folded in
 * with the values can come back out (`/users/search` beside user names). The same rule as at
 * the fold decides (LEARNING.keepMinHits and keepFactor): a value with many times the hits of
 * most values there is a route of its own. Only the first `MAX_TRACKED` distinct values are
 * counted: a real route is hit from the start, and memory stays bounded whatever the traffic.
 */
const MAX_TRACKED = 64;
/** Evidence a promotion needs beyond the fold's own threshold, since it is decided later and alone. */
const MIN_PROMOTION_HITS = 16;
/** A value's standing is checked at every this many of its hits: a sort on each would cost too much. */
const CHECK_EVERY = 8;

export class ParamValues {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly keepFactor: number,
    /** Literals promoted at one position at most: hot values must not turn into routes one by one. */
    private promotionsLeft: number,
  ) {}

  /** Counts one confirmed hit of `value`; true when it has just earned a literal of its own. */
  note(value: string): boolean {
    const count = this.counts.get(value);
    if (count === undefined) {
      if (this.counts.size < MAX_TRACKED) this.counts.set(value, 1);
      return false;
    }
    const hits = count + 1;
    this.counts.set(value, hits);
    if (hits < MIN_PROMOTION_HITS || hits % CHECK_EVERY !== 0 || this.promotionsLeft === 0) return false;
    const sorted = [...this.counts.values()].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    if (hits < this.keepFactor * median) return false;
    this.counts.delete(value);
    this.promotionsLeft--;
    return true;
  }
}

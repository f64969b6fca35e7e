/**
 * The learned `http_route` values in use, at most `max` at once. Each remembers when it was last
 * recorded, so one unseen for the idle time can give its place back.
 */
export class LabelBudget {
  private readonly entries = new Map<string, { seen: number }>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** True when `label` holds a place; it is then marked as seen at `now`. */
  touch(label: string, now: number): boolean {
    const entry = this.entries.get(label);
    if (entry === undefined) return false;
    entry.seen = now;
    return true;
  }

  /** Gives `label` a place if one is free. */
  admit(label: string, now: number): boolean {
    if (this.entries.size >= this.max) return false;
    this.entries.set(label, { seen: now });
    return true;
  }

  /** Removes and returns the labels unseen since `cutoff`. */
  evictIdle(cutoff: number): string[] {
    const evicted: string[] = [];
    for (const [label, entry] of this.entries) {
      if (entry.seen < cutoff) {
        this.entries.delete(label);
        evicted.push(label);
      }
    }
    return evicted;
  }

  /** Removes and returns `prefix` and the labels under it (`prefix/...`). */
  evictPrefix(prefix: string): string[] {
    const evicted: string[] = [];
    const under = prefix + '/';
    for (const label of this.entries.keys()) {
      if (label === prefix || label.startsWith(under)) {
        this.entries.delete(label);
        evicted.push(label);
      }
    }
    return evicted;
  }
}

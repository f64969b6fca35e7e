/**
 * Remembers the most recent event_ids, so a client retrying a batch after a timeout (when the
 * first attempt did arrive) does not count its events twice. Bounded by count: the oldest id is
 * forgotten first. A Set keeps insertion order, so both operations are O(1).
 */
export class DedupeWindow {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  remember(id: string): void {
    if (this.capacity === 0 || this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    this.ids.add(id);
  }
}

/**
 * Per-second rates of counters the status page reads from the Registry, computed from the
 * readings the page's own requests make: the rate over roughly the last minute (between the
 * current reading and the oldest one less than a minute old), or since the previous reading
 * when reads are further apart. The first reading has no rate. Memory holds one reading per
 * request of the last minute, at most `maxReadings`.
 */
const WINDOW_MS = 60_000;

interface Snapshot {
  readonly at: number;
  readonly totals: ReadonlyMap<string, number>;
}

export class CounterRates {
  private readonly history: Snapshot[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxReadings = 120,
  ) {}

  /** Records `totals` and returns each key's rate per second, null until there is an earlier reading. */
  rates(totals: ReadonlyMap<string, number>): Map<string, number | null> {
    const at = this.now();
    // Keep one reading at least a minute old, so the rate spans the whole minute.
    while (this.history.length > 1 && (this.history[1]?.at ?? at) <= at - WINDOW_MS) this.history.shift();
    if (this.history.length >= this.maxReadings) this.history.splice(1, 1);
    const oldest = this.history[0];
    this.history.push({ at, totals });
    const out = new Map<string, number | null>();
    const seconds = oldest === undefined ? 0 : (at - oldest.at) / 1000;
    for (const [key, total] of totals) {
      // A counter that went down was reset (a restart of what it counts): no rate this time.
      const before = oldest?.totals.get(key) ?? 0;
      out.set(key, seconds > 0 && total >= before ? (total - before) / seconds : null);
    }
    return out;
  }
}

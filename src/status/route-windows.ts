/**
 * Recent traffic per route, for the status page: a ring of 60 slots of 10 s (ten minutes) per
 * method and route, each slot a request count, an error count and a small histogram of
 * durations on fixed log-spaced bounds. Figures for the last minute and the last ten minutes
 * are read from the ring, not derived from the cumulative Prometheus histograms, whose
 * buckets are too coarse for a p50 and whose counts never forget. Recording is a slot check
 * and three increments; memory is a fixed amount per route with traffic, and a route the
 * labeller forgets leaves with its series.
 */
export const SLOT_MS = 10_000;
export const SLOTS = 60;

/** Upper bounds of the duration buckets, in seconds: 1 ms to ~2 min, each √2 apart. */
const BOUNDS: readonly number[] = Array.from({ length: 35 }, (_, i) => 0.001 * Math.SQRT2 ** i);
const BUCKETS = BOUNDS.length + 1;

class RouteRing {
  /** The slot number (time / SLOT_MS) each position holds. */
  readonly epochs = new Float64Array(SLOTS).fill(-1);
  readonly requests = new Uint32Array(SLOTS);
  readonly errors = new Uint32Array(SLOTS);
  readonly durations = new Uint32Array(SLOTS * BUCKETS);
  /** Error types by slot, made only when a slot has an error: most have none. */
  readonly errorTypes: Array<Map<string, number> | undefined> = new Array(SLOTS);
}

export interface WindowFigures {
  readonly requests: number;
  /** Requests per second over the window. */
  readonly rate: number;
  /** Share of requests without an error, 0 to 1; null without requests. */
  readonly successRate: number | null;
  /** Seconds, from the bucket bounds (within √2 of the true value); null without requests. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface RouteFigures {
  readonly method: string;
  readonly route: string;
  readonly lastMinute: WindowFigures;
  readonly lastTenMinutes: WindowFigures;
  /** Requests per slot, oldest first, over ten minutes: the sparklines. */
  readonly series: {
    readonly requests: number[];
    readonly errors: number[];
    readonly p99: Array<number | null>;
  };
  /** Error types seen in the last ten minutes, with their counts. */
  readonly errorTypes: Readonly<Record<string, number>>;
  /** Requests of this declared route and method under way now (streams included). */
  readonly inFlight: number;
}

function bucketOf(seconds: number): number {
  let lo = 0;
  let hi = BOUNDS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seconds <= BOUNDS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function quantile(histogram: Uint32Array, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let b = 0; b < BUCKETS; b++) {
    seen += histogram[b]!;
    if (seen >= rank) return b < BOUNDS.length ? BOUNDS[b]! : Number.POSITIVE_INFINITY;
  }
  return null;
}

export class RouteWindows {
  /** Route, then method: no key is built per request. */
  private readonly rings = new Map<string, Map<string, RouteRing>>();
  /**
   * Requests under way by declared route, then method. Entries stay at 0 between requests, so a
   * request makes no Map entries of its own; figures() sweeps out those at 0. Declared routes
   * are few, which bounds them.
   */
  private readonly running = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Routes with a ring. */
  get size(): number {
    return this.rings.size;
  }

  /** One finished request. `error` is the request's error_type ('' for none). */
  record(method: string, route: string, seconds: number, error: string): void {
    let methods = this.rings.get(route);
    if (methods === undefined) {
      methods = new Map();
      this.rings.set(route, methods);
    }
    let ring = methods.get(method);
    if (ring === undefined) {
      ring = new RouteRing();
      methods.set(method, ring);
    }
    const epoch = Math.floor(this.now() / SLOT_MS);
    const slot = epoch % SLOTS;
    if (ring.epochs[slot] !== epoch) {
      ring.epochs[slot] = epoch;
      ring.requests[slot] = 0;
      ring.errors[slot] = 0;
      ring.durations.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
      ring.errorTypes[slot] = undefined;
    }
    ring.requests[slot]!++;
    ring.durations[slot * BUCKETS + bucketOf(seconds)]!++;
    if (error !== '') {
      ring.errors[slot]!++;
      let types = ring.errorTypes[slot];
      if (types === undefined) {
        types = new Map<string, number>();
        ring.errorTypes[slot] = types;
      }
      types.set(error, (types.get(error) ?? 0) + 1);
    }
  }

  /** A request of a declared route began. */
  started(method: string, route: string): void {
    let methods = this.running.get(route);
    if (methods === undefined) {
      methods = new Map();
      this.running.set(route, methods);
    }
    methods.set(method, (methods.get(method) ?? 0) + 1);
  }

  /** A request counted by started() ended. */
  ended(method: string, route: string): void {
    const methods = this.running.get(route);
    const n = methods?.get(method);
    if (n !== undefined && n > 0) methods!.set(method, n - 1);
  }

  /** Forgets a route the labeller gave up (idle or folded), with every method. */
  forget(route: string): void {
    this.rings.delete(route);
  }

  /** Every route with requests in the last ten minutes or under way now. */
  figures(): RouteFigures[] {
    const epoch = Math.floor(this.now() / SLOT_MS);
    const out: RouteFigures[] = [];
    const inFlight = (route: string, method: string) => this.running.get(route)?.get(method) ?? 0;
    for (const [route, methods] of this.rings) {
      for (const [method, ring] of methods) {
        const f = this.routeFigures(ring, epoch);
        const running = inFlight(route, method);
        if (f.lastTenMinutes.requests === 0 && running === 0) methods.delete(method);
        else out.push({ method, route, ...f, inFlight: running });
      }
      if (methods.size === 0) this.rings.delete(route);
    }
    // A first, slow request (a long generation) shows before it ends.
    for (const [route, methods] of this.running) {
      for (const [method, running] of methods) {
        if (running === 0) methods.delete(method);
        if (running === 0 || this.rings.get(route)?.has(method)) continue;
        out.push({ method, route, ...this.routeFigures(new RouteRing(), epoch), inFlight: running });
      }
      if (methods.size === 0) this.running.delete(route);
    }
    return out;
  }

  private routeFigures(ring: RouteRing, epoch: number): Omit<RouteFigures, 'method' | 'route' | 'inFlight'> {
    const requests: number[] = [];
    const errors: number[] = [];
    const errorTypes: Record<string, number> = {};
    const p99: Array<number | null> = [];
    const window = (slots: number) => ({
      histogram: new Uint32Array(BUCKETS),
      requests: 0,
      errors: 0,
      slots,
    });
    const minute = window(6);
    const tenMinutes = window(SLOTS);
    // Oldest first; the current slot, still filling, is the last.
    for (let age = SLOTS - 1; age >= 0; age--) {
      const e = epoch - age;
      const slot = ((e % SLOTS) + SLOTS) % SLOTS;
      const live = ring.epochs[slot] === e;
      const n = live ? ring.requests[slot]! : 0;
      const bad = live ? ring.errors[slot]! : 0;
      const h = live ? ring.durations.subarray(slot * BUCKETS, (slot + 1) * BUCKETS) : undefined;
      requests.push(n);
      errors.push(bad);
      if (live)
        for (const [type, count] of ring.errorTypes[slot] ?? [])
          errorTypes[type] = (errorTypes[type] ?? 0) + count;
      p99.push(h ? quantile(h, n, 0.99) : null);
      for (const w of age < minute.slots ? [minute, tenMinutes] : [tenMinutes]) {
        w.requests += n;
        w.errors += bad;
        if (h) for (let b = 0; b < BUCKETS; b++) w.histogram[b]! += h[b]!;
      }
    }
    const figures = (w: typeof minute): WindowFigures => ({
      requests: w.requests,
      rate: w.requests / ((w.slots * SLOT_MS) / 1000),
      successRate: w.requests === 0 ? null : 1 - w.errors / w.requests,
      p50: quantile(w.histogram, w.requests, 0.5),
      p95: quantile(w.histogram, w.requests, 0.95),
      p99: quantile(w.histogram, w.requests, 0.99),
    });
    return {
      lastMinute: figures(minute),
      lastTenMinutes: figures(tenMinutes),
      series: { requests, errors, p99 },
      errorTypes,
    };
  }
}

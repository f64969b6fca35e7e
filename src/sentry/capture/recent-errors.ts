import type { ErrorKind, ErrorReport } from './error-report.js';

/**
 * The most recent captured errors, already scrubbed, for GET /errors: an operator without Sentry
 * (or with Sentry down) still sees what failed. Bounded: the oldest entry makes room.
 */

/** Where the event stands with Sentry. */
export type SentryDelivery = 'disabled' | 'pending' | 'sent' | 'failed';

/** What the list keeps of a report, and where the event went. */
export interface RecentErrorInput
  extends Pick<ErrorReport, 'kind' | 'message' | 'fingerprint' | 'tags' | 'requestId'> {
  readonly level: string;
  readonly traceId?: string | undefined;
  readonly sentryEventId?: string | undefined;
}

export interface RecentError {
  readonly id: number;
  readonly timestamp: string;
  readonly kind: ErrorKind;
  readonly level: string;
  readonly message: string;
  readonly fingerprint: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly request_id: string | null;
  readonly trace_id: string | null;
  readonly sentry_event_id: string | null;
  sentry: SentryDelivery;
  /** Later occurrences of the same fingerprint held back by the rate limit. */
  suppressed: number;
  last_suppressed_at: string | null;
}

/**
 * An entry as kept: the time of the last suppressed occurrence as a number, formatted only when
 * listed, since a storm of one failure suppresses thousands a second.
 */
interface Entry extends Omit<RecentError, 'last_suppressed_at'> {
  lastSuppressedAt: number | undefined;
}

export class RecentErrors {
  private readonly ring: (Entry | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly latestByKey = new Map<string, Entry>();
  private readonly byEventId = new Map<string, Entry>();
  private readonly keyOf = new WeakMap<Entry, string>();

  constructor(
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.ring = new Array(capacity);
  }

  /** Lists an error; returns its id in GET /errors. */
  add(key: string, input: RecentErrorInput): number {
    const entry: Entry = {
      id: ++this.seq,
      timestamp: new Date(this.now()).toISOString(),
      kind: input.kind,
      level: input.level,
      message: input.message,
      fingerprint: input.fingerprint,
      tags: input.tags,
      request_id: input.requestId ?? null,
      trace_id: input.traceId ?? null,
      sentry_event_id: input.sentryEventId ?? null,
      sentry: input.sentryEventId === undefined ? 'disabled' : 'pending',
      suppressed: 0,
      lastSuppressedAt: undefined,
    };
    const evicted = this.ring[this.next];
    if (evicted) this.forget(evicted);
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.latestByKey.set(key, entry);
    this.keyOf.set(entry, key);
    if (entry.sentry_event_id) this.byEventId.set(entry.sentry_event_id, entry);
    return entry.id;
  }

  /** Counts an occurrence the rate limit held back on the latest entry of its fingerprint. */
  suppressed(key: string): void {
    const entry = this.latestByKey.get(key);
    if (!entry) return;
    entry.suppressed++;
    entry.lastSuppressedAt = this.now();
  }

  /** Records what Sentry made of an event, once the transport knows. */
  delivered(eventId: string, outcome: 'sent' | 'failed'): void {
    const entry = this.byEventId.get(eventId);
    if (entry) entry.sentry = outcome;
  }

  /** Newest first. */
  list(limit = this.capacity): RecentError[] {
    const out: RecentError[] = [];
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const entry = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (entry) out.push(present(entry));
    }
    return out;
  }

  private forget(entry: Entry): void {
    const key = this.keyOf.get(entry);
    if (key !== undefined && this.latestByKey.get(key) === entry) this.latestByKey.delete(key);
    if (entry.sentry_event_id) this.byEventId.delete(entry.sentry_event_id);
  }
}

/** An entry as GET /errors shows it: a copy, so later deliveries and suppressions do not change it. */
function present(entry: Entry): RecentError {
  const { lastSuppressedAt, ...fields } = entry;
  return {
    ...fields,
    last_suppressed_at: lastSuppressedAt === undefined ? null : new Date(lastSuppressedAt).toISOString(),
  };
}

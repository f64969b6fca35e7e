/**
 * Token buckets that cap error events per minute, overall and per fingerprint.
 *
 * The SDK's Dedupe integration would silently drop back-to-back repeats of one error and let
 * alternating ones through unbounded; a per-fingerprint bucket instead lets every distinct
 * failure through, keeps repeats of one broken endpoint to a steady trickle (so Sentry still
 * shows its frequency), and reports each refusal so it is counted rather than lost.
 */

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface RateLimiterOptions {
  /** Events per minute over all fingerprints; 0 refuses everything. */
  readonly perMinute: number;
  /** Events per minute for one fingerprint; also the burst a new fingerprint may send at once. */
  readonly perKeyPerMinute: number;
  /** Fingerprints tracked at once; the oldest is forgotten first (it restarts with a full bucket). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

const MINUTE_MS = 60_000;

export class RateLimiter {
  private readonly global: Bucket;
  private readonly keys = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.global = { tokens: options.perMinute, updatedAt: this.now() };
  }

  /** Takes one token for `key` if both its bucket and the global one have one. */
  allow(key: string): boolean {
    const now = this.now();
    refill(this.global, this.options.perMinute, now);
    let bucket = this.keys.get(key);
    if (bucket === undefined) {
      if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
      bucket = { tokens: this.options.perKeyPerMinute, updatedAt: now };
      this.keys.set(key, bucket);
    } else {
      refill(bucket, this.options.perKeyPerMinute, now);
    }
    if (this.global.tokens < 1 || bucket.tokens < 1) return false;
    this.global.tokens -= 1;
    bucket.tokens -= 1;
    return true;
  }
}

function refill(bucket: Bucket, perMinute: number, now: number): void {
  const elapsed = now - bucket.updatedAt;
  if (elapsed <= 0) return;
  bucket.tokens = Math.min(perMinute, bucket.tokens + (elapsed * perMinute) / MINUTE_MS);
  bucket.updatedAt = now;
}

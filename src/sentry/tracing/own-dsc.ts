import type { Dsc, TraceDecision } from './trace-propagation.js';

export interface DscIdentity {
  readonly environment: string;
  readonly release: string | undefined;
  readonly publicKey: string;
  readonly orgId: string | undefined;
}

/** Sentry's organization id, when the DSN host carries it (`o123.ingest.sentry.io`). */
export function orgIdFromDsn(dsn: string): string | undefined {
  try {
    return /^o(\d+)\./.exec(new URL(dsn).hostname)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The dynamic sampling context of a trace the sidecar heads, built without a Sentry span.
 *
 * The SDK builds the same context from a span (`spanToBaggageHeader`), but creating a span for
 * every request costs many times what this string does (docs/PERFORMANCE.md), and most
 * requests are not sampled. The entries and their order mirror the SDK's
 * (getDynamicSamplingContextFromClient, then transaction, sampled, sample_rand, sample_rate);
 * test/unit/sentry/sdk-parity.test.ts holds the two side by side.
 */
export class OwnDsc {
  private readonly head: string;
  private readonly orgPart: string;

  constructor(private readonly id: DscIdentity) {
    this.head =
      'sentry-environment=' +
      encodeURIComponent(id.environment) +
      (id.release === undefined ? '' : ',sentry-release=' + encodeURIComponent(id.release)) +
      ',sentry-public_key=' +
      encodeURIComponent(id.publicKey);
    this.orgPart = id.orgId === undefined ? '' : ',sentry-org_id=' + id.orgId;
  }

  /** `encodedName` is the transaction name already URI-encoded (cached per route). */
  baggage(d: TraceDecision, encodedName: string): string {
    return (
      this.head +
      ',sentry-trace_id=' +
      d.traceId +
      this.orgPart +
      ',sentry-transaction=' +
      encodedName +
      ',sentry-sampled=' +
      (d.sampled ? 'true' : 'false') +
      ',sentry-sample_rand=' +
      d.sampleRand +
      ',sentry-sample_rate=' +
      d.sampleRate
    );
  }

  /** The same context as an object, for the scope of an error event (rare path). */
  object(d: TraceDecision, name: string): Dsc {
    if (d.frozenDsc) return { ...d.frozenDsc, sample_rate: String(d.sampleRate) };
    const dsc: Dsc = { environment: this.id.environment };
    if (this.id.release !== undefined) dsc.release = this.id.release;
    dsc.public_key = this.id.publicKey;
    dsc.trace_id = d.traceId;
    if (this.id.orgId !== undefined) dsc.org_id = this.id.orgId;
    dsc.transaction = name;
    dsc.sampled = d.sampled ? 'true' : 'false';
    dsc.sample_rand = String(d.sampleRand);
    dsc.sample_rate = String(d.sampleRate);
    return dsc;
  }
}

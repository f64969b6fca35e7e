import { describe, expect, it } from 'vitest';
import { OwnDsc, orgIdFromDsn } from '../../../../src/sentry/tracing/own-dsc.js';
import { decideTrace } from '../../../../src/sentry/tracing/trace-propagation.js';

describe('OwnDsc', () => {
  it("builds the sidecar's own sampling context in the SDK's order", () => {
    const dsc = new OwnDsc({ environment: 'prod', release: 'r@1', publicKey: 'pk', orgId: '7' });
    const d = decideTrace(undefined, 0.1, () => 0.5);
    expect(dsc.baggage(d, 'GET%20%2Fa')).toBe(
      `sentry-environment=prod,sentry-release=r%401,sentry-public_key=pk,sentry-trace_id=${d.traceId},sentry-org_id=7,sentry-transaction=GET%20%2Fa,sentry-sampled=false,sentry-sample_rand=0.5,sentry-sample_rate=0.1`,
    );
    expect(dsc.object(d, 'GET /a')).toEqual({
      environment: 'prod',
      release: 'r@1',
      public_key: 'pk',
      trace_id: d.traceId,
      org_id: '7',
      transaction: 'GET /a',
      sampled: 'false',
      sample_rand: '0.5',
      sample_rate: '0.1',
    });
    expect(orgIdFromDsn('https://k@o123.ingest.sentry.io/4')).toBe('123');
    expect(orgIdFromDsn('http://k@127.0.0.1:9000/4')).toBeUndefined();
  });
});
